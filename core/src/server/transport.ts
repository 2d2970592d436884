import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_DEPTH, nestingDepth } from '../util/bounded.js';
import { authorise } from './auth.js';
import { ApiError, sendApiError } from './errors.js';
import type { Route } from './routes.js';
import { readBody } from '../gateway/http.js';

/**
 * What one client may ask of the server. Bodies are JSON conversations (8 MiB holds a long
 * one with a few inline images); requests in flight include open streams, so a run that
 * streams for minutes holds its slot until it ends.
 */
export const SERVE_LIMITS = {
  bodyBytes: 8 * 1024 * 1024,
  /** Requests handled at once; more are answered 429 at once. */
  maxConcurrent: 16,
  headersTimeoutMs: 10_000,
  /** The whole request (not the response, which may stream for as long as a run) must arrive. */
  requestTimeoutMs: 60_000,
  maxConnections: 64,
};
export type ServeLimits = typeof SERVE_LIMITS;

export interface TransportOptions {
  host: string;
  port: number;
  token?: string;
  routes: Route[];
  limits: ServeLimits;
}

export interface Transport {
  url: string;
  port: number;
  /** Requests being handled right now (streams included). */
  inFlight(): number;
  close(): Promise<void>;
}

/** Discards a body we will not read, so the client can read the answer. */
function discard(req: IncomingMessage) {
  req.on('error', () => {}).resume();
}

/**
 * Parses a request body as a JSON object within bounds: JSON only (by content type), nested at
 * most MAX_DEPTH levels (checked on the text, before anything recursive touches it).
 */
function parseJson(req: IncomingMessage, body: Buffer): Record<string, unknown> {
  const type = String(req.headers['content-type'] ?? '');
  if (!/^application\/json\s*(;|$)/i.test(type))
    throw new ApiError(
      415,
      'invalid_request_error',
      `the body must be JSON: send Content-Type: application/json (got ${JSON.stringify(type.slice(0, 80))})`,
      'unsupported_media_type',
    );
  const text = body.toString('utf8');
  if (nestingDepth(text) > MAX_DEPTH)
    throw new ApiError(
      400,
      'invalid_request_error',
      `the request JSON is nested deeper than ${MAX_DEPTH} levels`,
      'nesting_too_deep',
    );
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ApiError(
      400,
      'invalid_request_error',
      `the body is not valid JSON: ${(e as Error).message}`,
      'invalid_json',
    );
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new ApiError(
      400,
      'invalid_request_error',
      'the body must be a JSON object',
      'invalid_json',
    );
  return value as Record<string, unknown>;
}

/**
 * The HTTP side of `gauntlet serve`: authenticate, find the route, enforce the caps, read and
 * parse the JSON body, hand over. Routes never see a request that broke a limit; every
 * refusal is a plain HTTP error in OpenAI's shape.
 */
export async function startTransport(o: TransportOptions): Promise<Transport> {
  const l = o.limits;
  let inFlight = 0;
  let port = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse, signal: AbortSignal) => {
    authorise(req, o.token, () => port);
    const url = new URL(req.url ?? '/', 'http://serve');
    const onPath = o.routes.filter((r) => r.match(url.pathname) !== null);
    const route = onPath.find((r) => r.method === req.method);
    if (!route) {
      if (onPath.length)
        throw new ApiError(
          405,
          'invalid_request_error',
          `${req.method} is not served on ${url.pathname}`,
          'method_not_allowed',
          null,
          { allow: [...new Set(onPath.map((r) => r.method))].join(', ') },
        );
      throw new ApiError(
        404,
        'invalid_request_error',
        `Unknown request URL: ${req.method} ${url.pathname.slice(0, 200)}. This server answers ` +
          'POST /v1/chat/completions, GET /v1/models and GET /v1/runs/{id}',
        'unknown_url',
      );
    }
    let body: Record<string, unknown> | undefined;
    if (route.method === 'POST') {
      const raw = await readBody(req, l.bodyBytes);
      if (raw === undefined)
        throw new ApiError(
          413,
          'invalid_request_error',
          `the request body is over ${l.bodyBytes} bytes`,
          'request_too_large',
          null,
          { connection: 'close' },
        );
      body = parseJson(req, raw);
    }
    await route.handle({ req, res, url, params: route.match(url.pathname)!, body, signal });
  };

  const server: Server = createServer(
    {
      headersTimeout: l.headersTimeoutMs,
      requestTimeout: l.requestTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1000, l.headersTimeoutMs / 2)),
    },
    (req, res) => {
      // Counted until the response ends or the client goes, whichever is first.
      if (inFlight >= l.maxConcurrent) {
        discard(req);
        return sendApiError(
          res,
          new ApiError(
            429,
            'requests',
            `too many requests in flight (${l.maxConcurrent}); retry shortly`,
            'rate_limit_exceeded',
            null,
            { 'retry-after': '1' },
          ),
        );
      }
      inFlight++;
      const ac = new AbortController();
      res.once('close', () => {
        inFlight--;
        // The client went before the answer was whole: whatever serves it stops.
        if (!res.writableFinished) ac.abort();
      });
      handle(req, res, ac.signal).catch((e) => {
        if (res.headersSent) return void res.end();
        // A body left unread (refused before or while reading) is discarded, not buffered.
        if (!req.readableEnded) discard(req);
        if (e instanceof ApiError) return sendApiError(res, e);
        sendApiError(
          res,
          new ApiError(
            500,
            'server_error',
            `internal error: ${(e as Error).message}`,
            'internal_error',
          ),
        );
      });
    },
  );
  server.maxConnections = l.maxConnections;
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(o.port, o.host, () => ok());
  });
  port = (server.address() as AddressInfo).port;
  const shown = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    url: `http://${shown}:${port}`,
    port,
    inFlight: () => inFlight,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}
