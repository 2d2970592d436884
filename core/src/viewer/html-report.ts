import { createHash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isPlainRelative, storedName } from '../results/artifact-files.js';
import type { SuiteManifest } from '../results/record.js';
import { isTextType } from '../workspace/content-type.js';
import type { BranchIndex, IndexEntry } from '../results/suite-index.js';
import { readViewerAssets, type ViewerAssets } from './assets.js';
import { fileUnder } from './safe-path.js';

/**
 * `gauntlet report --html FILE`: one self-contained HTML file of a suite run that works from
 * file:// (a workflow artifact: the private default, since Pages sites can be public). It is
 * the built viewer with its CSS and JS inlined and the results embedded as
 * `<script type="application/json" id="gauntlet-data">{"files":{path: json}}</script>`, keyed
 * by the paths the viewer would fetch (index.json, runs/<id>/manifest.json, runs/<id>/<run>.json).
 */

export const DATA_ELEMENT_ID = 'gauntlet-data';
/** Above this the report still works, but browsers and artifact viewers get slow: say so. */
export const HTML_REPORT_WARN_BYTES = 50 * 1000 * 1000;

export class ReportError extends Error {}

/**
 * Text artifacts a report embeds, so the trace previews them from file:// too: each at most
 * 256 KB, and at most 5 MB for all of a report's; larger ones, binaries and images are listed
 * and say they are not embedded. The bound keeps one chatty log from making the report unopenable.
 */
export const REPORT_ARTIFACT_BYTES = 256 * 1000;
export const REPORT_ARTIFACTS_TOTAL_BYTES = 5 * 1000 * 1000;

/**
 * JSON that cannot end the script element holding it, nor confuse a JavaScript parser: `<`,
 * `>` and `&` become \u003c, \u003e and \u0026 (so no `</script` or `<!--` survives), and the
 * line separators U+2028/U+2029 are escaped. Those characters only occur inside JSON strings,
 * where the escapes mean the same: JSON.parse returns the same value.
 */
export function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Suite run and run ids become file names: plain names only (a hostile index cannot climb out). */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export interface ReportData {
  /** Viewer-relative path -> parsed JSON. */
  files: Record<string, unknown>;
  /** The suite runs embedded, in the index's order. */
  suiteRunIds: string[];
  /** Files listed but missing or unreadable. */
  warnings: string[];
}

async function readJson(path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, 'utf8'));
}

/**
 * What one report embeds. The suite run is `suiteRunId`, or the newest in index.json. With it
 * come the other suite runs of the same suite at the same commit (shards of one workflow run,
 * re-runs of failed tasks, confirmation runs): the check run's view of a commit is all of them
 * laid over each other, and the explorer's run picker shows a task's re-runs. A suite run with
 * no commit (a local run) comes alone.
 */
export async function collectReport(
  resultsDir: string,
  o: { suiteRunId?: string; suiteRunIds?: string[] } = {},
): Promise<ReportData> {
  let index: BranchIndex;
  try {
    index = (await readJson(join(resultsDir, 'index.json'))) as BranchIndex;
  } catch {
    throw new ReportError(
      `no readable index.json in ${resultsDir}: run \`gauntlet run\` first, or pass --results DIR`,
    );
  }
  const entries = (Array.isArray(index?.suite_runs) ? index.suite_runs : []).filter(
    (e): e is IndexEntry => typeof e?.id === 'string' && SAFE_ID.test(e.id),
  );
  const newest = [...entries].sort(
    (a, b) => String(b.started_at).localeCompare(String(a.started_at)) || b.id.localeCompare(a.id),
  )[0];
  const wanted = o.suiteRunIds ?? (o.suiteRunId ? [o.suiteRunId] : newest ? [newest.id] : []);
  const chosen = wanted.map((id) => {
    const e = entries.find((x) => x.id === id);
    if (!e) throw new ReportError(`no suite run ${id} in ${join(resultsDir, 'index.json')}`);
    return e;
  });
  if (!chosen.length) throw new ReportError(`no suite runs in ${join(resultsDir, 'index.json')}`);
  const picked = entries.filter((e) =>
    chosen.some(
      (c) => e.id === c.id || (!!c.commit && e.commit === c.commit && e.suite === c.suite),
    ),
  );
  const files: Record<string, unknown> = {};
  const warnings: string[] = [];
  const budget = { left: REPORT_ARTIFACTS_TOTAL_BYTES };
  files['index.json'] = {
    schema_version: 1,
    updated_at: index.updated_at,
    suite_runs: picked,
  } satisfies BranchIndex;
  for (const e of picked) {
    const dir = join(resultsDir, 'runs', e.id);
    let manifest: SuiteManifest;
    try {
      manifest = (await readJson(join(dir, 'manifest.json'))) as SuiteManifest;
    } catch {
      warnings.push(`runs/${e.id}/manifest.json is missing or not JSON; left out`);
      continue;
    }
    files[`runs/${e.id}/manifest.json`] = manifest;
    for (const row of Array.isArray(manifest.runs) ? manifest.runs : []) {
      const id = row?.id;
      if (typeof id !== 'string' || !SAFE_ID.test(id)) {
        warnings.push(`runs/${e.id}/manifest.json lists a run id that is not a plain name`);
        continue;
      }
      try {
        files[`runs/${e.id}/${id}.json`] = await readJson(join(dir, `${id}.json`));
      } catch {
        warnings.push(`runs/${e.id}/${id}.json is missing or not JSON; left out`);
        continue;
      }
      budget.left = await embedArtifacts(
        resultsDir,
        e.id,
        id,
        files[`runs/${e.id}/${id}.json`],
        files,
        budget.left,
      );
    }
  }
  return { files, suiteRunIds: picked.map((e) => e.id), warnings };
}

