import type { BranchIndex, RunRecord, SuiteManifest } from '../../../core/src/index.js';

/**
 * Where the viewer reads results from: the files of a results directory or branch, fetched
 * relative to the viewer (`../index.json` from `<root>/viewer/`), or the same files embedded in
 * a one-file report (`#gauntlet-data`). Every read is cached: pages ask again freely.
 */
export interface DataSource {
  read<T>(path: string): Promise<T>;
}

export class DataMissing extends Error {
  constructor(
    readonly path: string,
    why: string,
  ) {
    super(`${path}: ${why}`);
  }
}

/** The files a one-file report carries, by path under the results root. */
interface Embedded {
  files: Record<string, unknown>;
}

function embedded(doc: Document): Embedded | null {
  const el = doc.getElementById('gauntlet-data');
  if (!el?.textContent) return null;
  const data = JSON.parse(el.textContent) as Embedded;
  return data && typeof data.files === 'object' ? data : null;
}

export function openSource(doc: Document = document, base = new URL('../', doc.baseURI)) {
  const cache = new Map<string, Promise<unknown>>();
  const files = embedded(doc)?.files ?? null;
  const load = async (path: string): Promise<unknown> => {
    if (files) {
      if (!Object.hasOwn(files, path)) throw new DataMissing(path, 'not in this report');
      return files[path];
    }
    const res = await fetch(new URL(path, base), { cache: 'no-cache' });
    if (!res.ok) throw new DataMissing(path, `HTTP ${res.status}`);
    return res.json();
  };
  const source: DataSource = {
    read<T>(path: string) {
      if (!cache.has(path)) cache.set(path, load(path));
      return cache.get(path) as Promise<T>;
    },
  };
  return source;
}

/** A suite run id or run id as a path segment: never a way out of runs/. */
const segment = (id: string) => encodeURIComponent(id);

export const readIndex = (s: DataSource) => s.read<BranchIndex>('index.json');
export const readManifest = (s: DataSource, suiteRunId: string) =>
  s.read<SuiteManifest>(`runs/${segment(suiteRunId)}/manifest.json`);
export const readRecord = (s: DataSource, suiteRunId: string, runId: string) =>
  s.read<RunRecord>(`runs/${segment(suiteRunId)}/${segment(runId)}.json`);
