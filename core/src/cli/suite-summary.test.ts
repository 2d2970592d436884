import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../results/record.js';
import { summarise } from '../results/summary.js';
import { CANARY, hostileRecords, UNSAFE_CHARS } from '../test-support/hostile-text.js';
import { record } from '../test-support/records.js';
import { EXPLORER_HEADER, explorerRows, textTable } from '../report/format.js';
import { progressPrinter } from './progress.js';
import { suiteSummaryLine } from './suite-summary.js';

const prov = { gauntlet_version: '0', config_hash: 'x', host: 'h' };
const errored = record({
  task_id: 'b',
  status: 'failed',
  verdict: 'NOT APPLICABLE',
  judge: null,
  error: { class: 'agent_timeout', code: 'agent_timeout', message: 'ran past its timeout' },
});

describe('the end-of-suite summary line', () => {
  it('counts judged fails as fail and runs that did not finish as errored', () => {
    const suite = (rs: RunRecord[]) => summarise('s1', 'smoke', rs, 1, {}, Date.now(), prov);
    const judged = suite([record({ task_id: 'a', verdict: 'FAIL' })]);
    expect(suiteSummaryLine(judged)).toMatch(/^smoke: 0% pass \(0\/1\) · fail 1 · errored 0 · /);
    const fail = record({ task_id: 'c', verdict: 'FAIL' });
    const both = suite([record({ task_id: 'a' }), fail, errored]);
    expect(suiteSummaryLine(both)).toMatch(/^smoke: 33% pass \(1\/3\) · fail 1 · errored 1 · /);
    expect(suiteSummaryLine(both)).not.toContain('failed');
  });

  it('counts uncertain runs (a split judge) apart, and only when there are any', () => {
    const suite = (rs: RunRecord[]) => summarise('s1', 'smoke', rs, 1, {}, Date.now(), prov);
    const split = suite([record({ task_id: 'a' }), record({ task_id: 'b', verdict: 'UNCERTAIN' })]);
    expect(suiteSummaryLine(split)).toMatch(
      /^smoke: 50% pass \(1\/2\) · fail 0 · uncertain 1 · errored 0 · /,
    );
    expect(suiteSummaryLine(suite([record({ task_id: 'a' })]))).not.toContain('uncertain');
  });
});

/** A stream that records what was written, as a pipe (not a TTY). */
function pipe() {
  const chunks: string[] = [];
  const write = (s: string) => (chunks.push(s), true);
  const stream = { isTTY: false, write } as unknown as NodeJS.WriteStream;
  return { stream, text: () => chunks.join('') };
}

describe('the CLI prints record text inert', () => {
  const nasty = `${CANARY}\x1b]0;pwned\x07\x1b[2J\u202Eevil\r\nline\x00\x9b1m\t|x`;
  const records = hostileRecords(() => nasty);

  it('in the per-run progress line, which says errored for a run that did not finish', () => {
    const p = pipe();
    const print = progressPrinter(p.stream);
    print({ type: 'suite_start', suite: nasty, suiteRunId: 's1', runs: 2, concurrency: 1 });
    print({ type: 'log', message: records[0].final_response! });
    for (const r of records) print({ type: 'run_end', record: r });
    print({ type: 'run_end', record: errored as RunRecord });
    expect(p.text()).toContain(CANARY);
    expect(UNSAFE_CHARS.exec(p.text())?.[0]).toBeUndefined();
    expect(p.text()).toMatch(/\[3\/2\] b support-bot errored NOT APPLICABLE \(timeout\)/);
    expect(
      p
        .text()
        .split('\n')
        .filter((l) => l.includes('[1/2]')),
    ).toHaveLength(1);
  });

  it('in the results table: one line per run, nothing a terminal acts on', () => {
    const table = textTable(EXPLORER_HEADER, explorerRows(records));
    expect(table.split('\n')).toHaveLength(2 + records.length);
    expect(table).toContain(CANARY);
    expect(UNSAFE_CHARS.exec(table)?.[0]).toBeUndefined();
  });
});
