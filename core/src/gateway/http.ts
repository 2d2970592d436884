import type { IncomingMessage, ServerResponse } from 'node:http';

export function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** The error body every gateway route answers with: `{error: {type, message}}`. */
export function sendError(res: ServerResponse, status: number, type: string, message: string) {
  send(res, status, { error: { type, message } });
}

/** The body, or undefined as soon as it passes `cap` (declared or counted): nothing more is read. */
export async function readBody(req: IncomingMessage, cap: number): Promise<Buffer | undefined> {
  if (Number(req.headers['content-length'] ?? 0) > cap) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > cap) return undefined;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Drains a refused body (not buffered) so the client can read the answer. */
export async function drain(req: IncomingMessage): Promise<void> {
  req.resume();
  await new Promise((r) => req.once('end', r).once('close', r).once('error', r));
}

/** The caller's actor_id path from the `x-gauntlet-actor` header, clipped. */
export function actorOf(req: IncomingMessage): string | undefined {
  const a = req.headers['x-gauntlet-actor'];
  return typeof a === 'string' && a ? a.slice(0, 256) : undefined;
}
