import type { RunRecord } from '../../../../core/src/index.js';
import { arr, isObj, num, obj, str, text } from '../../data/safe.js';
import { Field, TextBlock } from './text-block.js';

/** One failure rule in a line: when it fires and what the agent gets. */
function ruleLine(rule: unknown): string {
  const r = obj(rule);
  const err = obj(r.error);
  const when = [
    `tool ${str(r.tool) ?? '?'}`,
    isObj(r.args) ? `args ${text(r.args).replace(/\s+/g, ' ')}` : '',
    num(r.nth) !== null ? `call #${num(r.nth)}` : '',
    num(r.probability) !== null ? `p=${num(r.probability)}` : '',
  ].filter(Boolean);
  const gets = `${num(err.status) ?? 500}${str(err.type) ? ` ${str(err.type)}` : ''}: ${str(err.message) ?? ''}`;
  return `${when.join(', ')} → ${gets}`;
}

/**
 * The task seed (seed 001), collapsed: user_instruction, behavior_instructions, the expected
 * outcome, initial_state, failure_rules, the expect: checks, where the task was written; for a
 * runbook run, its mission (the markdown as text) and the files uploaded to /app/uploads/.
 */
export function SeedPanel({ record: r }: { record: RunRecord }) {
  const seed = obj(r.seed);
  const origin = obj(seed.origin);
  const rules = arr(seed.failure_rules);
  const expect = arr(seed.expect);
  const runbook = obj(seed.runbook);
  const files = arr(seed.files);
  return (
    <details class="card seed-panel" data-testid="seed-panel">
      <summary>
        Task seed{' '}
        <span class="muted small">
          {str(origin.file) ? `${str(origin.file)}:${num(origin.line) ?? '?'}` : ''}
        </span>
      </summary>
      <Field name="user_instruction" value={seed.user_instruction} />
      <Field name="behavior_instructions" value={seed.behavior_instructions} empty="(none)" />
      <Field name="expected_outcome" value={seed.expected_outcome} />
      {seed.initial_state != null ? (
        <Field name="initial_state" value={seed.initial_state} />
      ) : null}
      {rules.length ? (
        <div class="field">
          <div class="field-name">failure_rules ({rules.length})</div>
          <ol class="plain-list">
            {rules.slice(0, 200).map((rule, i) => (
              <li key={i}>
                <code>{ruleLine(rule)}</code>
              </li>
            ))}
          </ol>
        </div>
      ) : null}
      {expect.length ? (
        <div class="field">
          <div class="field-name">expect ({expect.length})</div>
          <ul class="plain-list">
            {expect.slice(0, 200).map((check, i) => (
              <li key={i}>
                <code>{text(check).replace(/\s+/g, ' ')}</code>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {str(runbook.text) !== null ? (
        <details class="field" data-testid="seed-runbook">
          <summary class="field-name">
            runbook <span class="muted small">{str(runbook.name) ?? ''}</span>
            {num(runbook.truncated_chars) ? (
              <span class="muted small"> ({num(runbook.truncated_chars)} more characters cut)</span>
            ) : null}
          </summary>
          <TextBlock value={runbook.text} />
        </details>
      ) : null}
      {files.length ? (
        <div class="field" data-testid="seed-files">
          <div class="field-name">files ({files.length}, in /app/uploads/)</div>
          <ul class="plain-list">
            {files.slice(0, 200).map((f, i) => (
              <li key={i}>
                <code>{str(obj(f).name) ?? '?'}</code>{' '}
                <span class="muted small">
                  {str(obj(f).path) ?? ''} · {num(obj(f).size) ?? '?'} bytes
                </span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {seed.scenario != null ? (
        <details class="field">
          <summary class="field-name">scenario</summary>
          <TextBlock value={seed.scenario} />
        </details>
      ) : null}
    </details>
  );
}
