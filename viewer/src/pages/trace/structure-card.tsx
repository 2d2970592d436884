import type { RunRecord } from '../../../../core/src/index.js';
import { when } from '../../ui/format.js';
import { arr, num, obj, str } from '../../data/safe.js';

/** Items of one list the card draws; the rest are counted (a hostile record may hold 10^5). */
const ITEMS = 200;

const names = (v: unknown) => arr(v).filter((x): x is string => typeof x === 'string');
const edges = (v: unknown) =>
  arr(v).map((e) => `${str(obj(e).from) ?? '?'} → ${str(obj(e).to) ?? '?'}`);

function More({ total }: { total: number }) {
  return total > ITEMS ? <p class="muted small">… {total - ITEMS} more</p> : null;
}

/**
 * The multi-agent structure card (seed 001), multi-agent runs only: summary stats, attribution
 * integrity, the sub-agent roster, relationships, and the handoff timeline.
 */
export function StructureCard({ record: r }: { record: RunRecord }) {
  const card = obj(r.multi_agent);
  const summary = obj(card.summary);
  const attribution = obj(card.attribution);
  const divergence = obj(card.divergence);
  const roster = arr(card.roster);
  const relationships = arr(card.relationships);
  const handoffs = arr(card.handoff_timeline);
  const diverged = [
    ['declared only nodes', names(divergence.declared_only_nodes)],
    ['undeclared nodes', names(divergence.undeclared_nodes)],
    ['declared only edges', edges(divergence.declared_only_edges)],
    ['undeclared edges', edges(divergence.undeclared_edges)],
  ] as const;
  return (
    <section class="card structure-card" data-testid="structure-card">
      <h2>
        Multi-agent structure{' '}
        {summary.declared === true ? <span class="badge">declared</span> : null}
      </h2>
      <dl class="figures">
        <div>
          <dt>Sub-agents</dt>
          <dd>{num(summary.sub_agents) ?? '—'}</dd>
        </div>
        <div>
          <dt>Delegation depth</dt>
          <dd>{num(summary.delegation_depth) ?? '—'}</dd>
        </div>
        <div>
          <dt>Handoffs</dt>
          <dd>{num(summary.handoffs) ?? '—'}</dd>
        </div>
        <div>
          <dt>Derived calls</dt>
          <dd>{num(attribution.derived) ?? '—'}</dd>
        </div>
        <div>
          <dt>Credited via owner</dt>
          <dd>{num(attribution.credited_via_owner) ?? '—'}</dd>
        </div>
        <div>
          <dt>Unattributed</dt>
          <dd class={num(attribution.unattributed) ? 'bad' : ''}>
            {num(attribution.unattributed) ?? '—'}
          </dd>
        </div>
      </dl>
      {diverged.some(([, xs]) => xs.length) ? (
        <div class="divergence">
          <strong>Declared vs observed:</strong>
          {diverged.map(([label, xs]) =>
            xs.length ? (
              <div key={label}>
                <span class="muted">{label}:</span> {xs.slice(0, ITEMS).join(', ')}
                {xs.length > ITEMS ? ` … ${xs.length - ITEMS} more` : ''}
              </div>
            ) : null,
          )}
        </div>
      ) : (
        <p class="muted small">Observed structure matches what was declared.</p>
      )}
      <div class="structure-grid">
        <div>
          <h3>Roster</h3>
          <table class="plain">
            <thead>
              <tr>
                <th>Actor</th>
                <th>Tools</th>
                <th>Calls</th>
                <th>Provenance</th>
              </tr>
            </thead>
            <tbody>
              {roster.slice(0, ITEMS).map((a, i) => {
                const x = obj(a);
                return (
                  <tr key={i}>
                    <td>
                      <code>{str(x.actor) ?? '?'}</code>
                    </td>
                    <td class="small">{names(x.tools).join(', ')}</td>
                    <td class="num">{num(x.calls) ?? '—'}</td>
                    <td>
                      <span class="badge">{str(x.provenance) ?? '?'}</span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <More total={roster.length} />
        </div>
        <div>
          <h3>Relationships</h3>
          <table class="plain">
            <tbody>
              {relationships.slice(0, ITEMS).map((e, i) => {
                const x = obj(e);
                return (
                  <tr key={i} class={x.exercised === false ? 'muted' : ''}>
                    <td>
                      <code>{str(x.from) ?? '?'}</code> → <code>{str(x.to) ?? '?'}</code>
                    </td>
                    <td>{str(x.kind) ?? '?'}</td>
                    <td class="num">×{num(x.count) ?? 0}</td>
                    <td class="small">{x.exercised === false ? 'declared, unexercised' : ''}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <More total={relationships.length} />
          {handoffs.length ? (
            <>
              <h3>Handoff timeline</h3>
              <ol class="plain-list">
                {handoffs.slice(0, ITEMS).map((h, i) => {
                  const x = obj(h);
                  return (
                    <li key={i}>
                      <span class="muted small">{when(str(x.at))}</span>{' '}
                      <code>{str(x.from) ?? '?'}</code> → <code>{str(x.to) ?? '?'}</code>
                    </li>
                  );
                })}
              </ol>
              <More total={handoffs.length} />
            </>
          ) : null}
        </div>
      </div>
    </section>
  );
}
