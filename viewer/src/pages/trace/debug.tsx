import type { RunRecord } from '../../../../core/src/index.js';
import { arr, obj, str } from '../../data/safe.js';
import { Field, TextBlock } from './text-block.js';

/**
 * The debug panel (seed 001), collapsed: the raw response, stdout and stderr tails, the
 * exception, soft warnings, and where the run came from.
 */
export function Debug({ record: r }: { record: RunRecord }) {
  const d = obj(r.debug);
  const ex = obj(d.exception);
  const warnings = arr(r.soft_warnings).filter((w): w is string => typeof w === 'string');
  const violations = arr(r.ledger_violations);
  return (
    <details class="card debug" data-testid="debug">
      <summary>
        Debug{' '}
        <span class="muted small">
          {warnings.length} soft warning{warnings.length === 1 ? '' : 's'}
          {str(ex.type) ? ` · exception ${str(ex.type)}` : ''}
        </span>
      </summary>
      {warnings.length ? (
        <div class="field">
          <div class="field-name">Soft warnings</div>
          <ul class="plain-list">
            {warnings.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {str(ex.type) || str(ex.message) ? (
        <div class="field">
          <div class="field-name bad">
            Exception {str(ex.type)}: {str(ex.message)}
          </div>
          <TextBlock value={str(ex.traceback)} empty="(no traceback)" />
        </div>
      ) : null}
      {violations.length ? <Field name="Ledger violations" value={violations} /> : null}
      <Field name="Raw response" value={d.raw_response} empty="(none)" />
      <Field name="stdout (tail)" value={d.stdout_tail} empty="(empty)" />
      <Field name="stderr (tail)" value={d.stderr_tail} empty="(empty)" />
      {r.cli_usage != null ? (
        <Field name="CLI usage (as the CLI reported it)" value={r.cli_usage} />
      ) : null}
      <Field name="Provenance" value={r.provenance} />
    </details>
  );
}
