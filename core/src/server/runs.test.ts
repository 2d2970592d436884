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
