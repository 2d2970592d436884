import { describe, expect, it } from 'vitest';
import { arr, num, obj, str, text } from './safe.js';

describe('safe readers of untrusted results', () => {
  it('give a default for a field of the wrong type', () => {
    expect(arr('x')).toEqual([]);
    expect(str(5)).toBeNull();
    expect(num('5')).toBeNull();
    expect(num(Infinity)).toBeNull();
    expect(obj([1])).toEqual({});
  });

  it('read any value as text without throwing, even one String() throws on', () => {
    const hostile = JSON.parse('{"toString": 1, "valueOf": 2}');
    expect(() => String(hostile)).toThrow();
    expect(text(hostile)).toContain('"toString": 1');
    expect(text('<b>')).toBe('<b>');
    expect(text(undefined)).toBe('');
    expect(text(null)).toBe('null');
    // JSON.parse takes any depth; JSON.stringify and String() overflow the stack on it.
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(text(deep)).toBe('[object Array]');
  });
});
