import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ModelCall } from '../models/wire.js';
import { clipHead, plainLine } from '../util/untrusted-text.js';

/** One passthrough call as kept: what it cost and how it went, never what was said. */
export type PassthroughEntry = Pick<
  ModelCall,
  | 'id'
  | 'provider'
  | 'model'
  | 'stream'
  | 'status'
  | 'input_tokens'
  | 'output_tokens'
  | 'cost_usd'
  | 'price_unknown'
  | 'latency_ms'
> & {
  at: string;
  /** Set when the client went before the answer was whole. */
  cancelled?: true;
};

/**
 * Records passthrough calls as the judge's host calls are recorded (tokens, cost, latency,
 * status), without their content: the conversation is the client's, and the results directory
 * may be shared. One JSON line per call in `<results>/serve/passthrough.jsonl`, and one log
 * line. Content can be kept on purpose with a cassette (--record-cassette).
 */
export class CallLog {
  readonly file: string;
  private queue: Promise<void> = Promise.resolve();
  private readonly open = new Set<Promise<unknown>>();

  constructor(
    resultsDir: string,
    private readonly log: (line: string) => void,
    private readonly redact: (text: string) => string,
  ) {
    this.file = join(resultsDir, 'serve', 'passthrough.jsonl');
  }

  /** Tracks a call from before it starts until it is recorded, for flush(). */
  watch<T>(p: Promise<T>): Promise<T> {
    this.open.add(p);
    const forget = () => void this.open.delete(p);
    p.then(forget, forget);
    return p;
  }

  /** Resolves once every call watched so far is recorded. */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.open]);
    await this.queue;
  }

  record(call: ModelCall, cancelled = false): Promise<void> {
    const entry: PassthroughEntry = {
      at: call.started_at,
      id: call.id,
      provider: call.provider,
      model: call.model,
      stream: call.stream,
      status: call.status,
      input_tokens: call.input_tokens,
      output_tokens: call.output_tokens,
      cost_usd: call.cost_usd,
      ...(call.price_unknown ? { price_unknown: true as const } : {}),
      latency_ms: call.latency_ms,
      ...(cancelled ? { cancelled: true as const } : {}),
    };
    // The model name is the client's: one inert, bounded line, whatever it holds.
    const model = plainLine(clipHead(entry.model, 200));
    this.log(
      this.redact(
        `passthrough ${entry.provider} ${model} ${cancelled ? 'cancelled' : entry.status} ` +
          `${entry.input_tokens}+${entry.output_tokens} tokens ` +
          `${entry.price_unknown ? 'cost unknown' : `$${entry.cost_usd.toFixed(6)}`} ${entry.latency_ms} ms`,
      ),
    );
    const line = this.redact(JSON.stringify(entry)) + '\n';
    // Appends are serialised so concurrent calls never interleave within a line.
    this.queue = this.queue
      .then(async () => {
        await mkdir(dirname(this.file), { recursive: true });
        await appendFile(this.file, line);
      })
      .catch((e) => this.log(`passthrough log not written: ${(e as Error).message}`));
    return this.queue;
  }
}