/**
 * A record's stored text artifacts within the bounds, keyed as the viewer asks for them
 * (runs/<sr>/artifacts/<run>/<stored name>, each segment percent-encoded). The record is
 * untrusted: a path must be plain, and the file a regular one inside the results (no link out).
 */
async function embedArtifacts(
  resultsDir: string,
  suiteRun: string,
  run: string,
  record: unknown,
  files: Record<string, unknown>,
  left: number,
): Promise<number> {
  const list = (record as { artifacts?: unknown })?.artifacts;
  for (const a of Array.isArray(list) ? list : []) {
    const { path, stored, content_type: type, size } = (a ?? {}) as Record<string, unknown>;
    if (typeof path !== 'string' || !isPlainRelative(path) || stored !== true) continue;
    if (typeof type !== 'string' || !isTextType(type) || typeof size !== 'number') continue;
    if (size > REPORT_ARTIFACT_BYTES || size > left) continue;
    const key = ['runs', suiteRun, 'artifacts', run, ...storedName(path).split('/')]
      .map((seg, i) => (i ? encodeURIComponent(seg) : seg))
      .join('/');
    const file = await fileUnder(resultsDir, key.split('/'));
    if (!file || (await stat(file)).size > REPORT_ARTIFACT_BYTES) continue;
    const text = await readFile(file, 'utf8');
    files[key] = text;
    left -= Buffer.byteLength(text);
  }
  return left;
}

const CSS_LINK = /<link\b[^>]*\bhref=["']?(?:\.\/)?viewer\.css["']?[^>]*>/i;
const JS_SCRIPT = /<script\b[^>]*\bsrc=["']?(?:\.\/)?viewer\.js["']?[^>]*>\s*<\/script\s*>/i;

/**
 * The viewer's index.html with its stylesheet and script inlined and the data embedded
 * before the script. Replacements go through functions: a `$&` in the viewer's code or in a
 * record is text, not a replacement pattern. An inlined `</script` or `<!--` (in a string of
 * the bundle) is written `\x3C/script`, `\x3C!--`, the same string to JavaScript; `</style` in
 * CSS is `\3C/style`.
 */
export function inlineViewer(assets: ViewerAssets, data: { files: Record<string, unknown> }) {
  const html = assets['index.html'];
  if (!CSS_LINK.test(html) || !JS_SCRIPT.test(html))
    throw new ReportError(
      'the built viewer index.html does not load ./viewer.css and ./viewer.js; rebuild it (npm run build)',
    );
  const css = assets['viewer.css'].replace(/<\/style/gi, '\\3C/style');
  const js = assets['viewer.js'].replace(/<(\/script|!--)/gi, '\\x3C$1');
  const embedded =
    `<script type="application/json" id="${DATA_ELEMENT_ID}">${embedJson(data)}</script>\n` +
    `<script type="module">${js}</script>`;
  return allowInlineScript(html, js)
    .replace(CSS_LINK, () => `<style>${css}</style>`)
    .replace(JS_SCRIPT, () => embedded);
}

const CSP_META =
  /(<meta\b[^>]*\bhttp-equiv=["']?content-security-policy["']?[^>]*\bcontent=")([^"]*)(")/i;

/**
 * The viewer's page policy (a CSP meta) allows scripts from 'self' only, which an inlined
 * script is not: in the report, script-src names the inlined script by its hash instead, so
 * that script and no other runs (the embedded data is JSON, which no policy executes).
 */
export function allowInlineScript(html: string, js: string): string {
  const hash = `'sha256-${createHash('sha256').update(js, 'utf8').digest('base64')}'`;
  return html.replace(CSP_META, (_m, open: string, policy: string, close: string) => {
    const directives = policy
      .split(';')
      .map((d) => d.trim())
      .filter((d) => d && !/^script-src(\s|$)/i.test(d));
    return `${open}${[...directives, `script-src ${hash}`].join('; ')}${close}`;
  });
}

export interface HtmlReportResult {
  file: string;
  bytes: number;
  suiteRunIds: string[];
  warnings: string[];
}

export async function writeHtmlReport(o: {
  resultsDir: string;
  file: string;
  suiteRunId?: string;
  /** Several suite runs in one report (the Action's job); each brings its commit's others. */
  suiteRunIds?: string[];
  /** The built viewer; found by viewerDir() when absent. */
  viewerDir?: string;
}): Promise<HtmlReportResult> {
  const assets = readViewerAssets(o.viewerDir);
  const data = await collectReport(o.resultsDir, {
    suiteRunId: o.suiteRunId,
    suiteRunIds: o.suiteRunIds,
  });
  await writeFile(o.file, inlineViewer(assets, { files: data.files }));
  const bytes = (await stat(o.file)).size;
  if (bytes > HTML_REPORT_WARN_BYTES)
    data.warnings.push(
      `the report is ${(bytes / 1e6).toFixed(1)} MB (over ${HTML_REPORT_WARN_BYTES / 1e6} MB): browsers open it slowly; pick one suite run with --suite-run`,
    );
  return { file: o.file, bytes, suiteRunIds: data.suiteRunIds, warnings: data.warnings };
}
