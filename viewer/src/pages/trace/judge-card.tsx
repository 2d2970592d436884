import { judgeAgreement, type RunRecord } from '../../../../core/src/index.js';
import { cls, Verdict } from '../../ui/chips.js';
import { ms, usd } from '../../ui/format.js';
import { num, obj, str, text } from '../../data/safe.js';

const AXES = [
  ['task_completion', 'Task completion', 'Whether the agent resolved the request'],
  [
    'instruction_adherence',
    'Instruction adherence',
    'Whether the world followed behavior_instructions',
  ],
  ['efficiency', 'Efficiency', 'Steps against the minimal path'],
] as const;

/** A rubric score 1..5 as five pips; null (not configured) as n/a. */
function Score({ value }: { value: number | null }) {
  const v = value !== null && value >= 1 && value <= 5 ? Math.round(value) : null;
  if (v === null) return <span class="score-na muted">n/a</span>;
  return (
    <span class={`score score-${v}`} title={`${v} of 5`}>
      {[1, 2, 3, 4, 5].map((i) => (
        <span key={i} class={i <= v ? 'pip on' : 'pip'} />
      ))}
      <strong>{v}/5</strong>
    </span>
  );
}

/**
 * The judge verdict card (seed 001): verdict, the three rubric scores (1 to 5, instruction
 * adherence null without behaviour instructions), failure mode, reasoning, the judge's model
 * and cost, and for a sampled judge how its samples agreed. No judge: NOT APPLICABLE.
 */
export function JudgeCard({ record: r }: { record: RunRecord }) {
  if (!r.judge || typeof r.judge !== 'object')
    return (
      <section class="card judge-card judge-na" data-testid="judge-card">
        <h2>
          Judge verdict <Verdict verdict="NOT APPLICABLE" />
        </h2>
        <p class="muted">
          {r.status === 'failed'
            ? 'The run failed before the judge could grade it.'
            : 'No judge graded this run (judge: none).'}
        </p>
      </section>
    );
  const j = r.judge;
  const scores = obj(j.scores);
  const samples = obj(j.samples);
  const agreement = judgeAgreement(j);
  const failure = str(j.failure_mode);
  return (
    <section class={`card judge-card judge-${cls(text(j.verdict))}`} data-testid="judge-card">
      <h2>
        Judge verdict <Verdict verdict={str(j.verdict)} />
        {failure ? <span class="chip chip-danger">{failure}</span> : null}
        {agreement ? (
          <span class={`badge ${samples.uncertain === true ? 'verdict-uncertain' : ''}`}>
            {agreement}
            {samples.uncertain === true ? ' · uncertain' : ''}
          </span>
        ) : null}
      </h2>
      {j.verdict !== 'NOT APPLICABLE' ? (
        <div class="scores">
          {AXES.map(([key, name, hint]) => (
            <div key={key} class="axis" title={hint}>
              <div class="axis-name">{name}</div>
              <Score value={num(scores[key])} />
            </div>
          ))}
        </div>
      ) : null}
      {str(j.reasoning) ? <p class="reasoning">{str(j.reasoning)}</p> : null}
      {str(j.error) ? <p class="bad small">Judge error: {str(j.error)}</p> : null}
      <p class="muted small">
        {str(j.model) ?? 'no model'} · {usd(num(j.cost_usd))} · {ms(num(j.latency_ms))}
      </p>
    </section>
  );
}
