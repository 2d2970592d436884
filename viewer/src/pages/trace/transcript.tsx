import type { RunRecord } from '../../../../core/src/index.js';
import { StatusChip } from '../../ui/chips.js';
import { ms, usd, when } from '../../ui/format.js';
import { DiffSummary, DiffView } from './diff-view.js';
import { arr, isObj, num, obj, str } from '../../data/safe.js';
import { TextBlock } from './text-block.js';

/** Messages drawn per session; a runaway session is counted past this. */
const MESSAGES = 500;

/**
 * A session (multi-turn run): how it ran and ended, the transcript turn by turn, each turn's
 * status, cost and own diff (coding sessions). The cumulative diff is the run's final diff.
 */
export function Transcript({ record: r }: { record: RunRecord }) {
  const mt = obj(r.multi_turn);
  const transcript = arr(mt.transcript).filter(isObj);
  const turns = arr(mt.turns).filter(isObj);
  const byTurn = new Map<number, Record<string, unknown>>();
  for (const t of turns) if (num(t.turn) !== null) byTurn.set(num(t.turn)!, t);
  const numbers = [...new Set([...transcript.map((e) => num(e.turn) ?? 0), ...byTurn.keys()])].sort(
    (a, b) => a - b,
  );
  let budget = MESSAGES;
  return (
    <section class="card transcript" data-testid="transcript">
      <h2>
        Session{' '}
        <span class="muted small">
          {num(mt.turns_used) ?? turns.length} of {num(mt.max_turns) ?? '?'} turns ·{' '}
          {str(mt.simulator_mode) ?? '?'} user · {str(mt.memory_mode) ?? '?'} memory · ended:{' '}
          {str(mt.termination_reason) ?? 'unknown'}
        </span>
      </h2>
      {numbers.map((n) => {
        const turn = byTurn.get(n);
        const messages = transcript.filter((e) => (num(e.turn) ?? 0) === n);
        const drawn = messages.slice(0, Math.max(0, budget));
        budget -= messages.length;
        const error = obj(turn?.error);
        return (
          <div key={n} class="turn" data-turn={n}>
            <div class="turn-head">
              <strong>Turn {n}</strong>
              {turn ? (
                <>
                  <StatusChip status={str(turn.status) ?? '?'} errorClass={str(error.class)} />
                  <span class="muted small">
                    {ms(num(turn.latency_ms))} · {usd(num(turn.cost_usd))} ·{' '}
                    {num(turn.model_calls) ?? 0} model calls · {num(turn.tool_calls) ?? 0} tool
                    calls
                  </span>
                </>
              ) : null}
            </div>
            {drawn.map((e, i) => (
              <div
                key={i}
                class={`msg msg-${str(e.role) === 'assistant' ? 'assistant' : 'user'}${
                  e.closing === true ? ' closing' : ''
                }`}
              >
                <div class="msg-who muted small">
                  {str(e.role) ?? '?'} · {str(e.source) ?? '?'}
                  {e.closing === true ? ' · closing (not sent)' : ''} · {when(str(e.at))}
                </div>
                <TextBlock value={str(e.content) ?? ''} />
              </div>
            ))}
            {drawn.length < messages.length ? (
              <p class="muted small">… {messages.length - drawn.length} more messages</p>
            ) : null}
            {str(error.message) ? <p class="bad small">{str(error.message)}</p> : null}
            {turn && typeof turn.diff === 'string' && turn.diff.trim() ? (
              <details class="turn-diff" data-testid="turn-diff">
                <summary>
                  Turn {n} diff <DiffSummary diff={turn.diff} />
                </summary>
                <DiffView diff={turn.diff} />
              </details>
            ) : null}
          </div>
        );
      })}
    </section>
  );
}
