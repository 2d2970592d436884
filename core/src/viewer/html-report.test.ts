import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import {
  allowInlineScript,
  collectReport,
  DATA_ELEMENT_ID,
  embedJson,
  inlineViewer,
  ReportError,
  writeHtmlReport,
} from './html-report.js';

const HOSTILE = [
  '</script><script>alert(1)</script>',
  '</SCRIPT >',
  '<!--<script>',
  'line\u2028sep\u2029para',
  "$& $' $` $1 $$",
  '&amp; <b>bold</b>',
];

async function viewerDir(js = 'document.title = "v";'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'viewer-'));
  await writeFile(
    join(dir, 'index.html'),
    '<!doctype html><html><head><link rel="stylesheet" href="./viewer.css"></head>' +
      '<body><div id="app"></div><script type="module" src="./viewer.js"></script></body></html>',
  );
  await writeFile(join(dir, 'viewer.js'), js);
  await writeFile(join(dir, 'viewer.css'), 'body{margin:0}');
  return dir;
}

const entry = (id: string, started: string, extra: Record<string, unknown> = {}) => ({
  id,
  suite: 'smoke',
  started_at: started,
  pass_rate: 1,
  runs: 1,
  failed: 0,
  cost_usd: 0,
  gates_passed: true,
  p95_ms: 1,
  ...extra,
});

async function resultsDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'results-'));
  const suite = async (id: string, runs: Record<string, unknown>) => {
    await mkdir(join(dir, 'runs', id), { recursive: true });
    const rows = Object.keys(runs).map((r) => ({ id: r }));
    await writeFile(join(dir, 'runs', id, 'manifest.json'), JSON.stringify({ id, runs: rows }));
    for (const [r, rec] of Object.entries(runs))
      if (rec !== undefined)
        await writeFile(join(dir, 'runs', id, `${r}.json`), JSON.stringify(rec));
  };
  await suite('s-first', { 'r-a': { id: 'r-a', final_response: HOSTILE.join('\n') } });
  await suite('s-rerun', { 'r-b': { id: 'r-b', final_response: 'ok' }, 'r-gone': undefined });
  await suite('s-other', { 'r-c': { id: 'r-c' } });
  await suite('s-local', { 'r-d': { id: 'r-d' } });
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schema_version: 1,
      updated_at: '2025-01-03T00:00:00Z',
      suite_runs: [
        entry('s-first', '2025-01-01T00:00:00Z', { commit: 'abc' }),
        entry('s-rerun', '2025-01-02T00:00:00Z', { commit: 'abc' }),
        entry('s-other', '2025-01-01T12:00:00Z', { commit: 'abc', suite: 'other' }),
        entry('s-local', '2024-12-01T00:00:00Z'),
        entry('../../etc', '2030-01-01T00:00:00Z', { commit: 'abc' }),
      ],
    }),
  );
  return dir;
}

/** The text of the data element, as a browser's textContent would read it. */
function dataText(html: string): string {
  const open = `<script type="application/json" id="${DATA_ELEMENT_ID}">`;
  const start = html.indexOf(open) + open.length;
  // The HTML parser ends a script element at the first `</script`, whatever follows.
  return html.slice(start, html.toLowerCase().indexOf('</script', start));
}

describe('embedJson', () => {
  it('round-trips hostile text and leaves no way out of the script element', () => {
    const value = { files: { 'runs/s/r.json': { text: HOSTILE, nested: [{ k: HOSTILE[0] }] } } };
    const text = embedJson(value);
    expect(JSON.parse(text)).toEqual(value);
    expect(text.toLowerCase()).not.toContain('</script');
    expect(text).not.toContain('<!--');
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
  });
});

