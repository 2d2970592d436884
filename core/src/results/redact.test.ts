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

  it.each([
    ['hex', Buffer.from(SECRET).toString('hex')],
    ['HEX', Buffer.from(SECRET).toString('hex').toUpperCase()],
  ])('removes the %s form', (_name, form) => {
    expect(r.text(`k=${form};`)).toBe('k=***;');
  });

  it('leaves no readable base64 edge of the secret behind, at any alignment', () => {
    // Secrets of each length mod 3 end in a partial group (`…NDI=`): masked with the rest.
    for (const secret of [SECRET, SECRET.slice(1), SECRET.slice(2)]) {
      const one = new Redactor([secret]);
      expect(one.text(`"${Buffer.from(secret).toString('base64')}"`)).toBe('"***"');
      expect(one.text(`"${Buffer.from(`${secret}x`).toString('base64')}"`)).toBe('"***"');
    }
    // Bytes of other data around it keep only characters that carry none of the secret's bits.
    expect(r.text(Buffer.from(`a${SECRET}`).toString('base64'))).toBe('Y***');
    expect(r.text(Buffer.from(`ab${SECRET}`).toString('base64'))).toBe('YW***');
  });

  it('redacts nested values and keeps the rest intact', () => {
    expect(r.value({ a: [{ b: `x ${SECRET} y` }], c: 'keep' })).toEqual({
      a: [{ b: 'x *** y' }],
      c: 'keep',
    });
  });
});
