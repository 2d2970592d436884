import type { RunRecord } from '../../../../core/src/index.js';
import { href } from '../../route.js';
import { StatusChip, Verdict } from '../../ui/chips.js';
import { ms, usd, when } from '../../ui/format.js';
import { num, obj, str } from '../../data/safe.js';

/** Phase names as stored (`open_ms`) read as words (`open`). */
const phaseName = (k: string) => k.replace(/_ms$/, '').replace(/_/g, ' ');

/**
 * The run header strip (seed 001): agent name and version, status with its failure-mode chip,
 * the verdict, total cost with its agent / judge / simulator split, latency and phases.
 */
export function Header({ record: r, suiteRun }: { record: RunRecord; suiteRun: string }) {
  const agent = obj(r.agent);
  const cost = obj(r.cost);
  const error = obj(r.error);
  const trial = num(r.trial);
  // Phases in the order the run went through them (the record's order).
  const phases = Object.entries(obj(r.phases)).filter(([, v]) => num(v) !== null);
  return (
    <header class="trace-header" data-testid="trace-header">
      <div class="trace-title">
        <h1>
          {str(agent.name) ?? 'agent'}
          {str(agent.version) ? <span class="version">@{str(agent.version)}</span> : null}
        </h1>
        <StatusChip status={str(r.status) ?? 'unknown'} errorClass={str(error.class)} />
        <Verdict verdict={str(r.verdict)} />
        {r.confirmation === true ? <span class="badge">confirmation re-run</span> : null}
      </div>
      <div class="trace-sub muted">
        <span>
          task <strong>{str(r.task_id) ?? '?'}</strong>
          {trial !== null ? ` · trial ${trial}` : ''}
        </span>
        <span>
          suite <a href={href.explorer(suiteRun)}>{str(r.suite) ?? suiteRun}</a>
        </span>
        <span>{when(str(r.started_at))}</span>
        <span class="mono">{str(r.id)}</span>
      </div>
      <dl class="figures trace-figures">
        <div>
          <dt>Total cost</dt>
          <dd>{usd(num(cost.total_usd))}</dd>
        </div>
        <div class="split">
          <dt>Agent · Judge · Simulator</dt>
          <dd>
            {usd(num(cost.agent_usd))} · {usd(num(cost.judge_usd))} · {usd(num(cost.simulator_usd))}
          </dd>
        </div>
        <div>
          <dt>Latency</dt>
          <dd>{ms(num(r.latency_ms))}</dd>
        </div>
        <div>
          <dt>Tool calls</dt>
          <dd>{num(obj(r.tool_calls).total) ?? '—'}</dd>
        </div>
        {phases.length ? (
          <div class="phases">
            <dt>Phases</dt>
            <dd>
              {phases.map(([k, v]) => (
                <span key={k} class="phase">
                  {phaseName(k)} <strong>{ms(v as number)}</strong>
                </span>
              ))}
            </dd>
          </div>
        ) : null}
      </dl>
    </header>
  );
}
