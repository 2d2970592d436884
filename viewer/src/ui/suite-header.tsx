import type { ComponentChildren } from 'preact';
import type { IndexEntry, SuiteManifest } from '../../../core/src/index.js';
import { ms, pct, shortSha, usd, when } from './format.js';

/** What a suite run is: suite, commit, ref, PR, when, and its headline figures. */
export function SuiteHeader(props: {
  entry: IndexEntry;
  manifest: SuiteManifest;
  entries?: IndexEntry[];
  children?: ComponentChildren;
}) {
  const { entry, manifest: m } = props;
  const p = m.provenance ?? ({} as SuiteManifest['provenance']);
  const others = (props.entries ?? []).length - 1;
  return (
    <header class="suite-header">
      <div class="title">
        <h1>{m.suite}</h1>
        <span class="muted" title={entry.id}>
          {entry.id}
        </span>
        {p.commit ? <code title={p.commit}>{shortSha(p.commit)}</code> : null}
        {p.ref ? <span class="muted">{p.ref.replace(/^refs\/heads\//, '')}</span> : null}
        {p.pr ? <span class="badge">PR #{p.pr}</span> : null}
        {others > 0 ? (
          <span class="muted" title="other suite runs at this commit: shards and re-runs">
            +{others} suite run{others > 1 ? 's' : ''} at this commit
          </span>
        ) : null}
        <span class="muted">{when(m.started_at)}</span>
      </div>
      <dl class="figures">
        <div>
          <dt>Pass rate</dt>
          <dd>{pct(m.pass_rate)}</dd>
        </div>
        <div>
          <dt>pass^k</dt>
          <dd>{pct(m.pass_hat_k)}</dd>
        </div>
        <div>
          <dt>Runs</dt>
          <dd>{m.counts?.runs ?? '—'}</dd>
        </div>
        <div>
          <dt>Cost</dt>
          <dd>{usd(m.cost?.total_usd)}</dd>
        </div>
        <div>
          <dt>p95 latency</dt>
          <dd>{ms(m.latency?.p95_ms)}</dd>
        </div>
        <div>
          <dt>Gates</dt>
          <dd class={m.gates_passed ? 'ok' : 'bad'}>{m.gates_passed ? 'passed' : 'failed'}</dd>
        </div>
      </dl>
      <nav class="links">{props.children}</nav>
    </header>
  );
}
