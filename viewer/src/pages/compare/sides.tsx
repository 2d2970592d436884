import type { IndexEntry } from '../../../../core/src/index.js';
import type { SuiteAtCommit } from '../../data/suite.js';
import { href } from '../../route.js';
import { shortSha, when } from '../../ui/format.js';
import { SuitePicker } from '../../ui/suite-picker.js';

/** Base and head side by side: which suite run each is, and a picker to choose another. */
export function Sides(props: { base: SuiteAtCommit; head: SuiteAtCommit; choices: IndexEntry[] }) {
  const { base, head, choices } = props;
  const suiteOf = (s: SuiteAtCommit) => choices.filter((e) => e.suite === s.entry.suite);
  return (
    <div class="sides">
      <Side
        label="Base"
        side={base}
        picker={
          <SuitePicker
            label="Base"
            entries={suiteOf(head)}
            current={base.entry.id}
            link={(id) => href.compare(id, head.entry.id)}
          />
        }
      />
      <div class="vs" aria-hidden="true">
        →
      </div>
      <Side
        label="Head"
        side={head}
        picker={
          <SuitePicker
            label="Head"
            entries={suiteOf(head)}
            current={head.entry.id}
            link={(id) => href.compare(base.entry.id, id)}
          />
        }
      />
    </div>
  );
}

function Side(props: { label: string; side: SuiteAtCommit; picker: preact.ComponentChildren }) {
  const e = props.side.entry;
  const others = props.side.entries.length - 1;
  return (
    <div
      class={`side side-${props.label.toLowerCase()}`}
      data-testid={`compare-${props.label.toLowerCase()}`}
    >
      <div class="side-title">
        <span class="side-label">{props.label}</span>
        {e.commit ? (
          <code title={e.commit}>{shortSha(e.commit)}</code>
        ) : (
          <span class="muted">no commit (local run)</span>
        )}
        {typeof e.ref === 'string' && e.ref ? (
          <span class="muted">{e.ref.replace(/^refs\/heads\//, '')}</span>
        ) : null}
        {e.pr ? <span class="badge">PR #{e.pr}</span> : null}
        {others > 0 ? (
          <span
            class="muted"
            title="suite runs at this commit compared together: shards and re-runs"
          >
            {others + 1} suite runs
          </span>
        ) : null}
      </div>
      <div class="side-meta muted">
        {when(e.started_at)} · <a href={href.explorer(e.id)}>open in the explorer</a>
      </div>
      {props.picker}
    </div>
  );
}
