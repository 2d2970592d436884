import {
  completionWarning,
  ZERO_PROXY_CALLS_CAUSES,
  type RunRecord,
} from '../../../../core/src/index.js';
import { ErrorChip } from '../../ui/chips.js';
import { arr, obj, str } from '../../data/safe.js';
import { TextBlock } from './text-block.js';

/**
 * Under the header: the run's error (failed runs), the completion warning (seed 001's yellow
 * banner: completed, tools declared, zero proxy calls; the record carries it as a soft
 * warning) and the eval-phase banners (red: grading failed, diff or scorers may be missing).
 */
export function Banners({ record: r }: { record: RunRecord }) {
  const error = r.error ? obj(r.error) : null;
  const banners = arr(r.banners).filter((b): b is string => typeof b === 'string');
  const warning = completionWarning({ soft_warnings: arr(r.soft_warnings) } as RunRecord);
  const others = arr(r.soft_warnings).filter((w) => typeof w === 'string' && w !== warning);
  return (
    <>
      {error ? (
        <div class="banner banner-danger" role="alert" data-testid="run-error">
          <div class="banner-title">
            {str(error.class) ? <ErrorChip errorClass={str(error.class)!} /> : null}
            {str(error.code) ? <code>{str(error.code)}</code> : null}
            <span>{str(error.message) ?? 'the run failed'}</span>
          </div>
          {str(error.detail) ? (
            <details>
              <summary>Detail</summary>
              <TextBlock value={str(error.detail)} />
            </details>
          ) : null}
        </div>
      ) : null}
      {warning ? (
        <div class="banner banner-warning" role="alert" data-testid="completion-warning">
          <strong>Completed with tools declared but zero proxy calls.</strong>{' '}
          {ZERO_PROXY_CALLS_CAUSES}
        </div>
      ) : null}
      {banners.map((b, i) => (
        <div key={i} class="banner banner-danger" role="alert" data-testid="eval-banner">
          {b}
        </div>
      ))}
      {others.length ? (
        <p class="muted small">
          {others.length} soft warning{others.length === 1 ? '' : 's'}: see Debug below.
        </p>
      ) : null}
    </>
  );
}
