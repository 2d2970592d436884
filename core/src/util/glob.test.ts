import { describe, expect, it } from 'vitest';
import { globToRegExp } from './glob.js';

describe('allowed-paths globs', () => {
  it('matches ** across folders and * within one', () => {
    expect(globToRegExp('src/**').test('src/a/b.py')).toBe(true);
    expect(globToRegExp('src/**/*.py').test('src/x.py')).toBe(true);
    expect(globToRegExp('src/*.py').test('src/a/x.py')).toBe(false);
    expect(globToRegExp('tests/test_?.py').test('tests/test_1.py')).toBe(true);
    expect(globToRegExp('README.md').test('READMEXmd')).toBe(false);
  });
});
