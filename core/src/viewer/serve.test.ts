import { request } from 'node:http';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ViewerNotBuilt } from './assets.js';
import { ResultsDirMissing, serveViewer, type ViewServer } from './serve.js';

/** A raw request: the path goes on the wire as written (no client-side normalisation). */
function get(
  s: ViewServer,
  path: string,
  o: { method?: string; host?: string } = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((ok, fail) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: s.port,
        path,
        method: o.method ?? 'GET',
        headers: { host: o.host ?? `127.0.0.1:${s.port}` },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c) => (body += c));
        res.on('end', () => ok({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', fail).end();
  });
}

let server: ViewServer;
let outside: string;

beforeAll(async () => {
  const base = await mkdtemp(join(tmpdir(), 'view-'));
  const results = join(base, 'results');
  const viewer = join(base, 'viewer');
  outside = join(base, 'secret');
  await mkdir(join(results, 'runs', 's1', 'nested'), { recursive: true });
  await mkdir(viewer);
  await mkdir(outside);
  await writeFile(join(outside, 'key.json'), '{"secret":"hunter2"}');
  await writeFile(join(base, 'beside.json'), '{"secret":"beside"}');
  await writeFile(join(results, 'index.json'), '{"schema_version":1,"suite_runs":[]}');
  await writeFile(join(results, 'runs', 's1', 'manifest.json'), '{"id":"s1"}');
  await writeFile(join(results, 'runs', 's1', 'r1.json'), '{"id":"r1"}');
  await writeFile(join(results, 'runs', 's1', 'evil.html'), '<script>alert(1)</script>');
  await writeFile(join(results, 'runs', 's1', 'report.md'), '# report');
  await writeFile(join(results, 'other.json'), '{"not":"served"}');
  await symlink(join(outside, 'key.json'), join(results, 'runs', 's1', 'link.json'));
  await symlink(outside, join(results, 'runs', 'out'));
  await symlink(join(results, 'runs', 's1', 'r1.json'), join(results, 'runs', 's1', 'in.json'));
  await writeFile(join(viewer, 'index.html'), '<!doctype html><p>viewer</p>');
  await writeFile(join(viewer, 'viewer.js'), 'console.log(1)');
  await writeFile(join(viewer, 'viewer.css'), 'p{}');
  server = await serveViewer({ resultsDir: results, viewerDir: viewer });
});
afterAll(() => server.close());

describe('gauntlet view server', () => {
  it('listens on loopback, redirects / to the viewer and serves its files with their types', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/viewer/`);
    const root = await get(server, '/');
    expect(root.status).toBe(302);
    expect(root.headers.location).toBe('/viewer/');
    expect((await get(server, '/viewer')).headers.location).toBe('/viewer/');
    expect((await get(server, '/favicon.ico')).status).toBe(204);
    const page = await get(server, '/viewer/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<p>viewer</p>');
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const js = await get(server, '/viewer/viewer.js?v=1');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await get(server, '/viewer/viewer.css')).headers['content-type']).toBe(
      'text/css; charset=utf-8',
    );
  });

  it('serves index.json and runs/** as data, and nothing else of the results directory', async () => {
    const index = await get(server, '/index.json');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(index.body)).toEqual({ schema_version: 1, suite_runs: [] });
    expect(JSON.parse((await get(server, '/runs/s1/r1.json')).body)).toEqual({ id: 'r1' });
    expect((await get(server, '/runs/s1/report.md')).headers['content-type']).toBe(
      'text/plain; charset=utf-8',
    );
    // A hostile page among the results is a download in a sandbox, never a page of this origin.
    const evil = await get(server, '/runs/s1/evil.html');
    expect(evil.headers['content-type']).toBe('application/octet-stream');
    expect(evil.headers['content-disposition']).toBe('attachment');
    expect(evil.headers['content-security-policy']).toMatch(/^sandbox/);
    expect((await get(server, '/other.json')).status).toBe(404);
    // A symlink that stays inside is a file like any other.
    expect(JSON.parse((await get(server, '/runs/s1/in.json')).body)).toEqual({ id: 'r1' });
  });

  it('answers HEAD without a body, and refuses other methods', async () => {
    const head = await get(server, '/runs/s1/r1.json', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('11');
    expect(head.body).toBe('');
    const post = await get(server, '/index.json', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect((await get(server, '/index.json', { method: 'DELETE' })).status).toBe(405);
  });

  it.each([
    '/runs/../../beside.json',
    '/runs/s1/../../../beside.json',
    '/runs/%2e%2e/%2e%2e/beside.json',
    '/runs/%2E%2E/%2e%2E/secret/key.json',
    '/runs/..%2f..%2fbeside.json',
    '/runs/s1%2f..%2f..%2f..%2fbeside.json',
    '/runs/..%5c..%5cbeside.json',
    '/runs/s1/r1.json%00.png',
    '/viewer/../results/index.json',
    '/viewer/%2e%2e/beside.json',
    '/runs/s1/link.json',
    '/runs/out/key.json',
    '/runs/%zz',
    '//etc/passwd',
  ])('refuses the hostile path %s', async (path) => {
    const r = await get(server, path);
    expect(r.status).toBe(404);
    expect(r.body).not.toContain('secret');
  });

  it('lists no directory', async () => {
    for (const p of ['/runs/', '/runs/s1/', '/runs/s1', '/runs/s1/nested', '/viewer/%2e'])
      expect((await get(server, p)).status, p).toBe(404);
  });

  it('refuses a request for another host name (DNS rebinding)', async () => {
    const r = await get(server, '/index.json', { host: `evil.example:${server.port}` });
    expect(r.status).toBe(421);
    expect((await get(server, '/index.json', { host: `localhost:${server.port}` })).status).toBe(
      200,
    );
  });

  it('names what is missing: the results directory, the built viewer', async () => {
    await expect(serveViewer({ resultsDir: join(outside, 'nope') })).rejects.toThrow(
      ResultsDirMissing,
    );
    const err = await serveViewer({ resultsDir: outside, viewerDir: outside }).catch((e) => e);
    expect(err).toBeInstanceOf(ViewerNotBuilt);
    expect(String(err.message)).toContain('npm run build');
  });
});
