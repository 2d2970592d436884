import { request } from 'node:http';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redactor } from '../results/redact.js';
import { DirectoryStore } from '../results/store.js';
import { serveViewer, type ViewServer } from './serve.js';

function get(s: ViewServer, path: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (ok, fail) => {
      request(
        { host: '127.0.0.1', port: s.port, path, headers: { host: `127.0.0.1:${s.port}` } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            ok({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
          );
        },
      )
        .on('error', fail)
        .end();
    },
  );
}

const PAGE = '<!doctype html><script>fetch("/index.json").then(r=>r.text()).then(alert)</script>';
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0xff]);
let server: ViewServer;

beforeAll(async () => {
  const base = await mkdtemp(join(tmpdir(), 'view-art-'));
  const results = join(base, 'results');
  const viewer = join(base, 'viewer');
  await mkdir(viewer, { recursive: true });
  await writeFile(join(viewer, 'index.html'), '<!doctype html><p>viewer</p>');
  await writeFile(join(viewer, 'viewer.js'), '');
  await writeFile(join(viewer, 'viewer.css'), '');
  const store = new DirectoryStore(results, new Redactor());
  await store.writeManifest({ id: 's1' } as never);
  await store.writeArtifacts(
    's1',
    'r1',
    new Map([
      ['report.html', Buffer.from(PAGE)],
      ['chart.svg', Buffer.from('<svg onload="alert(1)"/>')],
      ['plot.png', PNG],
      ['notes.txt', Buffer.from('plain')],
    ]),
  );
  // A results branch written by something else may hold a live name: still never a page.
  await writeFile(join(store.suiteDir('s1'), 'artifacts', 'r1', 'raw.html'), PAGE);
  server = await serveViewer({ resultsDir: results, viewerDir: viewer });
});
afterAll(() => server?.close());

describe('gauntlet view serves artifacts as data, never as live pages', () => {
  const csp = "sandbox; default-src 'none'";

  it('an HTML artifact is stored as .txt and served as plain text in a sandbox', async () => {
    const r = await get(server, '/runs/s1/artifacts/r1/report.html.txt');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(r.headers['content-security-policy']).toBe(csp);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.body.toString()).toBe(PAGE);
    expect((await get(server, '/runs/s1/artifacts/r1/report.html')).status).toBe(404);
  });

  it('a live name that reached the folder anyway is an attachment, in a sandbox', async () => {
    const r = await get(server, '/runs/s1/artifacts/r1/raw.html');
    expect(r.headers['content-type']).toBe('application/octet-stream');
    expect(r.headers['content-disposition']).toBe('attachment');
    expect(r.headers['content-security-policy']).toBe(csp);
  });

  it('SVG is text, images are images, byte for byte', async () => {
    const svg = await get(server, '/runs/s1/artifacts/r1/chart.svg.txt');
    expect(svg.headers['content-type']).toBe('text/plain; charset=utf-8');
    const png = await get(server, '/runs/s1/artifacts/r1/plot.png');
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.body.equals(PNG)).toBe(true);
  });
});
