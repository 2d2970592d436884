import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { RunRecord, SuiteManifest } from '../core/src/results/record.js';
import { entryOf, type BranchIndex } from '../core/src/results/suite-index.js';

/**
 * tests/fixtures/viewer-results (scripts/make-viewer-fixture.mjs writes it from real runs of the
 * examples): what the viewer's browser tests stand on. A regeneration that loses a kind of run,
 * breaks the site layout or the schemas, or leaks this machine into the records fails here.
 */
// VIEWER_FIXTURE: check a regeneration written elsewhere before it replaces the committed one.
const ROOT = process.env.VIEWER_FIXTURE || join(__dirname, 'fixtures', 'viewer-results');
const roles = JSON.parse(readFileSync(`${ROOT}.roles.json`, 'utf8'));
const readJson = (...p: string[]) => JSON.parse(readFileSync(join(ROOT, ...p), 'utf8'));
const index: BranchIndex = readJson('index.json');
const suiteRunIds = readdirSync(join(ROOT, 'runs')).sort();
const manifests = new Map<string, SuiteManifest>(
  suiteRunIds.map((id) => [id, readJson('runs', id, 'manifest.json')]),
);
const records = new Map<string, RunRecord>();
for (const id of suiteRunIds)
  for (const f of readdirSync(join(ROOT, 'runs', id)))
    if (f !== 'manifest.json' && f.endsWith('.json'))
      records.set(`${id}/${f}`, readJson('runs', id, f));
const record = (role: { suite_run_id: string; run_id: string }) => {
  const r = records.get(`${role.suite_run_id}/${role.run_id}.json`);
  if (!r) throw new Error(`roles name a missing record ${role.suite_run_id}/${role.run_id}`);
  return r;
};
const ajv = new Ajv({ strict: false, allErrors: true });
const schema = (name: string) =>
  ajv.compile(JSON.parse(readFileSync(join(__dirname, '..', 'schemas', name), 'utf8')));

