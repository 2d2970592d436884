import { describe, expect, it } from 'vitest';
import { Redactor } from './redact.js';

const SECRET = 'sk-live-Very$ecret/"value"+42';

describe('redaction', () => {
  const r = new Redactor([SECRET]);
  it.each([
    ['raw', `token=${SECRET};`],
    ['JSON-escaped', JSON.stringify({ k: SECRET })],
    ['URL-encoded', `https://x/?t=${encodeURIComponent(SECRET)}`],
    ['base64', Buffer.from(SECRET).toString('base64')],
    ['base64 inside a longer blob (offset 1)', Buffer.from(`a${SECRET}zz`).toString('base64')],
    ['base64 inside a longer blob (offset 2)', Buffer.from(`ab:${SECRET}`).toString('base64')],
    ['base64url', Buffer.from(`xy${SECRET}`).toString('base64url')],
  ])('removes the %s form', (_name, text) => {
    const out = r.text(text);
    expect(out).toContain('***');
    expect(out).not.toContain(SECRET);
    // No long run of the secret's base64 survives either.
    expect(out).not.toContain(Buffer.from(SECRET).toString('base64').slice(4, 20));
  });

  it('redacts nested values and keeps the rest intact', () => {
    expect(r.value({ a: [{ b: `x ${SECRET} y` }], c: 'keep' })).toEqual({ a: [{ b: 'x *** y' }], c: 'keep' });
  });
});
