import { isIP } from 'node:net';
import { MAX_DEPTH, nestingDepth } from '../util/bounded.js';
import { didYouMean } from '../util/suggest.js';

/** A config problem at a path inside the value checked (for file:line:column reporting). */
type Problem = { path: (string | number)[]; message: string };

/** The largest endpoint answer kept; the body is read incrementally and dropped past it. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;
/** An endpoint's `timeout` in seconds: the default and the bounds. */
export const DEFAULT_ENDPOINT_TIMEOUT_S = 30;
export const MAX_ENDPOINT_TIMEOUT_S = 300;
/** How much of a failed answer's body the error quotes. */
const ERROR_BODY_CHARS = 300;

/** A passthrough tool's endpoint, secrets already resolved by the caller. */
export interface EndpointBinding {
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

/** What the hop gave: the endpoint's answer, or why there is none (the row's transport_error). */
export type ForwardResult =
  | { ok: true; status: number; body: unknown; ms: number }
  | { ok: false; error: string; status?: number; ms: number };

/** Connection failures by their system code, as the error tells them. */
const CONNECT_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is the endpoint running?)',
  ECONNRESET: 'the connection was reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_SOCKET: 'the connection closed before a full answer',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the TLS certificate is self-signed',
  CERT_HAS_EXPIRED: 'the TLS certificate has expired',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the TLS certificate cannot be verified',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the TLS certificate does not match the host',
};

class BodyTooLarge extends Error {}

/** The body as text, read chunk by chunk and abandoned (the stream cancelled) past `max` bytes. */
async function readCapped(res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (declared > max) {
    await res.body?.cancel().catch(() => undefined);
    throw new BodyTooLarge();
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLarge();
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

const isJsonType = (type: string | null) => !!type && /^[^;]*[/+]json\s*(;|$)/i.test(type);

/**
 * The answer's body: JSON when the content type says so (it must then parse, within the
 * nesting bound every host consumer relies on), else the text as sent; an empty body is null.
 */
function parseBody(text: string, type: string | null): { body: unknown } | { error: string } {
  if (!text) return { body: null };
  if (!isJsonType(type)) return { body: text };
  if (nestingDepth(text) > MAX_DEPTH)
    return { error: `its JSON answer nests deeper than ${MAX_DEPTH} levels` };
  try {
    return { body: JSON.parse(text) };
  } catch {
    return { error: `it answered ${type} that is not valid JSON` };
  }
}

/**
 * Forwards one passthrough call: POSTs the arguments as JSON to the bound endpoint and reads
 * its answer. A 2xx answer is ok. Everything else is a transport error with a message naming
 * the endpoint by host only (the URL's path and query may carry secrets): a non-2xx status, a
 * redirect (never followed: a bound endpoint that moves must be re-bound, not chased), an answer
 * over MAX_RESPONSE_BYTES, invalid JSON, a timeout (covering the whole exchange, body included),
 * a refused or broken connection, or the caller's signal.
 */
export async function forwardToEndpoint(
  binding: EndpointBinding,
  args: unknown,
  opts: { signal?: AbortSignal } = {},
): Promise<ForwardResult> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const fail = (error: string, status?: number): ForwardResult => ({
    ok: false,
    error,
    ...(status === undefined ? {} : { status }),
    ms: ms(),
  });
  let host: string;
  try {
    host = new URL(binding.url).host;
  } catch {
    return fail('the endpoint URL is not a valid URL');
  }
  const name = `endpoint ${host}`;
  let payload: string;
  let headers: Headers;
  try {
    payload = JSON.stringify(args ?? null);
  } catch (e) {
    return fail(`the arguments cannot be sent as JSON: ${(e as Error).message}`);
  }
  try {
    headers = new Headers(binding.headers);
  } catch {
    // The value may be a secret: the message names no header value.
    return fail(`${name}: a configured header is not a valid HTTP header`);
  }
  if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  if (!headers.has('accept')) headers.set('accept', 'application/json, text/plain;q=0.9');
  const timeout = AbortSignal.timeout(binding.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  try {
    const res = await fetch(binding.url, {
      method: 'POST',
      headers,
      body: payload,
      redirect: 'manual',
      signal,
    });
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel().catch(() => undefined);
      return fail(
        `${name} answered a redirect (${res.status}); redirects are not followed: bind the ` +
          'URL it redirects to',
        res.status,
      );
    }
    const text = await readCapped(res, MAX_RESPONSE_BYTES);
    if (!res.ok) {
      const quote = text.trim().slice(0, ERROR_BODY_CHARS);
      return fail(`${name} answered ${res.status}${quote ? `: ${quote}` : ''}`, res.status);
    }
    const parsed = parseBody(text, res.headers.get('content-type'));
    if ('error' in parsed) return fail(`${name}: ${parsed.error}`, res.status);
    return { ok: true, status: res.status, body: parsed.body, ms: ms() };
  } catch (e) {
    if (e instanceof BodyTooLarge)
      return fail(`${name} answered more than ${MAX_RESPONSE_BYTES} bytes; the answer was dropped`);
    if (timeout.aborted)
      return fail(`${name} did not answer within ${binding.timeoutMs / 1000} s (its timeout)`);
    if (opts.signal?.aborted) return fail(`the call to ${name} was cancelled`);
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const code = cause?.code ?? '';
    const why =
      (Object.hasOwn(CONNECT_ERRORS, code) ? CONNECT_ERRORS[code] : code) || (e as Error).message;
    return fail(`cannot reach ${name}: ${why}`);
  }
}

// ── config checks ──────────────────────────────────────────────────────────────────────────

const ENDPOINT_KEYS = ['url', 'headers', 'timeout'];
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;
const MAX_HEADER_VALUE_CHARS = 8192;
/** Headers the host's HTTP client owns: a configured value would corrupt the request. */
const MANAGED_HEADERS = ['host', 'content-length', 'transfer-encoding', 'connection', 'upgrade'];

/**
 * Plain http is allowed only to the machine itself: 127.0.0.0/8, ::1 and `localhost`. Anything
 * that leaves the machine goes over https, as the seeds require of every bound URL.
 */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

function urlProblem(v: unknown): string | undefined {
  if (typeof v !== 'string') return 'must be an https:// URL';
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return `not a URL: ${JSON.stringify(v.slice(0, 200))}`;
  }
  if (url.username || url.password)
    return 'credentials in the URL (user:pass@) are not allowed; send them in headers, from a secret';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:')
    return isLoopbackHost(url.hostname)
      ? undefined
      : 'plain http is allowed only to loopback (127.0.0.1, ::1, localhost); use https';
  return `only https:// URLs are allowed (got ${url.protocol.replace(':', '')})`;
}

