/** Random usernames for accounts created without one: 10 ASCII letters, as Nakama makes them. */
import { randomInt } from "node:crypto";

const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

export function generateUsername(): string {
  let name = "";
  for (let i = 0; i < 10; i++) name += LETTERS[randomInt(LETTERS.length)];
  return name;
}
