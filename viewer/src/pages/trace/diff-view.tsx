import { useMemo, useState } from 'preact/hooks';
import { diffTotals, parseDiff, type DiffFileView } from './diff.js';

/** Lines drawn before "Show more": a generated lockfile must not stall the page. */
const LINES = 2000;

function File({ file, budget }: { file: DiffFileView; budget: number }) {
  const [more, setMore] = useState(false);
  const lines = more ? file.lines : file.lines.slice(0, budget);
  return (
    <div class="diff-file">
      <div class="diff-file-head">
        <span class={`badge diff-${file.status}`}>{file.status}</span>
        <code>{file.from ? `${file.from} → ${file.name}` : file.name}</code>
        <span class="diff-stat">
          <span class="ok">+{file.added}</span> <span class="bad">−{file.removed}</span>
        </span>
      </div>
      {lines.length ? (
        <div class="diff-lines" role="table">
          {lines.map((l, i) => (
            <div key={i} class={`dl dl-${l.kind}`}>
              <span class="ln">{l.old ?? ''}</span>
              <span class="ln">{l.new ?? ''}</span>
              <span class="dt">{l.text}</span>
            </div>
          ))}
        </div>
      ) : null}
      {lines.length < file.lines.length ? (
        <button type="button" class="link-button" onClick={() => setMore(true)}>
          Show {file.lines.length - lines.length} more lines
        </button>
      ) : null}
    </div>
  );
}

/** A unified diff, red and green, drawn as text from the parsed lines. */
export function DiffView({ diff }: { diff: unknown }) {
  const files = useMemo(() => parseDiff(diff), [diff]);
  if (!files.length) return <p class="muted small">(no changes)</p>;
  let budget = LINES;
  return (
    <div class="diff">
      {files.map((f, i) => {
        const mine = Math.max(20, budget);
        budget -= f.lines.length;
        return <File key={i} file={f} budget={mine} />;
      })}
    </div>
  );
}

/** "3 files, +12 −4" for a heading. */
export function DiffSummary({ diff }: { diff: unknown }) {
  const t = diffTotals(useMemo(() => parseDiff(diff), [diff]));
  return (
    <span class="diff-stat">
      {t.files} file{t.files === 1 ? '' : 's'} <span class="ok">+{t.added}</span>{' '}
      <span class="bad">−{t.removed}</span>
    </span>
  );
}

/**
 * The final diff (seed 001): everything the agent changed against the seeded baseline, one
 * unified diff. Hidden when the run has none (a ledger run looks unchanged).
 */
export function FinalDiff({ diff }: { diff: unknown }) {
  if (typeof diff !== 'string' || !diff.trim()) return null;
  return (
    <section class="card final-diff" data-testid="final-diff">
      <h2>
        Final diff <DiffSummary diff={diff} />
      </h2>
      <DiffView diff={diff} />
    </section>
  );
}
