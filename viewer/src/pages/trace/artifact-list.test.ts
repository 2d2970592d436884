import { describe, expect, it } from 'vitest';
import { storedName } from '../../../../core/src/results/artifact-files.js';
import { artifactHref, artifactRows, previewText, sizeText } from './artifact-list.js';

describe('artifactRows', () => {
  it('reads entries, old string lists and hostile values without throwing', () => {
    const rows = artifactRows([
      {
        path: 'report.md',
        size: 9,
        sha256: 'ab',
        content_type: 'text/markdown',
        stored: true,
      },
      { path: 'plot.png', size: 3, sha256: 'cd', content_type: 'image/png', stored: true },
      { path: 'page.svg', size: 3, sha256: 'ef', content_type: 'image/svg+xml', stored: true },
      { path: 'x.bin', size: 1, content_type: 'application/octet-stream', stored: true },
      { path: 'link', size: 0, sha256: '', stored: false, note: 'a symbolic link' },
      'old/report.txt',
      { path: 7 },
      null,
      { toString: 1 },
    ]);
    expect(rows.map((r) => [r.path, r.preview, r.stored, r.note])).toEqual([
      ['report.md', 'text', true, null],
      ['plot.png', 'image', true, null],
      ['page.svg', 'text', true, null],
      ['x.bin', null, true, null],
      ['link', null, false, 'a symbolic link'],
      ['old/report.txt', null, false, null],
    ]);
    expect(rows[4].sha256).toBeNull();
    expect(artifactRows('not a list')).toEqual([]);
  });
});

describe('artifactHref', () => {
  it('encodes each segment and asks for the stored name of an active file', () => {
    expect(artifactHref('sr 1', 'r-1', 'charts/a b#?.png')).toBe(
      'runs/sr%201/artifacts/r-1/charts/a%20b%23%3F.png',
    );
    expect(artifactHref('sr', 'r', 'report.html')).toBe('runs/sr/artifacts/r/report.html.txt');
    expect(artifactHref('..', 'r', 'x')).toBeNull();
    expect(artifactHref('s', 'r', 'a/../../x')).toBeNull();
    expect(artifactHref('s', 'r', 'a//x')).toBeNull();
  });

  it('agrees with the name core stores a file under', () => {
    for (const p of ['a.html', 'b/c.SVG', 'd.json', 'e.js', 'f.png', 'g.xml', 'h.htm', 'i.md'])
      expect(artifactHref('s', 'r', p)).toBe(`runs/s/artifacts/r/${storedName(p)}`);
  });
});

describe('formatting', () => {
  it('sizes in 10^3 steps and JSON re-indented', () => {
    expect([sizeText(999), sizeText(1500), sizeText(12_345_678), sizeText(null)]).toEqual([
      '999 B',
      '1.5 KB',
      '12 MB',
      '',
    ]);
    expect(previewText('application/json', '{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(previewText('application/json', '{bad')).toBe('{bad');
  });
});
