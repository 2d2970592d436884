import { createHash, randomBytes } from 'node:crypto';

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Stable JSON: object keys sorted, so equal configs hash equally. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** Sortable id: time prefix then randomness (ULID-like, lower case). */
export function newId(prefix = ''): string {
  let t = Date.now();
  let time = '';
  for (let i = 0; i < 9; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const rnd = [...randomBytes(6)].map((b) => ALPHABET[b % 32]).join('');
  return prefix + time + rnd;
}
