import type { RunRecord, SuiteManifest } from '../results/record.js';
import { chip } from './format.js';

const esc = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!).replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');

/** JUnit XML for test reporters: a testcase per run; FAIL is a failure, an infra error an error. */
export function renderJunit(m: SuiteManifest, records: RunRecord[]): string {
  const cases = records.map((r) => {
    const name = `${r.task_id}${m.trials > 1 ? ` #${r.trial}` : ''} [${r.agent.name}]`;
    let inner = '';
    if (r.status === 'failed') inner = `<error type="${esc(r.error?.code ?? 'failed')}" message="${esc(r.error?.message ?? '')}">${esc(r.error?.detail ?? '')}</error>`;
    else if (r.verdict === 'FAIL') inner = `<failure type="${esc(chip(r) || 'FAIL')}" message="${esc((r.judge?.reasoning ?? '').slice(0, 500))}"/>`;
    else if (r.verdict !== 'PASS') inner = `<skipped message="verdict ${esc(r.verdict)}"/>`;
    return `    <testcase classname="${esc(m.suite)}" name="${esc(name)}" time="${(r.latency_ms / 1000).toFixed(3)}">${inner}<system-out>${esc(`run ${r.id}\n${(r.final_response ?? '').slice(0, 2000)}`)}</system-out></testcase>`;
  });
  const failures = records.filter((r) => r.status !== 'failed' && r.verdict === 'FAIL').length;
  const errors = records.filter((r) => r.status === 'failed').length;
  const skipped = records.filter((r) => r.status !== 'failed' && r.verdict !== 'PASS' && r.verdict !== 'FAIL').length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites tests="${records.length}" failures="${failures}" errors="${errors}" time="${(m.duration_ms / 1000).toFixed(3)}">\n  <testsuite name="${esc(m.suite)}" tests="${records.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" timestamp="${m.started_at}">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}
