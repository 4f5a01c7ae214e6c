/**
 * A small leveled logger behind an interface, so callers never change with the output format:
 * `text` (one readable line per entry) or `json` (one JSON object per line: `time`, `level`,
 * `msg`, then the entry's fields, `request_id` first while serving a request). The request id is
 * added by `requestLogger`, the logger of each request's Core (`request-context.ts`).
 */

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFormat = "text" | "json";

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** `base`, writing `request_id` first on every line. */
export function requestLogger(base: Logger, requestId: string): Logger {
  const withId = (fields: Record<string, unknown> | undefined): Record<string, unknown> => ({ request_id: requestId, ...fields });
  return {
    debug: (m, f) => base.debug(m, withId(f)),
    info: (m, f) => base.info(m, withId(f)),
    warn: (m, f) => base.warn(m, withId(f)),
    error: (m, f) => base.error(m, withId(f)),
  };
}

export interface LoggerOptions {
  level: LogLevel;
  format?: LogFormat;
  /** Where lines go; default: stdout, warnings and errors to stderr. */
  write?: (line: string, level: LogLevel) => void;
}

const writeToConsole = (line: string, level: LogLevel): void => {
  (RANK[level] >= RANK.warn ? process.stderr : process.stdout).write(line);
};

/** Keys of a JSON line that an entry's fields cannot take over. */
const RESERVED = new Set(["time", "level", "msg"]);

export function createLogger(options: LoggerOptions | LogLevel): Logger {
  const { level, format = "text", write = writeToConsole } = typeof options === "string" ? { level: options } : options;
  const line = format === "json" ? jsonLine : textLine;
  const entry =
    (entryLevel: LogLevel) =>
    (message: string, fields?: Record<string, unknown>): void => {
      if (RANK[entryLevel] < RANK[level]) return;
      write(line(entryLevel, message, fields) + "\n", entryLevel);
    };
  return { debug: entry("debug"), info: entry("info"), warn: entry("warn"), error: entry("error") };
}

function textLine(level: LogLevel, message: string, fields: Record<string, unknown> | undefined): string {
  let line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${message}`;
  if (fields) for (const [k, v] of Object.entries(fields)) line += ` ${k}=${stringify(typeof v === "string" ? v : fieldValue(v))}`;
  return line;
}

function jsonLine(level: LogLevel, message: string, fields: Record<string, unknown> | undefined): string {
  const entry: Record<string, unknown> = { time: new Date().toISOString(), level, msg: message };
  if (fields) for (const [k, v] of Object.entries(fields)) entry[RESERVED.has(k) ? `field_${k}` : k] = fieldValue(v);
  try {
    return JSON.stringify(entry, jsonSafe);
  } catch {
    // A field JSON cannot hold (a cycle): that field alone is written as its string form.
    for (const [k, v] of Object.entries(entry)) entry[k] = JSON.parse(stringify(v)) as unknown;
    return JSON.stringify(entry, jsonSafe);
  }
}

const jsonSafe = (_key: string, x: unknown): unknown => (typeof x === "bigint" ? x.toString() : x);

/** Errors as their stack; big integers as strings (JSON has none). */
function fieldValue(v: unknown): unknown {
  if (v instanceof Error) return v.stack ?? v.message;
  if (typeof v === "bigint") return v.toString();
  return v;
}

/** Logging never throws: a value JSON cannot hold (a cycle) is written as its string form. */
function stringify(v: unknown): string {
  try {
    return JSON.stringify(v, jsonSafe) ?? JSON.stringify(String(v));
  } catch {
    return JSON.stringify(String(v));
  }
}
