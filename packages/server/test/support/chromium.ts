/**
 * Headless Chromium for the browser suites (the SDK's, the console's and the API page's): Debian's
 * binary (or `CHROMIUM_PATH`) driven by playwright-core, started with the same flags everywhere.
 */
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM = process.env["CHROMIUM_PATH"] || "/usr/bin/chromium";

/** Why a browser suite is skipped (failed, with `CI=true`) when there is no Chromium. */
export const CHROMIUM_MISSING =
  `Chromium not found at ${CHROMIUM}. Install it with \`apt-get install -y chromium\` ` +
  `(Debian/Ubuntu), or point CHROMIUM_PATH at a Chromium or Chrome binary.`;

/** Chromium, headless, without a sandbox, the GPU or any background traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    timeout: 15_000,
  });
}
