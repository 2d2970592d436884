/**
 * Readers for fields of untrusted results files (records, manifests, index.json): a file from an
 * older version, another tool or a hostile branch may lack any field or hold the wrong type. Each
 * reader returns a safe default instead of throwing, so one odd field empties one cell or one
 * section, never the page. Never call String() on such a value: an object like
 * `{"toString": 1}` makes String() throw; `text` is the reader that never does.
 */
export const arr = <T = unknown>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

export const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export const num = (v: unknown): number | null =>
  typeof v === 'number' && Number.isFinite(v) ? v : null;

export const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export const obj = (v: unknown): Record<string, unknown> => (isObj(v) ? v : {});

/**
 * A value as text: strings as they are, anything else as JSON. Never throws: a value nested too
 * deep for JSON.stringify (JSON.parse takes any depth) reads as its kind.
 */
export function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  try {
    return JSON.stringify(v, null, 2) ?? Object.prototype.toString.call(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}
