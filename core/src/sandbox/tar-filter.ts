import { Transform, type TransformCallback } from 'node:stream';

const BLOCK = 512;
/** Extended headers (PAX, GNU long names) are small; anything larger is not a sane archive. */
const MAX_META = 1 << 20;

/** A numeric header field: octal text, or GNU base-256 (high bit set) past 8 GiB. */
function num(b: Buffer): number {
  if (b[0] & 0x80) return b.subarray(1).reduce((n, x) => n * 256 + x, 0);
  const text = b
    .toString('latin1')
    .replace(/\0[\s\S]*$/, '')
    .trim();
  return text ? parseInt(text, 8) : 0;
}

const str = (b: Buffer) => {
  const end = b.indexOf(0);
  return b.subarray(0, end < 0 ? b.length : end).toString('utf8');
};
const padded = (n: number) => Math.ceil(n / BLOCK) * BLOCK;
const normal = (name: string) => name.replace(/^(\.\/)+/, '');

/** The path a PAX extended header sets, if any ("<len> path=<value>\n" records). */
function paxPath(data: Buffer): string | undefined {
  const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'));
  return m?.[1];
}

/**
 * Drops the named members from a tar stream and passes every other byte through unchanged
 * (headers, extended headers, padding, the end-of-archive blocks), without holding more than
 * a header in memory: a dropped member of hundreds of MB is skipped as it streams past.
 */
export class TarFilter extends Transform {
  private readonly dropped: Set<string>;
  private buf = Buffer.alloc(0);
  /** Extended-header entries waiting for the member they describe. */
  private held: Buffer[] = [];
  private name?: string;
  private meta?: { header: Buffer; type: string; need: number };
  private data = 0;
  private keep = true;
  private ended = false;

  constructor(drop: Iterable<string>) {
    super();
    this.dropped = new Set([...drop].map(normal));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.consume(chunk);
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    if (this.buf.length || this.data || this.meta) {
      return done(new Error('the tar stream ended mid-entry'));
    }
    done();
  }

  private consume(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.ended) return void this.push(chunk.subarray(at));
      if (this.data > 0) {
        const n = Math.min(this.data, chunk.length - at);
        if (this.keep) this.push(chunk.subarray(at, at + n));
        this.data -= n;
        at += n;
        continue;
      }
      const need = this.meta ? this.meta.need : BLOCK;
      const take = Math.min(need - this.buf.length, chunk.length - at);
      this.buf = Buffer.concat([this.buf, chunk.subarray(at, at + take)]);
      at += take;
      if (this.buf.length < need) continue;
      const block = this.buf;
      this.buf = Buffer.alloc(0);
      if (this.meta) this.endMeta(block);
      else this.header(block);
    }
  }

  private header(h: Buffer): void {
    if (h.every((b) => b === 0)) {
      // End of archive: the rest (a second zero block, padding) passes as it is.
      this.ended = true;
      this.push(h);
      return;
    }
    const type = String.fromCharCode(h[156] || 0x30);
    const size = num(h.subarray(124, 136));
    if (type === 'x' || type === 'L' || type === 'K') {
      if (size > MAX_META) throw new Error(`a tar extended header of ${size} bytes`);
      this.meta = { header: h, type, need: padded(size) };
      if (!this.meta.need) this.endMeta(Buffer.alloc(0));
      return;
    }
    if (type === 'g') {
      this.push(h);
      this.data = padded(size);
      this.keep = true;
      return;
    }
    const prefix = str(h.subarray(345, 500));
    const base = str(h.subarray(0, 100));
    const name = this.name ?? (prefix ? `${prefix}/${base}` : base);
    this.keep = !this.dropped.has(normal(name));
    if (this.keep) for (const b of [...this.held, h]) this.push(b);
    this.held = [];
    this.name = undefined;
    this.data = padded(size);
  }

  private endMeta(data: Buffer): void {
    const { header, type } = this.meta!;
    this.meta = undefined;
    const size = num(header.subarray(124, 136));
    if (type === 'x') this.name = paxPath(data.subarray(0, size)) ?? this.name;
    if (type === 'L') this.name = str(data.subarray(0, size));
    this.held.push(header, data);
  }
}
