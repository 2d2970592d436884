import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { record } from '../test-support/records.js';
import { serve, type Served } from '../test-support/serve.js';

let s: Served | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe('GET /v1/models: what a gauntlet block can launch', () => {
  it('lists the declared agents and the short names in OpenAI’s list shape', async () => {
    s = await serve();
    const list = await s.client.models.list();
    expect(list.data.map((m) => [m.id, m.owned_by, m.object])).toEqual([
      ['analyst', 'gauntlet-agent', 'model'],
      ['claude-code', 'gauntlet-preset', 'model'],
      ['codex', 'gauntlet-preset', 'model'],
      ['gemini-cli', 'gauntlet-preset', 'model'],
    ]);
  });
});

describe('GET /v1/runs/{id}: a stored record, by exact id only', () => {
  async function withRecords() {
    s = await serve();
    const dir = join(s.server.resultsDir, 'runs', 's1');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'r-abc.json'),
      JSON.stringify(record({ task_id: 'q3', id: 'r-abc' })),
    );
    await writeFile(join(dir, 'manifest.json'), '{"id":"s1"}');
    const outside = await mkdtemp(join(tmpdir(), 'serve-runs-outside-'));
    await writeFile(join(outside, 'r-leak.json'), '{"secret": true}');
    await symlink(join(outside, 'r-leak.json'), join(dir, 'r-leak.json'));
    return s;
  }

  const get = (s: Served, id: string) => fetch(`${s.server.url}/v1/runs/${id}`);

  it('returns the record as stored', async () => {
    const s = await withRecords();
    const r = await get(s, 'r-abc');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(await r.json()).toMatchObject({ id: 'r-abc', task_id: 'q3' });
    // The official client reaches it too, by path.
    const viaClient: any = await s.client.get('/runs/r-abc');
    expect(viaClient.id).toBe('r-abc');
  });

  it.each([
    ['a prefix', 'r-a'],
    ['the manifest', 'manifest'],
    ['an encoded traversal', '..%2F..%2Fgauntlet.yaml'],
    ['a dotted name', '.hidden'],
    ['a symlink out of the results', 'r-leak'],
    ['an unknown id', 'r-nope'],
  ])('404 in OpenAI’s shape for %s', async (_name, id) => {
    const s = await withRecords();
    const r = await get(s, id);
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({
      error: {
        message: expect.stringMatching(/^no run /),
        type: 'invalid_request_error',
        param: 'id',
        code: 'run_not_found',
      },
    });
    const e = await s.client.get(`/runs/${id}`).catch((x) => x);
    expect(e).toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe('GET /v1/runs/{id}/artifacts/{path}: a stored artifact, as data', () => {
  const entry = (path: string, stored: boolean, more = {}) => ({
    path,
    size: 3,
    sha256: '0'.repeat(64),
    content_type: 'text/plain',
    stored,
    ...more,
  });

  async function withArtifacts() {
    s = await serve();
    const dir = join(s.server.resultsDir, 'runs', 's1');
    const files = join(dir, 'artifacts', 'r-abc');
    await mkdir(join(files, 'charts'), { recursive: true });
    await writeFile(
      join(dir, 'r-abc.json'),
      JSON.stringify({
        ...record({ task_id: 'q3', id: 'r-abc' }),
        artifacts: [
          entry('summary.json', true),
          entry('charts/a b.png', true),
          entry('page.html', true),
          entry('big.bin', false, { note: 'over the 10 MB cap' }),
          entry('leak.txt', true),
        ],
      }),
    );
    await writeFile(join(files, 'summary.json'), '{"total":3}');
    await writeFile(join(files, 'charts', 'a b.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    // Stored as <path>.txt: a page is never served as one.
    await writeFile(join(files, 'page.html.txt'), '<script>alert(1)</script>');
    await writeFile(join(files, 'big.bin'), 'not stored, yet on disk');
    await writeFile(join(files, 'unlisted.txt'), 'nobody listed me');
    const outside = await mkdtemp(join(tmpdir(), 'serve-artifacts-outside-'));
    await writeFile(join(outside, 'secret'), 'outside the results');
    await symlink(join(outside, 'secret'), join(files, 'leak.txt'));
    return s;
  }
  const get = (s: Served, id: string, path: string) =>
    fetch(`${s.server.url}/v1/runs/${id}/artifacts/${path}`);

  it('serves what the record lists as stored, byte for byte, under a sandbox policy', async () => {
    const s = await withArtifacts();
    const json = await get(s, 'r-abc', 'summary.json');
    expect(json.status).toBe(200);
    expect(await json.json()).toEqual({ total: 3 });
    expect(json.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
    expect(json.headers.get('x-content-type-options')).toBe('nosniff');
    const png = await get(s, 'r-abc', 'charts/a%20b.png');
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await png.arrayBuffer())).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const page = await get(s, 'r-abc', 'page.html');
    expect(page.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await page.text()).toBe('<script>alert(1)</script>');
  });

  it('serves a name holding "%" as it is, decoded once (never a sibling, never refused)', async () => {
    s = await serve();
    const dir = join(s.server.resultsDir, 'runs', 's1');
    const files = join(dir, 'artifacts', 'r-pct');
    await mkdir(files, { recursive: true });
    await writeFile(
      join(dir, 'r-pct.json'),
      JSON.stringify({
        ...record({ task_id: 'q3', id: 'r-pct' }),
        artifacts: ['100%.txt', 'a%62.txt', 'ab.txt'].map((p) => entry(p, true)),
      }),
    );
    await writeFile(join(files, '100%.txt'), 'full');
    await writeFile(join(files, 'a%62.txt'), 'percent');
    await writeFile(join(files, 'ab.txt'), 'sibling');
    const full = await get(s, 'r-pct', '100%25.txt');
    expect(full.status).toBe(200);
    expect(await full.text()).toBe('full');
    expect(await (await get(s, 'r-pct', 'a%2562.txt')).text()).toBe('percent');
  });

  it.each([
    ['a file the record says was not stored', 'big.bin'],
    ['a file the record does not list', 'unlisted.txt'],
    ['a listed symlink out of the results', 'leak.txt'],
    ['a traversal', '..%2Fr-abc.json'],
    ['a traversal by segments', 'charts/..%2F..%2Fr-abc.json'],
  ])('404 for %s', async (_name, path) => {
    const s = await withArtifacts();
    const r = await get(s, 'r-abc', path);
    expect(r.status).toBe(404);
    expect((await r.json()).error.code).toMatch(/^(artifact|run)_not_found$/);
  });
});
