import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../util/paths.js';

/**
 * The built viewer (issue #14): three files made by `node scripts/build-viewer.mjs` into
 * viewer/dist/ and committed. Every surface that shows the viewer (the local server, the
 * one-file report, the results branch) takes it from here.
 */

/** The built viewer's files, by name; the site layout puts them under viewer/. */
export const VIEWER_FILES = ['index.html', 'viewer.js', 'viewer.css'] as const;
export type ViewerFile = (typeof VIEWER_FILES)[number];

/** Overrides where the built viewer is looked for (a directory holding VIEWER_FILES). */
export const VIEWER_DIR_ENV = 'GAUNTLET_VIEWER_DIR';

export class ViewerNotBuilt extends Error {
  constructor(
    /** The directories looked in, in order. */
    readonly searched: string[],
    /** Per directory, the files it lacked. */
    readonly missing: Record<string, string[]>,
  ) {
    const where = searched.map((d) => `  ${d}: missing ${missing[d].join(', ')}`).join('\n');
    super(
      `the built viewer was not found (${VIEWER_FILES.join(', ')}):\n${where}\n` +
        `Fix: run \`npm run build\` in the gauntlet checkout (it builds viewer/dist), or set ` +
        `${VIEWER_DIR_ENV} to a directory holding the built viewer.`,
    );
  }
}

function missingIn(dir: string): string[] {
  return VIEWER_FILES.filter((f) => {
    const p = join(dir, f);
    return !existsSync(p) || !statSync(p).isFile();
  });
}

/**
 * Where the viewer is looked for, in order: the override; `<dir of this module>/viewer`,
 * which is `action/dist/viewer` inside the Action's bundle (bundled code reads the bundle's
 * own URL); `viewer/dist` of the package root, found the same way from sources (vitest) and
 * from build/ after tsc.
 */
export function viewerCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env[VIEWER_DIR_ENV]) return [resolve(env[VIEWER_DIR_ENV]!)];
  const here = dirname(fileURLToPath(import.meta.url));
  const out = [join(here, 'viewer')];
  try {
    out.push(join(packageRoot(), 'viewer', 'dist'));
  } catch {
    /* a bundle copied outside a checkout has no package root: its own viewer/ is the place */
  }
  return out;
}

/** The first directory holding every file of the built viewer; ViewerNotBuilt names the fix. */
export function viewerDir(env: NodeJS.ProcessEnv = process.env): string {
  const searched = viewerCandidates(env);
  const missing: Record<string, string[]> = {};
  for (const dir of searched) {
    missing[dir] = missingIn(dir);
    if (!missing[dir].length) return dir;
  }
  throw new ViewerNotBuilt(searched, missing);
}

/**
 * The built viewer as the results branch holds it: viewer/index.html, viewer.js, viewer.css
 * beside index.json (GitBranchOptions.site), so Pages serves the branch as the viewer's site.
 */
export function viewerSiteFiles(dir: string = viewerDir()): { path: string; file: string }[] {
  checkViewerDir(dir);
  const files = VIEWER_FILES.map((f) => ({ path: `viewer/${f}`, file: join(dir, f) }));
  // An empty .nojekyll at the branch root makes Pages serve the files as they are instead of
  // running Jekyll over every record first (slow on a long history).
  const noJekyll = join(dir, NO_JEKYLL);
  return existsSync(noJekyll) ? [...files, { path: NO_JEKYLL, file: noJekyll }] : files;
}

/** The marker file GitHub Pages reads to skip its Jekyll build. */
export const NO_JEKYLL = '.nojekyll';

export type ViewerAssets = Record<ViewerFile, string>;

/** The directory, when it holds every file of the built viewer; else ViewerNotBuilt. */
export function checkViewerDir(dir: string): string {
  const missing = missingIn(dir);
  if (missing.length) throw new ViewerNotBuilt([dir], { [dir]: missing });
  return dir;
}

/** The built viewer's three files as text. */
export function readViewerAssets(dir: string = viewerDir()): ViewerAssets {
  checkViewerDir(dir);
  return Object.fromEntries(
    VIEWER_FILES.map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
  ) as ViewerAssets;
}
