import type { ServerResponse } from 'node:http';
import { newId } from '../util/hash.js';
import { errorBody } from './errors.js';

/** Progress chunks are dropped (and counted) while this much is waiting for a slow client. */
const BACKLOG_BYTES = 1024 * 1024;
/** An SSE comment this often keeps proxies from closing a stream while a sandbox starts. */
const HEARTBEAT_MS = 15_000;

/**
 * Writes one `chat.completion.chunk` stream: the SSE framing OpenAI clients parse (`data:
 * {json}\n\n`, ended by `data: [DONE]`), one id and creation time for every chunk. Progress may
 * be dropped under backpressure; the final content, usage, an error and [DONE] never are.
 */
export class ChunkStream {
  readonly id = `chatcmpl-${newId()}`;
  readonly created = Math.floor(Date.now() / 1000);
  dropped = 0;
  private readonly beat: NodeJS.Timeout;
  private ended = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly model: string,
  ) {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
    });
    res.flushHeaders();
    this.beat = setInterval(() => this.write(': keep-alive\n\n'), HEARTBEAT_MS).unref();
  }

  private write(text: string) {
    if (this.ended || this.res.destroyed) return;
    this.res.write(text);
  }

  private data(obj: unknown) {
    this.write(`data: ${JSON.stringify(obj)}\n\n`);
  }

  /** A chunk with one choice; `extra` carries vendor fields beside `choices`. */
  chunk(
    delta: Record<string, unknown>,
    o: { finish?: string | null; extra?: Record<string, unknown>; droppable?: boolean } = {},
  ) {
    if (o.droppable && this.res.writableLength > BACKLOG_BYTES) {
      this.dropped++;
      return;
    }
    this.data({
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: o.finish ?? null }],
      ...o.extra,
    });
  }

  /** The usage chunk: no choices, as OpenAI sends it with `stream_options.include_usage`. */
  usage(usage: Record<string, number>, extra: Record<string, unknown> = {}) {
    this.data({
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [],
      usage,
      ...extra,
    });
  }

  /** An error after the stream began: one chunk with an `error` object, then [DONE]. */
  error(message: string, type: string, code: string | null = null) {
    this.data(errorBody(message, type, code));
    this.done();
  }

  done() {
    this.write('data: [DONE]\n\n');
    this.ended = true;
    clearInterval(this.beat);
    if (!this.res.destroyed) this.res.end();
  }

  /** The client went: stop writing, stop the heartbeat. */
  close() {
    this.ended = true;
    clearInterval(this.beat);
  }
}
