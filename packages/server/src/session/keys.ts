/**
 * The two HMAC keys (access and refresh). Configured keys win; otherwise random 256-bit keys are
 * generated on first start and kept in `<data_dir>/keys.json` (mode 0600), so tokens survive
 * restarts and no deployment ever signs with a public default.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../config/config.js";

export interface SigningKeys {
  access: Buffer;
  refresh: Buffer;
}

interface KeyFile {
  encryption_key: string;
  refresh_encryption_key: string;
}

export const KEY_FILE = "keys.json";

export function loadSigningKeys(dataDir: string, configured: { encryptionKey: string | undefined; refreshEncryptionKey: string | undefined }): SigningKeys {
  let stored: KeyFile | undefined;
  if (configured.encryptionKey === undefined || configured.refreshEncryptionKey === undefined) {
    stored = readOrCreateKeyFile(join(dataDir, KEY_FILE));
  }
  const access = configured.encryptionKey ?? stored!.encryption_key;
  const refresh = configured.refreshEncryptionKey ?? stored!.refresh_encryption_key;
  if (access === refresh) throw new ConfigError("session.refresh_encryption_key", "must differ from session.encryption_key");
  return { access: Buffer.from(access, "utf8"), refresh: Buffer.from(refresh, "utf8") };
}

function readOrCreateKeyFile(path: string): KeyFile {
  if (existsSync(path)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, "utf8"));
    } catch (err) {
      throw new ConfigError("data_dir", `${path} is not readable JSON: ${(err as Error).message}`);
    }
    const file = parsed as Partial<KeyFile>;
    if (
      typeof file.encryption_key !== "string" ||
      typeof file.refresh_encryption_key !== "string" ||
      file.encryption_key === "" ||
      file.refresh_encryption_key === ""
    ) {
      throw new ConfigError("data_dir", `${path} must hold encryption_key and refresh_encryption_key`);
    }
    return file as KeyFile;
  }
  const file: KeyFile = {
    encryption_key: randomBytes(32).toString("base64url"),
    refresh_encryption_key: randomBytes(32).toString("base64url"),
  };
  const tmp = path + ".tmp";
  writeFileSync(tmp, JSON.stringify(file, null, 2) + "\n", { mode: 0o600 });
  renameSync(tmp, path);
  return file;
}
