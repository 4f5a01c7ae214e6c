/**
 * The one way the server calls a sign-in provider over HTTP (keys, discovery documents, Graph
 * API, token exchange, Game Center certificates): a time limit per call, a cap on the answer's
 * size, and one rule for what counts as an outage. A network error, a time-out, a 5xx or 429, or
 * a 2xx that is not what was asked for is `ProviderUnavailableError`; a 4xx is returned to the
 * caller, which knows what the provider means by it (the Graph API answers 400 to a bad token).
 */
import { ProviderUnavailableError } from "./provider-errors.js";

/** Larger answers are refused: no provider's keys, certificate or profile come near it. */
export const MAX_PROVIDER_RESPONSE_BYTES = 1024 * 1024;

export interface ProviderRequest {
  /** Named in errors and logs: "Apple keys", "Facebook Graph API". */
  readonly service: string;
  readonly url: string;
  readonly timeoutMs: number;
  readonly method?: "GET" | "POST";
  /** A form body (`application/x-www-form-urlencoded`), for token exchanges. */
  readonly form?: Readonly<Record<string, string>>;
  /** An OAuth access token sent as `Authorization: Bearer`. */
  readonly bearer?: string;
}

export interface ProviderResponse<T> {
  readonly status: number;
  readonly body: T;
  /** `Cache-Control: max-age` in seconds, when the provider sent one. */
  readonly maxAgeSec: number | undefined;
}

/** Calls a provider and reads its answer as JSON. */
export async function fetchProviderJson(request: ProviderRequest): Promise<ProviderResponse<unknown>> {
  const answer = await fetchProvider(request);
  const text = answer.body.toString("utf8");
  try {
    return { ...answer, body: JSON.parse(text) as unknown };
  } catch {
    // A 4xx page of HTML is still the provider saying no; a 2xx that is not JSON is not an answer.
    if (answer.status >= 400) return { ...answer, body: undefined };
    throw new ProviderUnavailableError(request.service, `answered HTTP ${answer.status} with a body that is not JSON`);
  }
}

/** Calls a provider and reads its answer's bytes (a certificate). */
export async function fetchProvider(request: ProviderRequest): Promise<ProviderResponse<Buffer>> {
  const { service, url, timeoutMs, form, bearer } = request;
  const headers: Record<string, string> = { accept: "application/json" };
  if (form !== undefined) headers["content-type"] = "application/x-www-form-urlencoded";
  if (bearer !== undefined) headers["authorization"] = `Bearer ${bearer}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: request.method ?? (form === undefined ? "GET" : "POST"),
      headers,
      ...(form === undefined ? {} : { body: new URLSearchParams(form).toString() }),
      redirect: "error",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new ProviderUnavailableError(service, describeFetchError(err, timeoutMs));
  }
  if (response.status >= 500 || response.status === 429) {
    await response.body?.cancel().catch(() => undefined);
    throw new ProviderUnavailableError(service, `answered HTTP ${response.status}`);
  }
  const body = await readCapped(response, service, timeoutMs);
  if (response.status >= 300 && response.status < 400)
    throw new ProviderUnavailableError(service, `answered HTTP ${response.status} (redirects are not followed)`);
  return { status: response.status, body, maxAgeSec: maxAgeOf(response.headers.get("cache-control")) };
}

async function readCapped(response: Response, service: string, timeoutMs: number): Promise<Buffer> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > MAX_PROVIDER_RESPONSE_BYTES) {
    await response.body?.cancel().catch(() => undefined);
    throw new ProviderUnavailableError(service, `answer of ${declared} bytes is larger than ${MAX_PROVIDER_RESPONSE_BYTES}`);
  }
  if (response.body === null) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  // A reader rather than `for await`: @types/node 20 does not declare fetch bodies async-iterable.
  const reader = response.body.getReader();
  try {
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      size += read.value.byteLength;
      if (size > MAX_PROVIDER_RESPONSE_BYTES) {
        await reader.cancel().catch(() => undefined);
        throw new ProviderUnavailableError(service, `answer is larger than ${MAX_PROVIDER_RESPONSE_BYTES} bytes`);
      }
      chunks.push(Buffer.from(read.value));
    }
  } catch (err) {
    if (err instanceof ProviderUnavailableError) throw err;
    throw new ProviderUnavailableError(service, describeFetchError(err, timeoutMs));
  }
  return Buffer.concat(chunks);
}

function describeFetchError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError" || e.name === "AbortError") return `no answer within ${timeoutMs} ms`;
  const cause = e.cause?.code ?? e.cause?.message;
  return cause === undefined ? (e.message ?? "request failed") : `request failed (${cause})`;
}

function maxAgeOf(cacheControl: string | null): number | undefined {
  const m = cacheControl === null ? null : /(?:^|[,\s])max-age=(\d+)/i.exec(cacheControl);
  return m === null ? undefined : Number(m[1]);
}