/** `{ secret: NAME }` (the config's SecretRef), checked here so world/ needs nothing of config/. */
const isSecretRef = (v: unknown) =>
  typeof v === 'object' &&
  v !== null &&
  Object.keys(v).length === 1 &&
  typeof (v as { secret?: unknown }).secret === 'string';

function headerProblems(v: unknown): Problem[] {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return [{ path: ['headers'], message: 'must be a mapping of header names to values' }];
  const out: Problem[] = [];
  for (const [name, value] of Object.entries(v)) {
    const path = ['headers', name];
    if (!HEADER_NAME.test(name)) out.push({ path, message: 'not a valid HTTP header name' });
    else if (MANAGED_HEADERS.includes(name.toLowerCase()))
      out.push({ path, message: `${name} is set by the HTTP client; remove it` });
    if (isSecretRef(value)) continue;
    if (typeof value !== 'string')
      out.push({ path, message: 'must be a text or { secret: NAME }' });
    else if (/[\r\n\0]/.test(value) || value.length > MAX_HEADER_VALUE_CHARS)
      out.push({
        path,
        message: `must be one line of at most ${MAX_HEADER_VALUE_CHARS} characters`,
      });
  }
  return out;
}

/**
 * What is wrong with a passthrough tool's `endpoint` as written; empty when it is valid. Paths
 * are relative to the endpoint. https is required, plain http only to loopback; no user:pass@.
 */
export function endpointProblems(endpoint: unknown): Problem[] {
  if (typeof endpoint !== 'object' || endpoint === null || Array.isArray(endpoint))
    return [{ path: [], message: 'must be a mapping with url (and headers, timeout)' }];
  const e = endpoint as Record<string, unknown>;
  const out: Problem[] = [];
  for (const key of Object.keys(e)) {
    if (ENDPOINT_KEYS.includes(key)) continue;
    const guess = didYouMean(key, ENDPOINT_KEYS);
    out.push({
      path: [key],
      message: `unknown key "${key}"${guess ? `; did you mean "${guess}"?` : ''} (allowed: ${ENDPOINT_KEYS.join(', ')})`,
    });
  }
  if (!Object.hasOwn(e, 'url')) out.push({ path: [], message: 'missing required key "url"' });
  else {
    const message = urlProblem(e.url);
    if (message) out.push({ path: ['url'], message });
  }
  if (Object.hasOwn(e, 'headers')) out.push(...headerProblems(e.headers));
  if (
    Object.hasOwn(e, 'timeout') &&
    !(typeof e.timeout === 'number' && e.timeout >= 1 && e.timeout <= MAX_ENDPOINT_TIMEOUT_S)
  )
    out.push({
      path: ['timeout'],
      message: `must be a number of seconds from 1 to ${MAX_ENDPOINT_TIMEOUT_S} (default ${DEFAULT_ENDPOINT_TIMEOUT_S})`,
    });
  return out;
}
