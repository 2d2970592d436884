import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Probot } from 'probot';
import { MAX_WEBHOOK_BYTES, readCappedBody } from './body-limit.js';
import { deliveryLine, reasonOf } from './log-reason.js';
import { looksLikeSignature, signatureMatches } from './signature.js';

export interface WebhookServerOptions {
  /** A Probot with the App already loaded; deliveries go to its handlers once verified. */
  probot: Probot;
  /** WEBHOOK_SECRET: the key of X-Hub-Signature-256. */
  secret: string;
  path?: string;
  /** Bodies over this many bytes are refused unread (default: GitHub's 25 MB cap). */
  maxBytes?: number;
}

type Receive = Parameters<Probot['webhooks']['receive']>[0];

const JSON_TYPE = /^\s*application\/json\s*(?:;|$)/i;

/**
 * The App's HTTP server. It stands in front of Probot's handlers instead of
 * @octokit/webhooks' middleware, which buffers any body whole before checking anything and
 * logs the full payload of every delivery it refuses. Here, in order: the Content-Length is
 * checked before any byte is read, the body is read with a byte counter that stops at the
 * cap, the signature is checked on the raw bytes before JSON is parsed, and every refusal is
 * logged as event name, delivery id and reason, never with the body.
 */
export function createWebhookServer(o: WebhookServerOptions): Server {
  const path = o.path ?? '/api/github/webhooks';
  const max = o.maxBytes ?? MAX_WEBHOOK_BYTES;
  const limit = `${Math.round(max / (1024 * 1024))} MB`;
  const log = o.probot.log;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/ping' && req.method === 'GET') return answer(res, 200, 'PONG\n');
    if (url.pathname !== path) return answer(res, 404, 'not found\n', true);
    if (req.method !== 'POST') return answer(res, 405, 'POST only\n', true);
    const event = header(req, 'x-github-event');
    const delivery = header(req, 'x-github-delivery');
    const signature = header(req, 'x-hub-signature-256');
    const refuse = (status: number, reason: string, extra: Record<string, number> = {}) => {
      log.warn({ ...deliveryLine(event, delivery, reason), ...extra }, 'gauntlet: webhook refused');
      answer(res, status, `${reason}\n`, true);
    };
    if (!event || !delivery) {
      return refuse(400, 'X-GitHub-Event and X-GitHub-Delivery are required');
    }
    if (!JSON_TYPE.test(header(req, 'content-type') ?? '')) {
      return refuse(415, 'Content-Type must be application/json (set it in the webhook settings)');
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > max) {
      return refuse(413, `body of ${declared} bytes is over the ${limit} limit (GitHub's cap)`);
    }
    // No signature worth checking: refuse before reading a byte of the body.
    if (!looksLikeSignature(signature)) {
      return refuse(401, 'X-Hub-Signature-256 is missing or not sha256=<64 hex digits>');
    }
    const read = await readCappedBody(req, max);
    if ('tooLarge' in read) {
      return refuse(413, `body is over the ${limit} limit (GitHub's cap); stopped reading`, {
        bytes_read: read.bytesRead,
      });
    }
    if (!signatureMatches(o.secret, read.body, signature)) {
      return refuse(401, 'X-Hub-Signature-256 does not match the body: check WEBHOOK_SECRET');
    }
    let payload: unknown;
    try {
      payload = JSON.parse(read.body.toString('utf8'));
    } catch {
      return refuse(400, 'the body is not valid JSON');
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      return refuse(400, 'the body is not a JSON object');
    }
    try {
      await o.probot.webhooks.receive({ id: delivery, name: event, payload } as Receive);
    } catch (e) {
      log.error(deliveryLine(event, delivery, reasonOf(e)), 'gauntlet: delivery failed');
      return answer(res, 500, 'the delivery could not be handled\n');
    }
    answer(res, 200, 'ok\n');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      const event = header(req, 'x-github-event');
      const line = deliveryLine(event, header(req, 'x-github-delivery'), reasonOf(e));
      log.warn(line, 'gauntlet: webhook dropped');
      if (!res.headersSent) answer(res, 400, 'the request could not be read\n', true);
      else req.socket.destroy();
    });
  });
  // GitHub waits 10 s for an answer; a client that trickles its headers or body is cut off.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return server;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/**
 * Answers in plain text. `close` ends the connection once the answer is out, so a body left
 * unread (refused for its size or signature) is never drained from the socket.
 */
function answer(res: ServerResponse, status: number, text: string, close = false): void {
  const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
  if (close) headers.connection = 'close';
  res.writeHead(status, headers).end(text, () => {
    if (close) res.socket?.destroy();
  });
}
