import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { describeBrowser } from './support/browser.js';
import { roles, viewerSite } from './support/viewer-site.js';

/** A real 2x2 PNG (an img must decode it): signature, IHDR, IDAT, IEND, CRCs computed. */
function png(): Buffer {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = table[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const ihdr = Buffer.from([0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0]);
  const rows = Buffer.from([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 0, 0, 255]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const PAGE = '<!doctype html><script>alert("pwned")</script><p>report</p>';

describeBrowser('artifacts in the Agent Trace, in chromium', () => {
  const { site, open } = viewerSite();

  it('lists them, previews text and JSON as text and images inline; an HTML artifact never runs', async () => {
    const { suite_run_id: sr, run_id: run } = roles.coding;
    const file = join(site, 'runs', sr, `${run}.json`);
    const record = JSON.parse(readFileSync(file, 'utf8'));
    const dir = join(site, 'runs', sr, 'artifacts', run);
    mkdirSync(join(dir, 'charts'), { recursive: true });
    const image = png();
    writeFileSync(join(dir, 'summary.json'), '{"total":3,"rows":[1,2]}');
    writeFileSync(join(dir, 'charts', 'plot.png'), image);
    writeFileSync(join(dir, 'report.html.txt'), PAGE);
    const e = (path: string, type: string, size: number, more = {}) => ({
      path,
      size,
      sha256: 'a'.repeat(64),
      content_type: type,
      stored: true,
      ...more,
    });
    record.artifacts = [
      e('summary.json', 'application/json', 24),
      e('charts/plot.png', 'image/png', image.length),
      e('report.html', 'text/html', PAGE.length),
      e('passwd', 'application/octet-stream', 0, {
        stored: false,
        sha256: '',
        note: 'a symbolic link (to /etc/passwd), not followed',
      }),
    ];
    writeFileSync(file, JSON.stringify(record));
    const { page, errors } = await open(`#/trace/${sr}/${run}`, 'trace');
    const section = page.locator('[data-testid="artifacts"]');
    await section.waitFor();
    const rows = section.locator('[data-testid="artifact-row"]');
    expect(await rows.count()).toBe(4);
    expect(await rows.nth(3).textContent()).toContain('not followed');
    // Text: JSON re-indented, as text.
    await rows.nth(0).locator('summary').click();
    await expect.poll(() => rows.nth(0).locator('pre').textContent()).toContain('"total": 3');
    // Image: decoded from the same origin.
    await rows.nth(1).locator('summary').click();
    const img = rows.nth(1).locator('img');
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBe(2);
    // HTML: shown as its text, never parsed.
    await rows.nth(2).locator('summary').click();
    await expect.poll(() => rows.nth(2).locator('pre').textContent()).toContain('<script>');
    expect(await page.locator('[data-testid="artifacts"] script').count()).toBe(0);
    // Opened directly, the stored file is plain text on this origin: nothing runs.
    const href = await rows.nth(2).locator('a').getAttribute('href');
    expect(href).toMatch(/artifacts\/.+\/report\.html\.txt$/);
    await page.goto(href!);
    expect(await page.evaluate(() => document.body.textContent)).toContain('<script>');
    expect(errors).toEqual([]);
    await page.close();
  });
});
