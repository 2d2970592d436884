import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveViewer } from '../../core/src/index.js';

/**
 * A results directory served as `gauntlet view` serves it (core's serveViewer: the results at /,
 * the built viewer at /viewer/, loopback, its headers and page policy), so the browser tests
 * and the bench look at what users get. No test framework here: the bench uses it too.
 */

/** The repository root: the first folder up from this module with a package.json (src or build). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
/** The built viewer (scripts/build-viewer.mjs writes it). */
export const VIEWER_DIST = join(repoRoot(), 'viewer', 'dist');

export interface Served {
  /** http://127.0.0.1:<port>/ (with the trailing slash). */
  url: string;
  /** The viewer's page: `${url}viewer/index.html`. */
  viewerUrl: string;
  close(): Promise<void>;
}

export async function serveDir(dir: string, opts: { viewerDir?: string } = {}): Promise<Served> {
  const s = await serveViewer({ resultsDir: dir, viewerDir: opts.viewerDir ?? VIEWER_DIST });
  return { url: `${s.origin}/`, viewerUrl: `${s.origin}/viewer/index.html`, close: s.close };
}
