import { describe, expect, it } from 'vitest';
import { diffTotals, parseDiff } from './diff.js';

const GIT = [
  'diff --git a/calc.py b/calc.py',
  'index ab3d3ab..ad81f48 100644',
  '--- a/calc.py',
  '+++ b/calc.py',
  '@@ -1,3 +1,3 @@',
  ' def add(a, b):',
  '-    return a - b',
  '+    return a + b',
  '     # end',
  '',
].join('\n');

describe('parseDiff', () => {
  it('reads a git diff into files, hunks and numbered lines', () => {
    const [f] = parseDiff(GIT);
    expect(f).toMatchObject({ name: 'calc.py', status: 'modified', added: 1, removed: 1 });
    expect(f.lines.map((l) => l.kind)).toEqual(['hunk', 'ctx', 'del', 'add', 'ctx']);
    expect(f.lines[2]).toEqual({ kind: 'del', text: '-    return a - b', old: 2 });
    expect(f.lines[3]).toEqual({ kind: 'add', text: '+    return a + b', new: 2 });
  });

  it('has nothing to show for no diff', () => {
    for (const v of [null, undefined, '', '  \n', 42, {}]) expect(parseDiff(v)).toEqual([]);
  });

  it('reads CRLF line endings', () => {
    const [f] = parseDiff(GIT.replace(/\n/g, '\r\n'));
    expect(f.added).toBe(1);
    expect(f.lines.every((l) => !l.text.endsWith('\r'))).toBe(true);
  });

  it('names new, deleted, renamed and binary files', () => {
    const files = parseDiff(
      [
        'diff --git a/new.txt b/new.txt',
        'new file mode 100644',
        '--- /dev/null',
        '+++ b/new.txt',
        '@@ -0,0 +1 @@',
        '+hi',
        'diff --git a/old.txt b/old.txt',
        'deleted file mode 100644',
        '--- a/old.txt',
        '+++ /dev/null',
        '@@ -1 +0,0 @@',
        '-bye',
        'diff --git a/a.txt b/b.txt',
        'similarity index 100%',
        'rename from a.txt',
        'rename to b.txt',
        'diff --git a/img.png b/img.png',
        'index 1..2 100644',
        'Binary files a/img.png and b/img.png differ',
        '',
      ].join('\n'),
    );
    expect(files.map((f) => [f.name, f.status])).toEqual([
      ['new.txt', 'added'],
      ['old.txt', 'deleted'],
      ['b.txt', 'renamed'],
      ['img.png', 'binary'],
    ]);
    expect(files[2].from).toBe('a.txt');
    expect(diffTotals(files)).toEqual({ files: 4, added: 1, removed: 1 });
  });

  it('drops the no-newline marker rather than showing it as a change', () => {
    const [f] = parseDiff(
      '--- a/x\n+++ b/x\n@@ -1 +1 @@\n-x\n\\ No newline at end of file\n+y\n\\ No newline at end of file\n',
    );
    expect(f.lines.filter((l) => l.kind !== 'hunk').map((l) => l.text)).toEqual(['-x', '+y']);
  });

  it("shows a CLI's own patch format line by line, coloured by the first character", () => {
    const [f] = parseDiff('*** Update File: calc.py\n@@\n x\n-    return a - b\n+    return a + b');
    expect(f.name).toBe('calc.py');
    expect(f.lines.map((l) => l.kind)).toEqual(['meta', 'hunk', 'ctx', 'del', 'add']);
    expect([f.added, f.removed]).toEqual([1, 1]);
  });

  it('keeps markup in a diff as plain text', () => {
    const evil = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    const [f] = parseDiff(`--- a/x\n+++ b/x\n@@ -1 +1 @@\n-${evil}\n+${evil}\n`);
    expect(f.lines.slice(1).map((l) => l.text)).toEqual([`-${evil}`, `+${evil}`]);
  });

  it('reads a 20,000-line diff quickly', () => {
    const body = Array.from({ length: 20_000 }, (_, i) => `+line ${i}`).join('\n');
    const t = performance.now();
    const [f] = parseDiff(`--- a/big\n+++ b/big\n@@ -0,0 +1,20000 @@\n${body}\n`);
    expect(f.added).toBe(20_000);
    expect(performance.now() - t).toBeLessThan(2000);
  });
});
