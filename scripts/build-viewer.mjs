// Builds the static viewer (viewer/src, preact) into viewer/dist/{index.html,viewer.js,viewer.css}
// with esbuild. viewer/dist is committed, like action/dist: the Action writes it into the
// results branch and `gauntlet view` / `gauntlet report --html` serve or embed it, so a clean
// clone works without a build step. CI rebuilds it and fails when the commit is stale.
//
// The viewer imports the engine through core/src/index.ts, the one front door. That module
// also reaches Docker, git and the file system; in a browser bundle those imports are dropped
// as side-effect free (the engine's modules run nothing at import), and the build fails if any
// import survives, i.e. if the viewer really uses something that cannot run in a browser.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'viewer/dist');
const BROWSER_PACKAGES = /^(preact|uplot|diff2html|@tanstack\/virtual-core)(\/|$)/;

const engineForBrowser = {
  name: 'engine-for-browser',
  setup(build) {
    build.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === 'resolving' || args.kind === 'entry-point') return undefined;
      const bare = !args.path.startsWith('.') && !args.path.startsWith('/');
      if (bare && !BROWSER_PACKAGES.test(args.path))
        return { path: args.path, external: true, sideEffects: false };
      const r = await build.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: 'resolving',
      });
      if (r.errors.length) return { errors: r.errors };
      const engine = r.path.includes(`${join(root, 'core/src')}/`);
      return { path: r.path, ...(engine ? { sideEffects: false } : {}) };
    });
  },
};

const result = await esbuild.build({
  entryPoints: { viewer: join(root, 'viewer/src/main.tsx') },
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: out,
  write: false,
  logLevel: 'warning',
  plugins: [engineForBrowser],
  metafile: !!process.env.VIEWER_METAFILE,
});

await mkdir(out, { recursive: true });
for (const f of result.outputFiles) {
  const text = f.text;
  if (f.path.endsWith('.js')) {
    const left = [...text.matchAll(/(?:^|[;}\s])import\s*(?:[\w${},*\s]+from\s*)?["']([^"']+)["']/g)];
    if (left.length) {
      console.error(`viewer bundle still imports ${left.map((m) => m[1]).join(', ')}:`);
      console.error('the viewer uses an engine function that needs Node; move it out of reach');
      process.exit(1);
    }
  }
  await writeFile(f.path, text);
}
await writeFile(
  join(out, 'index.html'),
  await readFile(join(root, 'viewer/src/index.html'), 'utf8'),
);
// Pages serves the results branch as it is when this marker sits at its root (assets.ts).
await writeFile(join(out, '.nojekyll'), '');
const sizes = result.outputFiles.map((f) => `${f.path.slice(out.length + 1)} ${(f.contents.length / 1024).toFixed(0)} KiB`);
console.log(`viewer built: ${sizes.join(', ')}`);
if (process.env.VIEWER_METAFILE) console.log(await esbuild.analyzeMetafile(result.metafile));
