import { ERROR_CLASSES, sourceBadge, type RowVerdict } from '../../../core/src/index.js';
import { text } from '../data/safe.js';

/** Run status with its failure-mode chip (seed 001): failed rows name their error class. */
export function StatusChip({ status, errorClass }: { status: string; errorClass?: string | null }) {
  return (
    <span class="status">
      <span class={`badge status-${cls(status)}`}>{status}</span>
      {errorClass ? <ErrorChip errorClass={errorClass} /> : null}
    </span>
  );
}

const HINTS: Record<string, string> = {
  danger: 'needs a fix on the agent side',
  warning: 'retry-friendly: often transient',
  amber: 'integration drift: config and agent disagree',
};

export function ErrorChip({ errorClass }: { errorClass: string }) {
  const known = Object.hasOwn(ERROR_CLASSES, errorClass)
    ? ERROR_CLASSES[errorClass as keyof typeof ERROR_CLASSES]
    : null;
  const palette = known?.palette ?? 'danger';
  return (
    <span class={`chip chip-${palette}`} title={`${errorClass}: ${HINTS[palette]}`}>
      {known?.chip ?? errorClass}
    </span>
  );
}

export function Verdict({ verdict }: { verdict: RowVerdict | string | null | undefined }) {
  const v = verdict ?? 'PENDING';
  return <span class={`badge verdict-${cls(v)}`}>{v}</span>;
}

export function SourceBadge({ source }: { source: string }) {
  return <span class={`badge source-${cls(source)}`}>{sourceBadge(source)}</span>;
}

/** A class-name-safe form of a stored value (records are untrusted). */
export const cls = (s: unknown) =>
  text(s)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-');
