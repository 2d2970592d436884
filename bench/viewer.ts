/**
 * The viewer in a real browser (Debian's chromium through playwright-core), over a generated
 * results dir (bench/viewer-data.ts) served on loopback. Prints figures (median of 5 page
 * loads each, a fresh browser context per load) and OK/OVER per target; exits 1 only when it
 * cannot measure (no built viewer, no chromium, a page that never shows its test hooks).
 *   npm run bench            (or: npm run -s build && node build/bench/viewer.js)
 * 1. Explorer over 10,000 runs: navigation start to [data-page="explorer"] and to the first
 *    [data-row] on screen (target < 1 s).
 * 2. Agent Trace of a 5,000-step record: navigation to #/trace/... to the first [data-step] on
 *    screen, and to the last top-level section of [data-page="trace"] (its element children)
 *    added (target < 1 s).
 * BENCH_VIEWER_RUNS, BENCH_VIEWER_STEPS, BENCH_VIEWER_TIMEOUT_MS and BENCH_VIEWER_DIST (another
 * viewer build) change what it measures.
 * Times are the page's own performance.now() (0 = navigation start), taken by a
 * MutationObserver installed before navigation (addInitScript): `dom` when the element exists,
 * `painted` in the task after the next animation frame, i.e. once that frame is drawn. No sleeps
 * are measured; a quiet period only decides when the trace's sections are done.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import type { Browser } from 'playwright-core';
import { chromiumPath, launchBrowser, loopbackContext } from '../tests/support/chromium.js';
import { serveDir } from '../tests/support/serve-dir.js';
import { repoRoot, writeBenchResults } from './viewer-data.js';

const RUNS = Number(process.env.BENCH_VIEWER_RUNS ?? 10_000);
const STEPS = Number(process.env.BENCH_VIEWER_STEPS ?? 5_000);
const REPEAT = 5;
const TARGET_MS = 1_000;
/** How long a page may take to show its hooks before the bench gives up (the page is missing). */
const TIMEOUT_MS = Number(process.env.BENCH_VIEWER_TIMEOUT_MS ?? 20_000);
/** The trace's sections are done once none has been added for this long. */
const QUIET_MS = 500;

const repo = repoRoot();
const fail = (msg: string): never => {
  console.error(`viewer bench: ${msg}`);
  process.exit(1);
};

interface Target {
  name: string;
  selector: string;
  /** Wait for an element on screen (non-empty box inside the viewport), not just in the DOM. */
  visible: boolean;
}
interface Marks {
  marks: Record<string, number>;
  sections: number;
  lastSectionAt: number | null;
}

/**
 * Installed before any page script: records performance.now() when each target first matches
 * (`<name>:dom`) and after the frame that shows it (`<name>`), and tracks the element children
 * of `sectionsOf` (count, and when the last one was added).
 */
function observe(cfg: { targets: Target[]; sectionsOf: string | null }) {
  const state: Marks = { marks: {}, sections: 0, lastSectionAt: null };
  (window as unknown as { __bench: Marks }).__bench = state;
  const onScreen = (el: Element) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight;
  };
  const check = () => {
    for (const t of cfg.targets) {
      if (state.marks[`${t.name}:dom`] !== undefined) continue;
      const el = document.querySelector(t.selector);
      if (!el || (t.visible && !onScreen(el))) continue;
      state.marks[`${t.name}:dom`] = performance.now();
      requestAnimationFrame(() => {
        const ch = new MessageChannel();
        ch.port1.onmessage = () => (state.marks[t.name] = performance.now());
        ch.port2.postMessage(0);
      });
    }
    if (cfg.sectionsOf) {
      const root = document.querySelector(cfg.sectionsOf);
      if (root && root.childElementCount > state.sections) {
        state.sections = root.childElementCount;
        state.lastSectionAt = performance.now();
      }
    }
  };
  new MutationObserver(check).observe(document, {
    childList: true,
    subtree: true,
    attributes: true,
  });
}

/**
 * One fresh load of `url`: the marks once every target is painted (and sections are quiet), or
 * why not.
 */
async function load(
  browser: Browser,
  url: string,
  targets: Target[],
  sectionsOf: string | null,
): Promise<Marks | string> {
  const { context } = await loopbackContext(browser, { viewport: { width: 1440, height: 900 } });
  try {
    await context.addInitScript(observe, { targets, sectionsOf });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url, { waitUntil: 'commit' });
    const names = targets.map((t) => t.name);
    try {
      await page.waitForFunction(
        ({ names, quiet, sections }) => {
          const b = (window as unknown as { __bench?: Marks }).__bench;
          if (!b || !names.every((n) => b.marks[n] !== undefined)) return false;
          return (
            !sections || (b.lastSectionAt !== null && performance.now() - b.lastSectionAt > quiet)
          );
        },
        { names, quiet: QUIET_MS, sections: sectionsOf !== null },
        { timeout: TIMEOUT_MS, polling: 50 },
      );
    } catch {
      const got = await page.evaluate(() => (window as unknown as { __bench?: Marks }).__bench);
      const missing = targets.filter((t) => got?.marks[t.name] === undefined);
      return (
        `${url.slice(url.indexOf('#'))}: no ${missing.map((t) => t.selector).join(', ')} within ` +
        `${TIMEOUT_MS / 1000} s (does this viewer build have that page and its test hooks?)` +
        (errors.length ? `; page errors: ${errors.slice(0, 3).join(' | ')}` : '')
      );
    }
    return await page.evaluate(() => (window as unknown as { __bench: Marks }).__bench);
  } finally {
    await context.close();
  }
}

