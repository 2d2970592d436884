import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { ApiError } from './errors.js';

/** The variable a bearer token is read from unless `--token-env NAME` names another. */
export const TOKEN_ENV = 'GAUNTLET_SERVE_TOKEN';
/** Shorter tokens are refused: the token is all that guards a provider key and a sandbox. */
export const MIN_TOKEN_LENGTH = 16;

/** Loopback: 127.0.0.0/8, ::1 (and its IPv4-mapped form), or the name localhost. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

export class ServeRefused extends Error {}

/**
 * The token the server demands, or undefined (loopback without one). The rule: any address
 * other than loopback needs a token, and serving refuses to start without it; on loopback a
 * token is optional and, when set, required of every request like anywhere else.
 */
export function resolveToken(
  host: string,
  env: NodeJS.ProcessEnv,
  tokenEnv?: string,
): string | undefined {
  const name = tokenEnv ?? TOKEN_ENV;
  const token = env[name] || undefined;
  if (tokenEnv && !token)
    throw new ServeRefused(`--token-env ${tokenEnv}: ${tokenEnv} is not set in the environment`);
  if (!token && !isLoopback(host))
    throw new ServeRefused(
      `refusing to serve on ${host} without a bearer token: any address other than loopback ` +
        `needs one; set ${TOKEN_ENV} (or --token-env NAME) to a random secret of at least ` +
        `${MIN_TOKEN_LENGTH} characters, or bind 127.0.0.1`,
    );
  if (token && token.length < MIN_TOKEN_LENGTH)
    throw new ServeRefused(
      `the bearer token in ${name} is ${token.length} characters; use at least ` +
        `${MIN_TOKEN_LENGTH} (e.g. openssl rand -hex 24)`,
    );
  return token;
}

/** Compares digests, so neither the content nor the length of the token leaks through timing. */
function sameSecret(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

/**
 * Checks a request against the server's token (`Authorization: Bearer`, what the OpenAI
 * clients send). Without a token (loopback only) the Host header must name loopback, so a page
 * elsewhere whose name was rebound to 127.0.0.1 cannot drive the server from a browser.
 */
export function authorise(req: IncomingMessage, token: string | undefined, port: () => number) {
  if (!token) {
    const host = (req.headers.host ?? '').toLowerCase();
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
    if (!m || !isLoopback(m[1]) || (m[2] !== undefined && Number(m[2]) !== port()))
      throw new ApiError(
        421,
        'invalid_request_error',
        'misdirected request: the Host header does not name this loopback server',
        'misdirected_request',
      );
    return;
  }
  const auth = req.headers.authorization;
  const presented =
    typeof auth === 'string' && /^bearer /i.test(auth) ? auth.slice(7).trim() : undefined;
  if (!presented || !sameSecret(presented, token))
    throw new ApiError(
      401,
      'invalid_request_error',
      presented
        ? 'Incorrect API key provided: this server wants the token it was started with'
        : 'You did not provide an API key: send Authorization: Bearer <token>',
      'invalid_api_key',
      null,
      { 'www-authenticate': 'Bearer' },
    );
}
