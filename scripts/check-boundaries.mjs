// The boundary check (`npm run check:boundaries`; CI runs it from scripts/test.sh).
// dependency-cruiser applies the import rules in .dependency-cruiser.cjs; this script adds the
// rule it cannot express: no import cycle between core/src's top-level folders (config,
// models, results, ...). dependency-cruiser's folder rules see leaf folders, so a cycle through
// a subfolder (models -> agents/command, agents/python -> models) would pass them.
// The cycle rule covers the engine as built: test files and test-support are left out.
// Type-only imports count: a type shared both ways still ties two folders together.
import { fileURLToPath } from 'node:url';
import { cruise, format, getAvailableTranspilers } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const SOURCES = ['core/src', 'action/src', 'app/src', 'bench'];

/**
 * Folder imports that close a cycle today, each with the move that removes it. The check fails
 * on any other cycle, and on an entry here that no longer closes one (delete it then).
 */
const KNOWN_CYCLE_EDGES = {
  'models -> gateway':
    'models/environment.ts starts the judge loopback Gateway: move ModelEnvironment to ' +
    'pipeline/ (or session/); modelFormat, DEFAULT_KEY and ModelUnresolved stay in models/',
  'trajectory -> agents':
    'trajectory/normalise.ts and steps.ts import agent types: move the transcript format ' +
    '(presets) and the step-list types they need into trajectory/ (agents/ imports them)',
  'workspace -> agents':
    'workspace/seed.ts fetches sources with agents/python/{git,source,zip}.ts: move those ' +
    'fetchers to workspace/ (sources are a workspace concern), agents/ imports them',
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
// Without a TypeScript it can use, dependency-cruiser skips every .ts file and finds nothing.
if (!getAvailableTranspilers().find((t) => t.name === 'typescript')?.available) {
  console.error(
    'dependency-cruiser finds no TypeScript compiler API (it needs TypeScript 6 or older as ' +
      '`typescript` in node_modules; TypeScript 7 has none): run npm ci',
  );
  process.exit(1);
}
const options = await extractDepcruiseOptions('./.dependency-cruiser.cjs');
const tsConfig = extractTSConfig(options.tsConfig.fileName);
const { output: result } = await cruise(SOURCES, options, {}, { tsConfig });

if (!result.modules.some((m) => m.source === 'core/src/index.ts')) {
  console.error('dependency-cruiser read no TypeScript module: the check would prove nothing');
  process.exit(1);
}

let failed = false;
const rules = await format(result, { outputType: 'err' });
if (rules.exitCode !== 0) {
  process.stderr.write(rules.output);
  failed = true;
}

const graph = folderGraph(result.modules);
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
  `boundaries hold: ${result.summary.totalCruised} modules, ` +
    `${result.summary.totalDependenciesCruised} imports, no new folder cycle`,
);
