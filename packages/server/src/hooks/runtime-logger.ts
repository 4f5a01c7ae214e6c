/**
 * The `logger` given to runtime modules: Nakama's printf-style calls (`logger.info("%s joined", id)`,
 * formatted by Node's `util.format`) written through the server's logger, prefixed with the module
 * file so every line says which module wrote it.
 */
import { format } from "node:util";
import type { Logger as ServerLogger } from "../shared/logger.js";
import type { Logger } from "./runtime-types.js";

export function moduleLogger(server: ServerLogger, moduleName: string, fields?: Record<string, unknown>): Logger {
  const prefix = `[runtime ${moduleName}] `;
  const line = (fmt: unknown, args: unknown[]): string => prefix + format(fmt, ...args);
  const logger: Logger = {
    debug: (fmt, ...args) => server.debug(line(fmt, args), fields),
    info: (fmt, ...args) => server.info(line(fmt, args), fields),
    warn: (fmt, ...args) => server.warn(line(fmt, args), fields),
    error: (fmt, ...args) => server.error(line(fmt, args), fields),
    withField: (key, value) => {
      if (typeof key !== "string" || key === "") throw new TypeError("logger.withField: expects a non-empty string key");
      return moduleLogger(server, moduleName, { ...fields, [key]: value });
    },
    withFields: (more) => {
      if (typeof more !== "object" || more === null || Array.isArray(more)) throw new TypeError("logger.withFields: expects an object");
      return moduleLogger(server, moduleName, { ...fields, ...more });
    },
  };
  return Object.freeze(logger);
}
