import type { RunRecord } from '../../../../core/src/index.js';
import { allChanges, safeState } from './ledger.js';
import { LedgerView } from './ledger-view.js';
import { arr, isObj, obj } from '../../data/safe.js';

/**
 * The ledger viewer for the run as a whole: the world as the run left it (State) and every
 * operation the run applied, call by call (Changes). Runs without tools have no ledger.
 */
export function WorldState({ record: r }: { record: RunRecord }) {
  if (!isObj(r.ledger)) return null;
  const ledger = obj(r.ledger);
  const ops = allChanges(r);
  const violations = arr(r.ledger_violations).length;
  return (
    <section class="card world-state" data-testid="world-state">
      <h2>
        World state <span class="muted small">after the run</span>
        {violations ? (
          <span class="chip chip-amber">
            {violations} ledger violation{violations === 1 ? '' : 's'}
          </span>
        ) : null}
      </h2>
      <LedgerView
        state={() => safeState(ledger.final ?? ledger.initial)}
        ops={ops}
        note={`${ops.length} op${ops.length === 1 ? '' : 's'} over the run`}
      />
    </section>
  );
}
