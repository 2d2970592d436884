import type { RunRecord } from '../../../../core/src/index.js';
import { useState } from 'preact/hooks';
import { cls } from '../../ui/chips.js';
import { arr, isObj, num, str } from '../../data/safe.js';
import { TextBlock } from './text-block.js';

/**
 * Scorer badges (seed 001): one per scorer or expect: check with PASS / FAIL, its check kind
 * and score, a tail that expands (the failing test output), and the OVERALL summary.
 */
export function Scorers({ record: r }: { record: RunRecord }) {
  const scorers = arr(r.scorers).filter(isObj);
  const overall = str(r.overall);
  const [open, setOpen] = useState<number | null>(null);
  if (!scorers.length && !overall) return null;
  const shown = open !== null ? scorers[open] : null;
  return (
    <section class="card scorers" data-testid="scorers">
      <h2>
        Scorers{' '}
        {overall ? (
          <span class={`badge overall overall-${cls(overall)}`} data-testid="overall">
            OVERALL {overall}
          </span>
        ) : (
          <span class="muted small" data-testid="overall">
            no OVERALL (the judge's verdict stands)
          </span>
        )}
      </h2>
      <div class="scorer-badges">
        {scorers.map((s, i) => {
          const passed = s.passed === true;
          const tail = str(s.tail);
          const score = num(s.score);
          return (
            <button
              key={i}
              type="button"
              class={`scorer ${passed ? 'pass' : 'fail'}${open === i ? ' active' : ''}`}
              data-testid="scorer"
              aria-expanded={open === i}
              disabled={!tail}
              title={tail ? 'Show the output tail' : undefined}
              onClick={() => setOpen(open === i ? null : i)}
            >
              <span class="scorer-mark">{passed ? '✓' : '✗'}</span>
              <span class="scorer-name">{str(s.name) ?? '?'}</span>
              {str(s.check) ? <span class="scorer-check">{str(s.check)}</span> : null}
              {score !== null ? <span class="scorer-score">{score}</span> : null}
              <span class={`badge ${passed ? 'verdict-pass' : 'verdict-fail'}`}>
                {passed ? 'PASS' : 'FAIL'}
              </span>
              {tail ? <span class="caret">{open === i ? '▾' : '▸'}</span> : null}
            </button>
          );
        })}
      </div>
      {shown && str(shown.tail) ? (
        <div class="scorer-tail" data-testid="scorer-tail">
          <div class="field-name">{str(shown.name)}: output tail</div>
          <TextBlock value={str(shown.tail)} />
        </div>
      ) : null}
    </section>
  );
}
