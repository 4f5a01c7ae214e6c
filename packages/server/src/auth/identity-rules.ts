/**
 * Input rules for identities and usernames, with Nakama's exact messages (clients and tests match
 * on them). Lengths are in UTF-8 bytes, as Nakama counts them.
 */
import { invalidArgument } from "../shared/api-error.js";

/** Control characters or white space (Nakama's invalidCharsRegex). */
const CONTROL_OR_SPACE = /[\u0000-\u001f\u007f\s]/;
/** Control characters and tabs/newlines; plain spaces are allowed in usernames. */
const CONTROL = /[\u0000-\u001f\u007f]/;
const EMAIL = /^.+@.+\..+$/;

const bytes = (s: string): number => Buffer.byteLength(s, "utf8");

export function checkDeviceId(id: unknown): string {
  if (typeof id !== "string" || id === "") throw invalidArgument("Device ID is required.");
  if (CONTROL_OR_SPACE.test(id)) throw invalidArgument("Device ID invalid, no spaces or control characters allowed.");
  if (bytes(id) < 10 || bytes(id) > 128) throw invalidArgument("Device ID invalid, must be 10-128 bytes.");
  return id;
}

export function checkCustomId(id: unknown): string {
  if (typeof id !== "string" || id === "") throw invalidArgument("Custom ID is required.");
  if (CONTROL_OR_SPACE.test(id)) throw invalidArgument("Custom ID invalid, no spaces or control characters allowed.");
  if (bytes(id) < 6 || bytes(id) > 128) throw invalidArgument("Custom ID invalid, must be 6-128 bytes.");
  return id;
}

/** Returns the email lower-cased, as stored. */
export function checkEmail(email: string): string {
  if (CONTROL_OR_SPACE.test(email)) throw invalidArgument("Invalid email address, no spaces or control characters allowed.");
  if (!EMAIL.test(email)) throw invalidArgument("Invalid email address format.");
  if (bytes(email) < 10 || bytes(email) > 255) throw invalidArgument("Invalid email address, must be 10-255 bytes.");
  return email.toLowerCase();
}

/** Argon2 hashes any length, but an unbounded password is a cheap way to burn CPU. */
export const MAX_PASSWORD_BYTES = 1024;

export function checkPassword(password: string): string {
  if (bytes(password) < 8) throw invalidArgument("Password must be at least 8 characters long.");
  if (bytes(password) > MAX_PASSWORD_BYTES) throw invalidArgument(`Password invalid, must be at most ${MAX_PASSWORD_BYTES} bytes.`);
  return password;
}

/** A username given by the client (query parameter or account update). */
export function checkUsername(username: string): string {
  if (CONTROL.test(username)) throw invalidArgument("Username invalid, no spaces or control characters allowed.");
  if (bytes(username) < 1 || bytes(username) > 128) throw invalidArgument("Username invalid, must be 1-128 bytes.");
  return username;
}
