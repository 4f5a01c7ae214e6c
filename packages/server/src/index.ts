/** Public API of the server package, for embedding Tessera and for tests. */
export { startServer, apiRoutes, type TesseraServer, type StartOptions } from "./app.js";
export { loadConfig, ConfigError, type Config } from "./config/config.js";
export { SETTINGS } from "./config/settings.js";
export { ApiError, GrpcCode } from "./shared/api-error.js";
export type { Store } from "./store/store.js";
export { SqliteStore } from "./store/sqlite/sqlite-store.js";
export { VERSION } from "./shared/version.js";
