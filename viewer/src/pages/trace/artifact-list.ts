import { storedName } from '../../../../core/src/index.js';
import { arr, isObj, num, str } from '../../data/safe.js';

/** One artifact as the trace lists it, read defensively from an untrusted record. */
export interface ArtifactRow {
  path: string;
  size: number | null;
  sha256: string | null;
  type: string;
  stored: boolean;
  note: string | null;
  preview: 'text' | 'image' | null;
}

/** Characters of a text artifact shown; the rest is a download. */
export const PREVIEW_CHARS = 64 * 1024;

const TEXT = /^(text\/|application\/(json|x-ndjson|ld\+json|yaml|xml)$|image\/svg\+xml$)/;
/** Images an img element shows; SVG is previewed as text, never rendered. */
const IMAGES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/**
 * The record's artifacts as rows. Today's records list entries; records written before
 * artifacts were collected hold plain path strings (nothing stored) or nothing at all.
 */
export function artifactRows(artifacts: unknown): ArtifactRow[] {
  return arr(artifacts).flatMap((a): ArtifactRow[] => {
    if (typeof a === 'string')
      return [
        { path: a, size: null, sha256: null, type: '', stored: false, note: null, preview: null },
      ];
    if (!isObj(a) || !str(a.path)) return [];
    const type = str(a.content_type) ?? 'application/octet-stream';
    const stored = a.stored === true;
    return [
      {
        path: str(a.path)!,
        size: num(a.size),
        sha256: str(a.sha256) || null,
        type,
        stored,
        note: str(a.note),
        preview: !stored ? null : IMAGES.has(type) ? 'image' : TEXT.test(type) ? 'text' : null,
      },
    ];
  });
}

/**
 * Where a stored artifact is, relative to the results root: runs/<suite run>/artifacts/<run>/
 * <stored name>, every segment percent-encoded on its own (a name cannot start a query or a
 * fragment), and an active name (.html, .svg, ...) with the `.txt` it is stored under. A
 * segment that is empty, `.` or `..` has no address (URLs resolve them, `%2e%2e` too): null.
 */
export function artifactHref(suiteRun: string, run: string, path: string): string | null {
  // The store's own rule (results/artifact-files.ts), so the two can never disagree.
  const stored = storedName(path);
  const segments = [suiteRun, 'artifacts', run, ...stored.split('/')];
  if (segments.some((s) => !s || s === '.' || s === '..')) return null;
  return ['runs', ...segments.map(encodeURIComponent)].join('/');
}

/** "12.3 KB" for a byte count (10^3 steps, as the caps count them). */
export function sizeText(n: number | null): string {
  if (n === null) return '';
  if (n < 1000) return `${n} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** JSON re-indented for reading when it parses; any other text as it is. */
export function previewText(type: string, text: string): string {
  if (type !== 'application/json') return text;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
