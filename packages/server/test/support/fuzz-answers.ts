/**
 * What the fuzz suites accept as an answer to a generated request: anything below 500, JSON, and
 * for every 4xx exactly Nakama's `{code, message}` with the headers its status promises.
 */

export interface FuzzAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  method: string;
  /** Bytes of request body sent (a 413 may close the connection while a large body is still going out). */
  bodyBytes?: number;
  /** The media type of a successful answer when the route does not answer JSON (`/metrics`, `/api`). */
  produces?: string;
}

/** Largest body the server reads (`socket.max_request_size_bytes` default). */
export const MAX_BODY_BYTES = 262_144;

/** Undefined when the answer is acceptable; otherwise what is wrong with it. */
export function checkAnswer(a: FuzzAnswer): string | undefined {
  if (a.status === -1) return (a.bodyBytes ?? 0) > MAX_BODY_BYTES ? undefined : `connection dropped (${a.text}) for a body of ${a.bodyBytes ?? 0} bytes`;
  if (a.status >= 500) return `status ${a.status}: ${a.text.slice(0, 300)}`;
  if (a.method === "HEAD" || a.status === 204) return undefined;
  if (a.produces !== undefined && a.status < 400 && String(a.headers["content-type"]).startsWith(a.produces)) return undefined;
  if (a.headers["content-type"] !== "application/json") return `status ${a.status} with content-type ${String(a.headers["content-type"])}`;
  let body: unknown;
  try {
    body = JSON.parse(a.text);
  } catch {
    return `status ${a.status} with a body that is not JSON: ${a.text.slice(0, 200)}`;
  }
  if (a.status < 400) return undefined;
  if (typeof body !== "object" || body === null || Array.isArray(body)) return `status ${a.status}: error body is not an object: ${a.text.slice(0, 200)}`;
  const keys = Object.keys(body).sort().join(",");
  if (keys !== "code,message") return `status ${a.status}: error body keys are ${keys}, not code,message`;
  const { code, message } = body as { code: unknown; message: unknown };
  if (!Number.isInteger(code) || (code as number) < 1 || (code as number) > 16) return `status ${a.status}: code ${JSON.stringify(code)}`;
  if (typeof message !== "string" || message === "") return `status ${a.status}: message ${JSON.stringify(message)}`;
  if (a.status === 401 && !a.headers["www-authenticate"]) return "401 without WWW-Authenticate";
  if (a.status === 405 && !a.headers["allow"]) return "405 without Allow";
  if (a.status === 429 && !a.headers["retry-after"]) return "429 without Retry-After";
  return undefined;
}
