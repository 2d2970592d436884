// The boundary check (`npm run check:boundaries`; CI runs it from scripts/test.sh):
//   1. action/, app/ and examples/ import the engine from core/src/index.ts only (test-support
//      excepted);
//   2. core/src imports no GitHub platform package (@actions/*, @octokit/*, probot);
//   3. core/src imports no entry point (action/, app/, bench/, bin/), nor its own front door;
//   4. no import cycle between core/src's top-level folders (config, models, results, ...).
// Type-only imports count: a type shared both ways still ties two folders together. The cycle
// rule covers the engine as built: test files and test-support are left out.
// Imports are read from the sources themselves (static import/export ... from, and import()):
// the formatter keeps them in one shape, and the field's tool for this (dependency-cruiser)
// needs TypeScript's JavaScript compiler API, which TypeScript 7, our compiler, no longer has.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCES = ['core/src', 'action/src', 'app/src', 'bench', 'examples'];

/**
 * Folder imports that close a cycle today, each with the move that removes it. The check fails
 * on any other cycle, and on an entry here that no longer closes one (delete it then).
 */
const KNOWN_CYCLE_EDGES = {
  'models -> gateway':
    'models/environment.ts starts the judge loopback Gateway: move ModelEnvironment to ' +
    'pipeline/ (or session/); modelFormat, DEFAULT_KEY and ModelUnresolved stay in models/',
};

const topFolder = (path) => /^core\/src\/([^/]+)\//.exec(path)?.[1];
const isEngine = (path) => !/\.test\.ts$/.test(path) && !path.includes('/test-support/');

/** Folder -> folder -> the module imports behind that folder edge. */
function folderGraph(modules) {
  const graph = new Map();
  for (const m of modules) {
    const from = topFolder(m.source);
    if (!from || !isEngine(m.source)) continue;
    for (const d of m.dependencies) {
      if (d.package) continue;
      const to = topFolder(d.resolved);
      if (!to || to === from || !isEngine(d.resolved)) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      const edges = graph.get(from);
      if (!edges.has(to)) edges.set(to, []);
      edges.get(to).push(`${m.source} -> ${d.resolved}`);
    }
  }
  return graph;
}

/** Strongly connected components (Tarjan) with more than one folder: the cycles. */
function cycles(graph, skip = new Set()) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const found = [];
  const visit = (v) => {
    index.set(v, index.size);
    low.set(v, index.get(v));
    stack.push(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (skip.has(`${v} -> ${w}`)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) !== index.get(v)) return;
    const component = [];
    let w;
    do {
      w = stack.pop();
      component.push(w);
    } while (w !== v);
    if (component.length > 1) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

process.chdir(fileURLToPath(new URL('..', import.meta.url)));

/** Every .ts file under a folder, as a repository-relative path. */
function sources(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'"`;]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** What a module imports: relative imports resolved to .ts files, packages by name. */
function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const out = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    if (!spec.startsWith('.')) {
      out.push({ resolved: spec, package: true });
      continue;
    }
    const base = join(dirname(file), spec).replace(/\.js$/, '');
    const resolved = [`${base}.ts`, join(base, 'index.ts')].find((p) => existsSync(p));
    out.push({ resolved: resolved ?? `${base} (unresolved)`, package: false });
  }
  return out;
}

const modules = SOURCES.flatMap(sources).map((source) => ({
  source,
  dependencies: importsOf(source),
}));
if (!modules.some((m) => m.source === 'core/src/index.ts')) {
  console.error('core/src/index.ts was not read: the check would prove nothing');
  process.exit(1);
}

let failed = false;
const PLATFORM = /^(@actions\/|@octokit\/|probot(\/|$))/;
const broken = (rule, m, d) => {
  failed = true;
  console.error(`${rule}: ${m.source} -> ${d.resolved}`);
};
for (const m of modules) {
  const testSupport = m.source.includes('/test-support/');
  for (const d of m.dependencies) {
    if (/^((action|app)\/src|examples)\//.test(m.source) && !testSupport && !d.package) {
      const core = d.resolved.startsWith('core/');
      if (core && d.resolved !== 'core/src/index.ts' && !d.resolved.startsWith('core/src/test-support/'))
        broken('entry-points-use-the-front-door (import core/src/index.ts)', m, d);
    }
    if (!m.source.startsWith('core/src/')) continue;
    if (d.package && PLATFORM.test(d.resolved))
      broken('core-is-platform-free (platform I/O lives in action/ and app/)', m, d);
    if (!d.package && /^(action|app|bench|bin)\//.test(d.resolved))
      broken('core-does-not-import-entry-points', m, d);
    if (
      d.resolved === 'core/src/index.ts' &&
      m.source !== 'core/src/index.ts' &&
      !m.source.endsWith('.test.ts')
    )
      broken('core-does-not-import-its-front-door (import the module itself)', m, d);
  }
}

const graph = folderGraph(modules);
const known = new Set(Object.keys(KNOWN_CYCLE_EDGES));
for (const component of cycles(graph, known)) {
  failed = true;
  console.error(`import cycle between core/src folders: ${component.join(', ')}`);
  const members = new Set(component);
  for (const from of component)
    for (const [to, imports] of graph.get(from) ?? [])
      if (members.has(to) && !known.has(`${from} -> ${to}`)) {
        console.error(`  ${from} -> ${to}:`);
        for (const i of imports.slice(0, 5)) console.error(`    ${i}`);
        if (imports.length > 5) console.error(`    ... and ${imports.length - 5} more`);
      }
}
const cyclic = cycles(graph);
for (const [edge, fix] of Object.entries(KNOWN_CYCLE_EDGES)) {
  const [from, to] = edge.split(' -> ');
  const inCycle = cyclic.some((c) => c.includes(from) && c.includes(to));
  if (graph.get(from)?.has(to) && inCycle) {
    console.warn(`known folder cycle, to fix: ${edge} (${fix})`);
  } else {
    failed = true;
    console.error(`${edge} closes no folder cycle now: delete it from KNOWN_CYCLE_EDGES`);
  }
}

if (failed) process.exit(1);
console.log(
  `boundaries hold: ${modules.length} modules, ` +
    `${modules.reduce((n, m) => n + m.dependencies.length, 0)} imports, no new folder cycle`,
);
