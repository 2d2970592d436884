import type { RunRecord } from '../../../../core/src/index.js';
import { useState } from 'preact/hooks';
import type { DataSource } from '../../data/source.js';
import {
  artifactHref,
  artifactRows,
  previewText,
  PREVIEW_CHARS,
  sizeText,
  type ArtifactRow,
} from './artifact-list.js';
import { Guarded } from './section.js';

/** A one-file report embeds its files (text artifacts among them); a site fetches them. */
const embedded = () => !!document.getElementById('gauntlet-data');
const urlOf = (href: string) => new URL(href, new URL('../', document.baseURI)).href;

/**
 * At most PREVIEW_CHARS of a text artifact: from the report's embedded files, or fetched from
 * this origin and read only as far as the preview needs (a 10 MB log is not downloaded whole).
 */
async function readPreview(source: DataSource, href: string): Promise<string> {
  if (embedded()) {
    const v = await source.read<unknown>(href);
    if (typeof v !== 'string') throw new Error('not embedded in this report');
    return v;
  }
  const res = await fetch(urlOf(href), { cache: 'no-cache' });
  if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (text.length <= PREVIEW_CHARS) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel().catch(() => undefined);
  return text;
}

/** A stored artifact's preview, loaded when opened: text as text (never markup), images as img. */
function Preview(props: { source: DataSource; row: ArtifactRow; href: string }) {
  const [state, setState] = useState<
    { kind: 'idle' } | { kind: 'text'; text: string } | { kind: 'error'; message: string }
  >({ kind: 'idle' });
  const { row, href } = props;
  const open = (e: Event) => {
    if (!(e.currentTarget as HTMLDetailsElement).open || state.kind !== 'idle') return;
    if (row.preview !== 'text') return;
    readPreview(props.source, href).then(
      (t) => setState({ kind: 'text', text: t }),
      (err: unknown) =>
        setState({ kind: 'error', message: err instanceof Error ? err.message : 'unreadable' }),
    );
  };
  return (
    <details class="artifact-preview" onToggle={open}>
      <summary class="small">Preview</summary>
      {row.preview === 'image' ? (
        embedded() ? (
          <p class="muted small">Images are not embedded in a one-file report.</p>
        ) : (
          <img src={urlOf(href)} alt={row.path} loading="lazy" style="max-width:100%" />
        )
      ) : state.kind === 'text' ? (
        <div class="text-block">
          <pre>{previewText(row.type, state.text.slice(0, PREVIEW_CHARS))}</pre>
          {state.text.length > PREVIEW_CHARS ? (
            <p class="muted small">
              The first {PREVIEW_CHARS / 1024} KiB are shown; open the file for the rest.
            </p>
          ) : null}
        </div>
      ) : state.kind === 'error' ? (
        <p class="muted small">Could not load the preview: {state.message}</p>
      ) : (
        <p class="muted small">Loading…</p>
      )}
    </details>
  );
}

function Row(props: { source: DataSource; suiteRun: string; run: string; row: ArtifactRow }) {
  const { row } = props;
  const href = row.stored ? artifactHref(props.suiteRun, props.run, row.path) : null;
  return (
    <tr data-testid="artifact-row">
      <td class="mono">
        {href && !embedded() ? (
          <a href={urlOf(href)} download={row.path.split('/').pop()}>
            {row.path}
          </a>
        ) : (
          row.path
        )}
        {href && row.preview ? <Preview source={props.source} row={row} href={href} /> : null}
      </td>
      <td class="small">{sizeText(row.size)}</td>
      <td class="small mono">{row.type}</td>
      <td class="small mono" title={row.sha256 ?? ''}>
        {row.sha256 ? row.sha256.slice(0, 12) : ''}
      </td>
      <td class="small">
        {row.stored ? (
          <span class="ok">stored{row.note ? ` (${row.note})` : ''}</span>
        ) : (
          <span class="bad">{row.note ?? 'not stored'}</span>
        )}
      </td>
    </tr>
  );
}

/**
 * What the agent left under /app/results (seed 002's artifacts): path, size, type, sha256, and
 * whether it was stored or why not; stored text and images preview in place. Hidden when the
 * run has none.
 */
export function Artifacts(props: { source: DataSource; suiteRun: string; record: RunRecord }) {
  const rows = artifactRows(props.record.artifacts);
  if (!rows.length) return null;
  const run = typeof props.record.id === 'string' ? props.record.id : '';
  return (
    <Guarded name="Artifacts">
      <section class="card artifacts" data-testid="artifacts">
        <h2>
          Artifacts <span class="muted small">{rows.length} under /app/results</span>
        </h2>
        <table class="plain">
          <thead>
            <tr>
              <th>Path</th>
              <th>Size</th>
              <th>Type</th>
              <th>sha256</th>
              <th>Stored</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <Row key={i} source={props.source} suiteRun={props.suiteRun} run={run} row={row} />
            ))}
          </tbody>
        </table>
      </section>
    </Guarded>
  );
}
