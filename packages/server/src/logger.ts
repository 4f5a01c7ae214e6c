/**
 * A small leveled logger behind an interface, so the output format can change (JSON logs,
 * request ids) without touching callers. Writes one line per entry to stdout/stderr.
 */
import type { LogLevel } from "./config/config.js";

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(level: LogLevel): Logger {
  const write = (entryLevel: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (RANK[entryLevel] < RANK[level]) return;
    let line = `${new Date().toISOString()} ${entryLevel.toUpperCase().padEnd(5)} ${message}`;
    if (fields) {
      for (const [k, v] of Object.entries(fields)) {
        line += ` ${k}=${typeof v === "string" ? JSON.stringify(v) : v instanceof Error ? JSON.stringify(v.stack ?? v.message) : JSON.stringify(v)}`;
      }
    }
    (RANK[entryLevel] >= RANK.warn ? process.stderr : process.stdout).write(line + "\n");
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
  };
}