describe('the viewer fixture (tests/fixtures/viewer-results)', () => {
  it('has the site layout: index.json, runs/<id>/manifest.json, <runId>.json and artifacts/', () => {
    expect(readdirSync(ROOT).sort()).toEqual(['index.json', 'runs']);
    for (const id of suiteRunIds) {
      const m = manifests.get(id)!;
      const files = readdirSync(join(ROOT, 'runs', id)).filter((f) => f !== 'artifacts');
      expect(files.sort()).toEqual(['manifest.json', ...m.runs.map((r) => `${r.id}.json`)].sort());
      for (const r of m.runs) expect(records.get(`${id}/${r.id}.json`)?.suite_run_id).toBe(id);
    }
  });

  it('validates: every record against run-record, every manifest against suite-manifest', () => {
    const validRecord = schema('run-record.schema.json');
    const validManifest = schema('suite-manifest.schema.json');
    for (const [path, r] of records)
      expect(validRecord(r) ? '' : `${path}: ${JSON.stringify(validRecord.errors)}`).toBe('');
    for (const [id, m] of manifests)
      expect(validManifest(m) ? '' : `${id}: ${JSON.stringify(validManifest.errors)}`).toBe('');
  });

  it('index.json is what core regenerates from the manifests', () => {
    expect(index.schema_version).toBe(1);
    expect(index.suite_runs).toEqual(suiteRunIds.map((id) => entryOf(manifests.get(id)!)));
  });

  it('every manifest row carries the explorer columns', () => {
    for (const m of manifests.values())
      for (const row of m.runs) {
        expect(row.agent_version, row.id).toMatch(/\S/);
        expect(row.started_at, row.id).toMatch(/^\d{4}-/);
        expect(Object.keys(row.tool_calls?.by_source ?? {}).sort(), row.id).toEqual(
          ['error', 'injected', 'odyssey', 'passthrough', 'transport_error'].sort(),
        );
        expect('failure_mode' in row && 'behavior_config' in row, row.id).toBe(true);
        expect(typeof row.ledger_violations, row.id).toBe('number');
      }
  });

  it('has a coding run with a final diff, scorer badges and OVERALL, and a failed one', () => {
    const ok = record(roles.coding);
    expect(ok.diff).toMatch(/^diff --git /m);
    expect(ok.scorers.length).toBeGreaterThanOrEqual(2);
    expect(ok.overall).toBe('PASS');
    expect(ok.trajectory.steps.map((s) => s.type)).toEqual(
      expect.arrayContaining(['thinking', 'edit', 'shell']),
    );
    const failed = record(roles.coding_failed);
    expect(failed.diff).toMatch(/^[-+]/m);
    expect(failed.scorers.some((s) => !s.passed)).toBe(true);
    expect(failed.verdict).toBe('FAIL');
  });

  it('has a run with a judge card (verdict, scores, reasoning)', () => {
    const j = record(roles.judge).judge!;
    expect(j.verdict).toMatch(/PASS|FAIL/);
    expect(j.reasoning).toMatch(/\S/);
    expect(Object.keys(j.scores ?? {}).length).toBeGreaterThan(0);
  });

  it('has a tools run with a ledger and calls by source, one injected', () => {
    const r = record(roles.tools);
    expect(r.ledger?.initial).toBeTruthy();
    expect(r.ledger?.final).toBeTruthy();
    const calls = r.trajectory.tool_calls ?? [];
    expect(calls.map((c) => c.source)).toContain('injected');
    // The ledger viewer's State / Changes: snapshots and updates on the calls.
    expect(calls.some((c) => c.ledger?.state)).toBe(true);
    expect(calls.some((c) => (c.ledger?.changes?.length ?? 0) > 0)).toBe(true);
    const sources = new Set(
      [...records.values()].flatMap((x) => (x.trajectory.tool_calls ?? []).map((c) => c.source)),
    );
    for (const s of ['injected', 'passthrough', 'transport_error', 'error'])
      expect([...sources]).toContain(s);
    expect(record(roles.tools_violation).ledger_violations.length).toBeGreaterThan(0);
  });

  it('has multi-turn sessions: a coding session with per-turn diffs, and conversations', () => {
    const coding = record(roles.coding_session).multi_turn!;
    expect(coding.turns_used).toBeGreaterThanOrEqual(2);
    expect(coding.turns.filter((t) => t.diff).length).toBeGreaterThanOrEqual(2);
    for (const role of [roles.conversation, roles.tools_session]) {
      const mt = record(role).multi_turn!;
      expect(mt.transcript.map((m) => m.role)).toEqual(
        expect.arrayContaining(['user', 'assistant']),
      );
      expect(mt.termination_reason).toBeTruthy();
    }
  });

  it('has a runbook run whose artifacts are stored beside it, as its record lists them', () => {
    const r = record(roles.runbook);
    expect(r.seed.runbook?.text).toMatch(/\S/);
    expect(r.seed.files?.length).toBeGreaterThan(0);
    const stored = r.artifacts.filter((a) => typeof a === 'object' && a.stored);
    expect(stored.map((a) => a.path).sort()).toEqual(['report.md', 'summary.json']);
    for (const a of stored) {
      const file = join(ROOT, 'runs', r.suite_run_id, 'artifacts', r.id, a.path);
      expect(statSync(file).size, a.path).toBe(a.size);
    }
  });

  it('has a task with several trials in one suite run (the run picker)', () => {
    const m = manifests.get(roles.trials.suite_run_id)!;
    const same = m.runs.filter((r) => r.task_id === roles.trials.task_id);
    expect(new Set(same.map((r) => r.trial)).size).toBeGreaterThanOrEqual(2);
  });

  it('has two suite runs of one suite on two commits where a task changed verdict', () => {
    const { base, head, regressed_task, base_commit, head_commit } = roles.compare;
    const [b, h] = [manifests.get(base)!, manifests.get(head)!];
    expect(b.suite).toBe(h.suite);
    expect(b.started_at < h.started_at).toBe(true);
    expect([b.provenance.commit, h.provenance.commit]).toEqual([base_commit, head_commit]);
    expect(base_commit).not.toBe(head_commit);
    const verdicts = (m: SuiteManifest) =>
      m.runs.filter((r) => r.task_id === regressed_task).map((r) => r.verdict);
    expect(verdicts(b).every((v) => v === 'PASS')).toBe(true);
    expect(verdicts(h).every((v) => v === 'FAIL')).toBe(true);
    expect(index.suite_runs.filter((e) => e.suite === b.suite).map((e) => e.commit)).toEqual([
      base_commit,
      head_commit,
    ]);
  });

  it('leaks no host: no host name, no absolute host path, no secret; stays small', () => {
    let bytes = 0;
    for (const id of suiteRunIds)
      for (const f of readdirSync(join(ROOT, 'runs', id)).filter((x) => x.endsWith('.json'))) {
        const text = readFileSync(join(ROOT, 'runs', id, f), 'utf8');
        bytes += statSync(join(ROOT, 'runs', id, f)).size;
        expect(JSON.parse(text).provenance.host, f).toBe('fixture');
        // Sandbox paths (/home/user/workspace) are the viewer's to show; host paths are not.
        expect(text.match(/\/(?:tmp|work|root|Users)\/[^"\s]*/g) ?? [], f).toEqual([]);
        expect(text.match(/dev-token|Bearer [A-Za-z0-9]|sk-ant-[A-Za-z0-9]/g) ?? [], f).toEqual([]);
      }
    expect(bytes).toBeLessThan(2 * 1024 * 1024);
  });
});