/** REPEAT fresh loads, or why a load could not be measured (the rest are skipped then). */
async function repeat(
  browser: Browser,
  url: string,
  targets: Target[],
  sectionsOf: string | null = null,
): Promise<Marks[] | string> {
  const out: Marks[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const m = await load(browser, url, targets, sectionsOf);
    if (typeof m === 'string') return m;
    out.push(m);
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${Math.round(x)} ms`;

function validate(dir: string, suiteRunId: string, runId: string) {
  const ajv = new Ajv({ strict: false });
  for (const [schema, file] of [
    ['suite-manifest.schema.json', join(dir, 'runs', suiteRunId, 'manifest.json')],
    ['run-record.schema.json', join(dir, 'runs', suiteRunId, `${runId}.json`)],
  ]) {
    const check = ajv.compile(JSON.parse(readFileSync(join(repo, 'schemas', schema), 'utf8')));
    if (!check(JSON.parse(readFileSync(file, 'utf8'))))
      fail(`generated ${file} does not fit ${schema}: ${JSON.stringify(check.errors?.[0])}`);
  }
}

async function main() {
  // BENCH_VIEWER_DIST: bench another build of the viewer (as is: it is not rebuilt).
  const viewerDir = process.env.BENCH_VIEWER_DIST || join(repo, 'viewer', 'dist');
  if (!process.env.BENCH_VIEWER_DIST && existsSync(join(repo, 'scripts', 'build-viewer.mjs')))
    execFileSync('node', [join(repo, 'scripts', 'build-viewer.mjs')], { stdio: 'inherit' });
  if (!existsSync(join(viewerDir, 'index.html')))
    fail('the viewer is not built (no viewer/dist/index.html, no scripts/build-viewer.mjs)');
  if (!existsSync(chromiumPath()))
    fail(`no chromium at ${chromiumPath()}: run scripts/ensure-chromium.sh (or set CHROMIUM_PATH)`);

  const dir = await mkdtemp(join(tmpdir(), 'gauntlet-bench-viewer-'));
  const served = { close: async () => {} };
  let browser: Browser | undefined;
  try {
    const data = await writeBenchResults(dir, { runs: RUNS, steps: STEPS });
    validate(dir, data.suiteRunId, data.traceRunId);
    const server = await serveDir(dir, { viewerDir });
    served.close = server.close;
    browser = await launchBrowser();
    const explorerUrl = `${server.viewerUrl}#/explorer/${encodeURIComponent(data.suiteRunId)}`;
    const traceUrl =
      `${server.viewerUrl}#/trace/${encodeURIComponent(data.suiteRunId)}/` +
      encodeURIComponent(data.traceRunId);
    const explorer = await repeat(browser, explorerUrl, [
      { name: 'page', selector: '[data-page="explorer"]', visible: false },
      { name: 'row', selector: '[data-row]', visible: true },
    ]);
    const trace = await repeat(
      browser,
      traceUrl,
      [
        { name: 'page', selector: '[data-page="trace"]', visible: false },
        { name: 'step', selector: '[data-step]', visible: true },
      ],
      '[data-page="trace"]',
    );
    const version = execFileSync(chromiumPath(), ['--version'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
    console.log(
      `\nviewer bench: ${RUNS.toLocaleString('en')} runs, a trace of ` +
        `${STEPS.toLocaleString('en')} steps (${(data.bytes / 1e6).toFixed(1)} MB of JSON); ` +
        `${version}; median of ${REPEAT} loads; times from navigation start to the frame drawn`,
    );
    const rows: [string, number[] | string][] = [];
    const dom = (ls: Marks[], n: string) => ms(median(ls.map((m) => m.marks[`${n}:dom`])));
    if (typeof explorer === 'string') rows.push(['explorer', explorer]);
    else
      rows.push(
        ['explorer: [data-page="explorer"]', explorer.map((m) => m.marks.page)],
        [
          `explorer: first [data-row] on screen (inserted ${dom(explorer, 'row')})`,
          explorer.map((m) => m.marks.row),
        ],
      );
    if (typeof trace === 'string') rows.push(['trace', trace]);
    else
      rows.push(
        ['trace: [data-page="trace"]', trace.map((m) => m.marks.page)],
        [
          `trace: first [data-step] on screen (inserted ${dom(trace, 'step')})`,
          trace.map((m) => m.marks.step),
        ],
        [
          `trace: all ${median(trace.map((m) => m.sections))} top-level sections`,
          trace.map((m) => Math.max(m.lastSectionAt ?? 0, m.marks.step)),
        ],
      );
    const w = Math.max(...rows.map((r) => r[0].length));
    console.log(
      `${'metric'.padEnd(w)}  ${'median'.padStart(8)}  ${'min'.padStart(8)}  ` +
        `${'max'.padStart(8)}  target`,
    );
    let unmeasured = 0;
    for (const [name, xs] of rows) {
      if (typeof xs === 'string') {
        unmeasured++;
        console.log(`${name.padEnd(w)}  NOT MEASURED: ${xs}`);
        continue;
      }
      const m = median(xs);
      console.log(
        `${name.padEnd(w)}  ${ms(m).padStart(8)}  ${ms(Math.min(...xs)).padStart(8)}  ` +
          `${ms(Math.max(...xs)).padStart(8)}  < ${TARGET_MS} ms ${m < TARGET_MS ? 'OK' : 'OVER'}`,
      );
    }
    if (unmeasured) process.exitCode = 1;
  } finally {
    await browser?.close();
    await served.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
