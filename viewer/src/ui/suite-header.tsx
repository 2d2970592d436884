import type { ComponentChildren } from 'preact';
import type { IndexEntry, SuiteManifest } from '../../../core/src/index.js';
import { num, obj, str } from '../data/safe.js';
import { ms, pct, shortSha, usd, when } from './format.js';

/**
 * What a suite run is: suite, commit, ref, PR, when, and its headline figures. The manifest is
 * untrusted (a results branch): every field is read by its type.
 */
export function SuiteHeader(props: {
  entry: IndexEntry;
  manifest: SuiteManifest;
  entries?: IndexEntry[];
  children?: ComponentChildren;
}) {
  const { entry } = props;
  const m = obj(props.manifest);
  const p = obj(m.provenance);
  const [commit, ref, pr] = [str(p.commit), str(p.ref), num(p.pr)];
  const others = (props.entries ?? []).length - 1;
  return (
    <header class="suite-header">
      <div class="title">
        <h1>{str(m.suite) ?? entry.suite}</h1>
        <span class="muted" title={entry.id}>
          {entry.id}
        </span>
        {commit ? <code title={commit}>{shortSha(commit)}</code> : null}
        {ref ? <span class="muted">{ref.replace(/^refs\/heads\//, '')}</span> : null}
        {pr ? <span class="badge">PR #{pr}</span> : null}
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
          <dd>{pct(num(m.pass_rate))}</dd>
        </div>
        <div>
          <dt>pass^k</dt>
          <dd>{pct(num(m.pass_hat_k))}</dd>
        </div>
        <div>
          <dt>Runs</dt>
          <dd>{num(obj(m.counts).runs) ?? '—'}</dd>
        </div>
        <div>
          <dt>Cost</dt>
          <dd>{usd(num(obj(m.cost).total_usd))}</dd>
        </div>
        <div>
          <dt>p95 latency</dt>
          <dd>{ms(num(obj(m.latency).p95_ms))}</dd>
        </div>
        <div>
          <dt>Gates</dt>
          <dd class={m.gates_passed === true ? 'ok' : 'bad'}>
            {m.gates_passed === true ? 'passed' : 'failed'}
          </dd>
        </div>
      </dl>
      <nav class="links">{props.children}</nav>
    </header>
  );
}