describe('the one-file HTML report', () => {
  it('inlines the viewer and embeds the data before its script, unbroken by hostile records', async () => {
    const js = 'const s = "</script><!--"; document.title = s + "$&";';
    const out = join(await mkdtemp(join(tmpdir(), 'report-')), 'report.html');
    const r = await writeHtmlReport({
      resultsDir: await resultsDir(),
      file: out,
      viewerDir: await viewerDir(js),
    });
    const html = await readFile(out, 'utf8');
    expect(r.bytes).toBe(Buffer.byteLength(html));
    expect(html).not.toContain('href="./viewer.css"');
    expect(html).not.toContain('src="./viewer.js"');
    expect(html).toContain('<style>body{margin:0}</style>');
    const data = JSON.parse(dataText(html));
    expect(data.files['runs/s-first/r-a.json'].final_response).toBe(HOSTILE.join('\n'));
    // The data comes first, then the viewer's module, whose own `</script` is escaped.
    const dataAt = html.indexOf(`id="${DATA_ELEMENT_ID}"`);
    const moduleAt = html.indexOf('<script type="module">');
    expect(dataAt).toBeGreaterThan(0);
    expect(moduleAt).toBeGreaterThan(dataAt);
    const module = html.slice(moduleAt + '<script type="module">'.length);
    expect(module.slice(0, module.toLowerCase().indexOf('</script'))).toBe(
      'const s = "\\x3C/script>\\x3C!--"; document.title = s + "$&";',
    );
    // Exactly two script elements and the page's own closing tags: nothing broke out.
    expect(html.match(/<script/gi)).toHaveLength(2);
    expect(html.trimEnd().endsWith('</body></html>')).toBe(true);
  });

  it('takes the newest suite run with its siblings of the same suite and commit', async () => {
    const dir = await resultsDir();
    const d = await collectReport(dir);
    expect(d.suiteRunIds).toEqual(['s-first', 's-rerun']);
    expect(Object.keys(d.files).sort()).toEqual([
      'index.json',
      'runs/s-first/manifest.json',
      'runs/s-first/r-a.json',
      'runs/s-rerun/manifest.json',
      'runs/s-rerun/r-b.json',
    ]);
    const index = d.files['index.json'] as { suite_runs: { id: string }[] };
    expect(index.suite_runs.map((e) => e.id)).toEqual(['s-first', 's-rerun']);
    expect(d.warnings).toEqual(['runs/s-rerun/r-gone.json is missing or not JSON; left out']);
  });

  it('takes a named suite run; one without a commit comes alone', async () => {
    const dir = await resultsDir();
    expect((await collectReport(dir, { suiteRunId: 's-local' })).suiteRunIds).toEqual(['s-local']);
    expect((await collectReport(dir, { suiteRunId: 's-other' })).suiteRunIds).toEqual(['s-other']);
    await expect(collectReport(dir, { suiteRunId: 'nope' })).rejects.toThrow(
      /no suite run nope in/,
    );
    // A hostile id in the index is never a path.
    await expect(collectReport(dir, { suiteRunId: '../../etc' })).rejects.toThrow(ReportError);
  });

  it("takes several suite runs for one job's report, each with its commit's others", async () => {
    const dir = await resultsDir();
    const d = await collectReport(dir, { suiteRunIds: ['s-local', 's-other', 's-first'] });
    expect(d.suiteRunIds).toEqual(['s-first', 's-rerun', 's-other', 's-local']);
    await expect(collectReport(dir, { suiteRunIds: ['s-local', 'nope'] })).rejects.toThrow(
      /no suite run nope in/,
    );
  });

  it('reads no file outside the suite run for a hostile run id in a manifest', async () => {
    const dir = await resultsDir();
    await writeFile(join(dir, 'secret.json'), '{"secret":true}');
    await writeFile(
      join(dir, 'runs', 's-local', 'manifest.json'),
      JSON.stringify({ id: 's-local', runs: [{ id: '../../secret' }, { id: 'r-d' }] }),
    );
    const d = await collectReport(dir, { suiteRunId: 's-local' });
    expect(Object.keys(d.files).sort()).toEqual([
      'index.json',
      'runs/s-local/manifest.json',
      'runs/s-local/r-d.json',
    ]);
    expect(JSON.stringify(d.files)).not.toContain('"secret":true');
    expect(d.warnings).toEqual([
      'runs/s-local/manifest.json lists a run id that is not a plain name',
    ]);
  });

  it('says what to do when there are no results or the viewer does not load its files', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'results-'));
    await expect(collectReport(empty)).rejects.toThrow(/no readable index.json.*gauntlet run/);
    expect(() =>
      inlineViewer({ 'index.html': '<p>', 'viewer.js': '', 'viewer.css': '' }, { files: {} }),
    ).toThrow(/npm run build/);
  });

  it("lets the inlined script, and only it, past the viewer's script-src 'self'", () => {
    const js = 'document.title = "x";';
    const hash = createHash('sha256').update(js).digest('base64');
    const page =
      '<head><meta http-equiv="Content-Security-Policy" content="default-src \'self\'; ' +
      "script-src 'self'; style-src 'self' 'unsafe-inline'\" /></head>";
    expect(allowInlineScript(page, js)).toBe(
      '<head><meta http-equiv="Content-Security-Policy" content="default-src \'self\'; ' +
        `style-src 'self' 'unsafe-inline'; script-src 'sha256-${hash}'" /></head>`,
    );
    expect(allowInlineScript('<head></head>', js)).toBe('<head></head>');
  });
});
