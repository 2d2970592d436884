import type { RunRecord } from '../../../../core/src/index.js';
import { navigate } from '../../app-nav.js';
import type { ListedRun } from '../../data/suite.js';
import { when } from '../../ui/format.js';
import { href } from '../../route.js';

/** How a run reads in the picker: trial, when, status and verdict. */
const label = (r: ListedRun, newest: boolean) =>
  `trial ${r.run.trial} · ${when(r.run.started_at ?? r.suiteStartedAt)} · ${r.run.status} · ${
    r.run.verdict
  }${r.run.confirmation ? ' · confirmation' : ''}${newest ? ' (newest)' : ''}`;

/**
 * The run picker (seed 001), above the header when the task has more than one run (trials,
 * re-runs): newest first; choosing one opens its trace.
 */
export function RunPicker(props: { runs: ListedRun[]; current: RunRecord }) {
  if (props.runs.length < 2) return null;
  const current = props.runs.find((r) => r.run.id === props.current.id);
  const value = current ? `${current.suiteRun}\0${current.run.id}` : '';
  return (
    <div class="run-picker" data-testid="run-picker">
      <label>
        Run{' '}
        <select
          value={value}
          onChange={(e) => {
            const [suiteRun, run] = (e.currentTarget as HTMLSelectElement).value.split('\0');
            if (suiteRun && run) navigate(href.trace(suiteRun, run));
          }}
        >
          {value ? null : <option value="">this run (not listed)</option>}
          {props.runs.map((r, i) => (
            <option key={`${r.suiteRun}/${r.run.id}`} value={`${r.suiteRun}\0${r.run.id}`}>
              {label(r, i === 0)}
            </option>
          ))}
        </select>
      </label>
      <span class="muted small">{props.runs.length} runs of this task</span>
    </div>
  );
}
