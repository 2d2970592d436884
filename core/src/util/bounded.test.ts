import { describe, expect, it } from 'vitest';
import { boundJson, clipText, MAX_DEPTH, nestingDepth, noCut } from './bounded.js';

const deep = (n: number) => JSON.parse('['.repeat(n) + ']'.repeat(n));

describe('bounding untrusted values', () => {
  it('replaces what nests deeper than the limit, without recursing (100,000 levels)', () => {
    const cut = noCut();
    const v = boundJson({ a: deep(100_000) }, { maxString: 100, maxTotal: 10_000 }, cut);
    expect(() => JSON.stringify(v)).not.toThrow();
    expect(JSON.stringify(v)).toContain(`nested deeper than ${MAX_DEPTH} levels`);
    expect(cut.deep).toBe(1);
  });

  it('keeps order and content of small values exactly', () => {
    const v = { z: 1, a: [1, 'two', { b: null, c: true }], m: 'x' };
    expect(JSON.stringify(boundJson(v, { maxString: 100, maxTotal: 10_000 }))).toBe(
      JSON.stringify(v),
    );
  });

  it('drops undefined keys and turns undefined items into null, as JSON does', () => {
    expect(
      boundJson({ a: undefined, b: [undefined, 1] }, { maxString: 10, maxTotal: 100 }),
    ).toEqual({ b: [null, 1] });
  });

  it('clips long strings keeping head and tail, and counts what it cut', () => {
    const cut = noCut();
    const s = clipText('a'.repeat(500) + 'MIDDLE' + 'z'.repeat(500), 200, cut);
    expect(s.length).toBeLessThan(260);
    expect(s.startsWith('aaa')).toBe(true);
    expect(s.endsWith('zzz')).toBe(true);
    expect(s).toMatch(/characters cut/);
    expect(cut.bytes).toBeGreaterThan(800);
  });

  it('drops items beyond the total budget and says how many', () => {
    const cut = noCut();
    const v = boundJson(
      Array.from({ length: 100_000 }, (_, i) => `item ${i}`),
      { maxString: 100, maxTotal: 10_000 },
      cut,
    ) as string[];
    expect(JSON.stringify(v).length).toBeLessThan(20_000);
    expect(v[0]).toBe('item 0');
    expect(v[v.length - 1]).toMatch(/more items cut/);
    expect(cut.items).toBeGreaterThan(90_000);
  });

  it('measures nesting without parsing, ignoring brackets inside strings', () => {
    expect(nestingDepth('{"a": "[[[[[[", "b": [[1]]}')).toBe(3);
    expect(nestingDepth('"\\"[[["')).toBe(0);
    expect(nestingDepth('['.repeat(20_000))).toBe(20_000);
  });
});
