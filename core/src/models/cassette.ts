import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { sha256, stableStringify } from '../util/hash.js';
import type { WireFormat } from './wire.js';

/** One recorded model exchange. Bodies are stored after redaction of the provider key. */
export interface CassetteEntry {
  key: string;
  format: WireFormat;
  path: string;
  request: unknown;
  status: number;
  content_type: string;
  body: string;
}

/**
 * Record every model exchange of a live run to a JSONL file, or replay one. Requests are
 * matched by content (not order), so concurrent runs replay deterministically; identical
 * requests are served in recorded order.
 */
export class Cassette {
  private readonly entries = new Map<string, CassetteEntry[]>();
  private readonly served = new Map<string, number>();

  /**
   * `redact` is the suite's redactor: a cassette is a stored artifact like a record, so what is
   * written is redacted, and keys are computed over redacted requests (a replay with other
   * secret values still matches).
   */
  constructor(
    readonly mode: 'record' | 'replay',
    readonly file: string,
    private readonly redact: (text: string) => string = (t) => t,
  ) {
    if (mode === 'replay') {
      if (!existsSync(file))
        throw new Error(`cassette ${file} does not exist; record one with --record-cassette`);
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        const e = JSON.parse(line) as CassetteEntry;
        this.entries.set(e.key, [...(this.entries.get(e.key) ?? []), e]);
      }
    } else mkdirSync(dirname(file), { recursive: true });
  }

  /** The key of a live request, over its redacted form. */
  keyOf(format: WireFormat, path: string, body: unknown): string {
    return Cassette.key(format, path, JSON.parse(this.redact(JSON.stringify(body ?? null))));
  }

  static key(format: WireFormat, path: string, body: unknown): string {
    // Per-session ids (Claude Code's metadata.user_id, Codex's prompt_cache_key, client_metadata
    // and input item ids) do not change the answer.
    const {
      metadata: _m,
      prompt_cache_key: _p,
      client_metadata: _c,
      ...rest
    } = (body ?? {}) as Record<string, unknown>;
    if (Array.isArray(rest.input))
      rest.input = rest.input.map((i) =>
        i && typeof i === 'object' ? { ...i, id: undefined } : i,
      );
    return sha256(`${format} ${path.split('?')[0]} ${stableStringify(rest)}`).slice(0, 32);
  }

  find(key: string): CassetteEntry | undefined {
    const list = this.entries.get(key);
    if (!list) return undefined;
    const n = this.served.get(key) ?? 0;
    this.served.set(key, n + 1);
    return list[Math.min(n, list.length - 1)];
  }

  record(entry: CassetteEntry) {
    appendFileSync(this.file, this.redact(JSON.stringify(entry)) + '\n');
  }
}
