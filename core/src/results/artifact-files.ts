import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactEntry } from './record.js';

/** What a run left under /app/results (workspace/artifacts.ts collects it): the manifest, and the bytes of what is stored. */
export interface CollectedArtifacts {
  entries: ArtifactEntry[];
  /** Path -> the bytes to store (text already redacted); refused files are absent. */
  files: Map<string, Buffer>;
  /** What a cap cut, for the record's soft warnings. */
  warnings: string[];
  /** Set when reading them failed part-way: what was read stands, and the record says so. */
  error?: string;
}

/** A run's artifacts folder inside its suite run's folder (directory store and branch alike). */
export const ARTIFACTS_DIR = 'artifacts';

/**
 * Whether a path can name a stored file: '/'-separated plain segments (no empty, `.` or `..`
 * segment, no backslash, no control character), at most 1,024 characters. The collector only
 * keeps such paths; the stores check again before they write or push one.
 */
export function isPlainRelative(path: string): boolean {
  return (
    !!path &&
    path.length <= 1024 &&
    !/[\u0000-\u001f\u007f-\u009f\\]/.test(path) &&
    path.split('/').every((s) => !!s && s !== '.' && s !== '..')
  );
}

/**
 * Extensions a static host (GitHub Pages) would serve as a live page or script on the viewer's
 * own origin. Such an artifact is stored as `<path>.txt`, so wherever the results are served it
 * is text; the record keeps the path as found, and the viewer asks for the stored name. The
 * XML family counts: a browser renders any xml or +xml type (feeds, RDF, MathML, KML, XLIFF,
 * SMIL, ... as the host's MIME table maps them) as a document whose XHTML <script> runs, so
 * those extensions are listed, and any extension ending in `xml`.
 */
const ACTIVE = new RegExp(
  '\\.(html?|xhtml|xht|shtml|svgz?|xsl|xslt|js|mjs|cjs|css|swf|wasm|[a-z0-9]*xml|' +
    'rdf|owl|rss|atom|atomcat|atomsvc|mml|mathml|xsd|rng|kml|gpx|gml|wsdl|wspolicy|xlf|' +
    'xliff|smi|smil|xspf|xul|xaml|dbk|opf|ncx|tei|teicorpus|xop|xenc|xdf|xer|yin|rsd|rif|' +
    'rl|rs|srx|sbml|shf|mads|mets|mods|mrcx|meta4|mscml|ink|inkml|davmount|emma|ccxml|' +
    'grxml|ssml|pls|xpl|xvm|xvml|xdm|xdp|xfdf|uoml|zmm|osfpvg|dd2|gxf|xbd|cdxml|xhvml)$',
  'i',
);

/** The name an artifact is stored under, relative to its run's artifacts folder. */
export function storedName(path: string): string {
  return ACTIVE.test(path) ? `${path}.txt` : path;
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/**
 * Writes a run's stored artifacts, byte for byte, to `<suiteDir>/artifacts/<runId>/<stored
 * name>` (the path, or `<path>.txt` for what a host would serve as a live page).
 * They are written into a hidden staging folder that is renamed into place at the end, so the
 * folder is whole or absent (the branch writer skips hidden staging folders). Returns the paths
 * that could not be written (a file and a folder of one name on a case-insensitive disk, say),
 * with why; the rest are written.
 */
export async function writeArtifactFiles(
  suiteDir: string,
  runId: string,
  files: ReadonlyMap<string, Buffer>,
): Promise<Map<string, string>> {
  const failed = new Map<string, string>();
  if (!files.size) return failed;
  if (!RUN_ID.test(runId)) throw new Error(`run id ${JSON.stringify(runId)} is not a plain name`);
  const root = join(suiteDir, ARTIFACTS_DIR);
  const stage = join(root, `.${runId}.partial-${process.pid}`);
  await rm(stage, { recursive: true, force: true });
  await mkdir(stage, { recursive: true });
  for (const [path, data] of files) {
    if (!isPlainRelative(path)) {
      failed.set(path, 'not a plain relative path');
      continue;
    }
    try {
      const file = join(stage, ...storedName(path).split('/'));
      await mkdir(join(file, '..'), { recursive: true });
      await writeFile(file, data, { flag: 'wx' });
    } catch (e) {
      failed.set(path, `could not be written: ${(e as Error).message.slice(0, 200)}`);
    }
  }
  const dest = join(root, runId);
  await rm(dest, { recursive: true, force: true });
  await rename(stage, dest);
  return failed;
}
