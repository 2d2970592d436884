import type { RunRecord, SuiteManifest } from '../results/record.js';
import { clipHead, clipTail, xmlAttr as attr, xmlText as text } from '../util/untrusted-text.js';
import { chip, judgeVerdict } from './format.js';

/** The element inside a testcase: an infra error, a judged failure, or a skip for no verdict. */
function outcome(r: RunRecord): string {
  if (r.status === 'failed') {
    const message = attr(clipHead(r.error?.message ?? '', 2000));
    const detail = text(clipTail(r.error?.detail ?? '', 8000));
    const type = attr(r.error?.code ?? 'failed');
    return `<error type="${type}" message="${message}">${detail}</error>`;
  }
  if (r.verdict === 'FAIL') {
    const message = attr(clipHead(r.judge?.reasoning ?? '', 500));
    return `<failure type="${attr(chip(r) || 'FAIL')}" message="${message}"/>`;
  }
  // UNCERTAIN (a split sampled judge) is skipped like a run without a verdict: JUnit has no
  // third outcome, and a failure would count a split as a clean FAIL. The message says why.
  const why = r.verdict === 'UNCERTAIN' && r.judge ? `: judge ${judgeVerdict(r.judge)}` : '';
  return r.verdict === 'PASS' ? '' : `<skipped message="verdict ${attr(r.verdict + why)}"/>`;
}

/**
 * JUnit XML for test reporters: a testcase per run; FAIL is a failure, an infra error an error.
 * Record text is escaped and stripped of what XML 1.0 forbids, so the file always parses.
 */
export function renderJunit(m: SuiteManifest, records: RunRecord[]): string {
  const cases = records.map((r) => {
    const name = `${r.task_id}${m.trials > 1 ? ` #${r.trial}` : ''} [${r.agent.name}]`;
    const time = (r.latency_ms / 1000).toFixed(3);
    const out = text(`run ${r.id}\n${clipHead(r.final_response ?? '', 2000)}`);
    return (
      `    <testcase classname="${attr(m.suite)}" name="${attr(name)}" time="${time}">` +
      `${outcome(r)}<system-out>${out}</system-out></testcase>`
    );
  });
  const failures = records.filter((r) => r.status !== 'failed' && r.verdict === 'FAIL').length;
  const errors = records.filter((r) => r.status === 'failed').length;
  const skipped = records.filter(
    (r) => r.status !== 'failed' && r.verdict !== 'PASS' && r.verdict !== 'FAIL',
  ).length;
  const counts = `tests="${records.length}" failures="${failures}" errors="${errors}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites ${counts} time="${(m.duration_ms / 1000).toFixed(3)}">`,
    `  <testsuite name="${attr(m.suite)}" ${counts} skipped="${skipped}"` +
      ` timestamp="${attr(m.started_at)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
