import type { IncomingMessage, ServerResponse } from 'node:http';

/** A matched request as a route sees it: the body already read, bounded and parsed. */
export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The parts of the path the route's pattern named. */
  params: string[];
  /** POST routes: the JSON object sent. */
  body?: Record<string, unknown>;
  /** Aborted when the client disconnects before its answer is whole. */
  signal: AbortSignal;
}

/**
 * One entry of the route table. Routes register here; the transport never learns their names.
 * POST routes get a JSON body; GET routes none.
 */
export interface Route {
  method: 'GET' | 'POST';
  match(path: string): string[] | null;
  handle(ctx: RouteContext): Promise<void> | void;
}

export const exact =
  (p: string) =>
  (path: string): string[] | null =>
    path === p || path === `${p}/` ? [] : null;

export const pattern =
  (re: RegExp) =>
  (path: string): string[] | null =>
    re.exec(path)?.slice(1) ?? null;
