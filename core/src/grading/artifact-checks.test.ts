import { describe, expect, it } from 'vitest';
import { checksOf, expectProblems, parseExpectCell } from '../config/expect.js';
import type { ArtifactEntry } from '../results/record.js';
import { configIssues } from '../test-support/config-issues.js';
import { pythonAgent, suite } from '../test-support/tree.js';
import { runChecks, type CheckEvidence } from './checks.js';

const entry = (path: string, more: Partial<ArtifactEntry> = {}): ArtifactEntry => ({
  path,
  size: 10,
  sha256: 'ab',
  content_type: 'application/json',
  stored: true,
  ...more,
});

/** A run's evidence with these artifacts (path -> content; null: listed, not stored). */
function evidence(files: Record<string, string | [string | null, Partial<ArtifactEntry>]>) {
  const entries: ArtifactEntry[] = [];
  const bytes = new Map<string, Buffer>();
  for (const [path, v] of Object.entries(files)) {
    const [content, more] = typeof v === 'string' ? [v, {}] : v;
    entries.push(entry(path, { ...more, stored: content !== null }));
    if (content !== null) bytes.set(path, Buffer.from(content));
  }
  const ev: CheckEvidence = {
    final_response: 'done',
    tool_calls: [],
    ledger: null,
    artifacts: { entries, files: bytes },
  };
  return ev;
}

const SCHEMA = { type: 'object', required: ['total'], properties: { total: { type: 'number' } } };

describe('expect: file_exists and artifact', () => {
  it('reads artifact with its json_schema as one check, paths relative to /app/results', () => {
    const checks = checksOf([
      { file_exists: 'report.md' },
      { file_exists: '/app/results/charts/a.png' },
      { artifact: 'summary.json', json_schema: SCHEMA },
      { artifact: './notes.txt', name: 'notes kept' },
    ]);
    expect(checks).toEqual([
      { kind: 'file_exists', name: 'file_exists report.md', path: 'report.md' },
      { kind: 'file_exists', name: 'file_exists charts/a.png', path: 'charts/a.png' },
      {
        kind: 'artifact',
        name: 'artifact summary.json json_schema',
        path: 'summary.json',
        schema: SCHEMA,
      },
      { kind: 'artifact', name: 'notes kept', path: 'notes.txt', schema: null },
    ]);
  });

  it('a CSV cell takes file_exists as a line, artifact with its schema as JSON', () => {
    expect(parseExpectCell('file_exists: report.md\ncontains: done', JSON.parse)).toEqual([
      { file_exists: 'report.md' },
      { contains: 'done' },
    ]);
    const cell = '[{"artifact": "s.json", "json_schema": {"type": "object"}}]';
    expect(checksOf(parseExpectCell(cell, JSON.parse))[0]).toMatchObject({ kind: 'artifact' });
  });

  it('refuses bad items with the field and the fix', () => {
    const problems = expectProblems([
      { file_exists: '../etc/passwd' },
      { file_exists: '/etc/passwd' },
      { artifact: 'a.json', json_schema: { type: 'nonsense' } },
      { artifact: 'a.json', json_schema: 'object' },
      { file_exists: 'a.json', json_schema: SCHEMA },
      { artifact: '' },
    ]);
    expect(problems.map((p) => p.path)).toEqual([
      [0, 'file_exists'],
      [1, 'file_exists'],
      [2, 'json_schema'],
      [3, 'json_schema'],
      [4],
      [5, 'artifact'],
    ]);
    expect(problems[0].message).toMatch(/not a plain path relative to \/app\/results/);
    expect(problems[1].message).toMatch(/not under \/app\/results/);
    expect(problems[0].fix).toMatch(/file_exists: report\.md/);
    expect(problems[4].message).toMatch(/names 2 checks/);
  });

  it('a bad item in a suite file is a load error at its line and field', async () => {
    const issues = await configIssues({
      ...pythonAgent('a', 'def run(task):\n    return "ok"'),
      ...suite('s', 'a', ['hi'], 'expect:\n  - file_exists: ../up.txt\n'),
    });
    const i = issues.find((x) => x.code === 'invalid_check')!;
    expect(i).toMatchObject({ line: 7, field: 'expect.0.file_exists' });
    expect(i.fix).toMatch(/\/app\/results/);
  });

  it('the suite takes artifacts caps, and refuses a file cap over the branch limit', async () => {
    const ok = await configIssues({
      ...pythonAgent('a', 'def run(task):\n    return "ok"'),
      ...suite('s', 'a', ['hi'], 'artifacts: { max_files: 5, max_file_mb: 2, max_total_mb: 4 }\n'),
    });
    expect(ok).toEqual([]);
    const bad = await configIssues({
      ...pythonAgent('a', 'def run(task):\n    return "ok"'),
      ...suite('s', 'a', ['hi'], 'artifacts: { max_file_mb: 100 }\n'),
    });
    expect(bad.map((i) => `${i.field} ${i.message}`).join('\n')).toMatch(/max_file_mb.*<= 50/);
  });
});

describe('running file_exists and artifact checks on collected artifacts', () => {
  const run = (items: Record<string, unknown>[], ev: CheckEvidence) =>
    runChecks(checksOf(items), ev);

  it('pass on what was collected, after the sandbox is gone', async () => {
    const ev = evidence({ 'report.md': '# R', 'summary.json': '{"total": 3}' });
    const r = await run(
      [
        { file_exists: 'report.md' },
        { artifact: 'summary.json', json_schema: SCHEMA },
        { artifact: 'report.md' },
      ],
      ev,
    );
    expect(r.map((x) => [x.check, x.passed])).toEqual([
      ['file_exists', true],
      ['artifact', true],
      ['artifact', true],
    ]);
  });

  it('fail with the reason: missing, not JSON, schema, refused, a link, no artifacts at all', async () => {
    const ev = evidence({
      'summary.json': '{"total": "three"}',
      'broken.json': '{"total":',
      'big.bin': [null, { note: 'over the 10 MB cap a file (artifacts.max_file_mb): not stored' }],
      'link.json': [null, { note: 'a symbolic link (to /etc/passwd), not followed', size: 0 }],
    });
    const r = await run(
      [
        { file_exists: 'report.md' },
        { artifact: 'broken.json', json_schema: SCHEMA },
        { artifact: 'summary.json', json_schema: SCHEMA },
        { artifact: 'big.bin' },
        { file_exists: 'big.bin' },
        { file_exists: 'link.json' },
        { artifact: 'link.json', json_schema: SCHEMA },
      ],
      ev,
    );
    expect(r.map((x) => x.passed)).toEqual([false, false, false, false, true, false, false]);
    expect(r[0].tail).toMatch(/report\.md is not among the files collected from \/app\/results/);
    expect(r[0].tail).toMatch(/found: summary\.json, broken\.json/);
    expect(r[1].tail).toMatch(/broken\.json is not JSON/);
    expect(r[2].tail).toMatch(/summary\.json\/total must be number/);
    expect(r[3].tail).toMatch(/big\.bin was not stored: over the 10 MB cap/);
    expect(r[5].tail).toMatch(/link\.json is not a regular file: a symbolic link/);
    expect(r[6].tail).toMatch(/was not stored: a symbolic link/);
    const none = await run([{ file_exists: 'report.md' }], {
      final_response: 'x',
      tool_calls: [],
      ledger: null,
    });
    expect(none[0].tail).toMatch(/collects no artifacts: only sandboxed agents/);
  });
});
