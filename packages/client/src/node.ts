/**
 * Node-only parts of the SDK (`@tessera/client/node`), kept out of the main entry so browser
 * bundles never see `node:fs`.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import type { TokenStorage } from "./storage.js";

/**
 * Keeps each key in its own file in `directory` (mode 0600). Writes are atomic: a temporary file
 * is written, then renamed over the old one, so a crash never leaves half a token behind.
 *
 * @example
 * import { FileStorage } from "@tessera/client/node";
 * const auth = new AuthenticationService({ client, projectId: "my-game", storage: new FileStorage("./.tessera") });
 */
export class FileStorage implements TokenStorage {
  readonly directory: string;

  constructor(directory: string) {
    if (typeof directory !== "string" || directory === "") throw new TypeError("FileStorage: a directory is required.");
    this.directory = directory;
    mkdirSync(directory, { recursive: true, mode: 0o700 });
  }

  getItem(key: string): string | null {
    try {
      return readFileSync(this.pathOf(key), "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
  }

  setItem(key: string, value: string | null): void {
    const path = this.pathOf(key);
    if (value === null) {
      rmSync(path, { force: true });
      return;
    }
    const tmp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
    writeFileSync(tmp, value, { mode: 0o600 });
    try {
      renameSync(tmp, path);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
  }

  private pathOf(key: string): string {
    // encodeURIComponent keeps dots: the keys "", "." and ".." would name the directory itself or
    // its parent. Those three get names encodeURIComponent never produces ("%", "%2E", "%2E%2E").
    const name = encodeURIComponent(key).replace(/^\.{0,2}$/, (dots) => "%2E".repeat(dots.length) || "%");
    return join(this.directory, name);
  }
}
