/**
 * Password hashing with argon2id at OWASP's parameters (m = 19 MiB, t = 2, p = 1). The native
 * argon2 addon hashes on libuv's thread pool, off the event loop.
 */
import argon2 from "argon2";

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

export const ARGON2_PARAMS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const argon2idHasher: PasswordHasher = {
  hash: (password) => argon2.hash(password, ARGON2_PARAMS),
  async verify(hash, password) {
    try {
      return await argon2.verify(hash, password);
    } catch {
      // A corrupt stored hash must read as "wrong password", not crash the request.
      return false;
    }
  },
};
