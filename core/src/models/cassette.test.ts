import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Cassette } from './cassette.js';
import { PriceTable } from './prices.js';
import { ModelRelay } from './relay.js';
import { serveScript } from './scripted.js';
import { parseResponse } from './wire.js';

/** Sends one request through a relay, as a gateway would, and returns the response body. */
async function through(relay: ModelRelay, body: object): Promise<{ status: number; text: string }> {
  const srv = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    await relay.forward(
      'anthropic',
      '/v1/messages',
      Buffer.concat(chunks),
      req.headers,
      'agent',
      res,
    );
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const res = await fetch(`http://127.0.0.1:${(srv.address() as AddressInfo).port}/`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  const text = await res.text();
  srv.close();
  return { status: res.status, text };
}

describe('cassettes', () => {
  it('records live exchanges and replays them offline, matched by content not order', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cas-')), 'run.jsonl');
    const model = await serveScript({
      rules: [
        { when: { last_user: 'a' }, reply: { text: 'answer A' } },
        { when: { last_user: 'b' }, reply: { text: 'answer B' } },
      ],
    });
    const rec = new ModelRelay(
      { anthropic: { format: 'anthropic', baseUrl: model.url } },
      new PriceTable(),
      new Cassette('record', file),
    );
    const a = await through(rec, {
      model: 'claude-haiku-4-5',
      messages: [{ role: 'user', content: 'a' }],
      metadata: { user_id: 'session-1' },
    });
    const b = await through(rec, {
      model: 'claude-haiku-4-5',
      stream: true,
      messages: [{ role: 'user', content: 'b' }],
    });
    await model.close();

    // The provider is gone; replay must not need it, and order must not matter.
    const play = new ModelRelay({}, new PriceTable(), new Cassette('replay', file));
    const b2 = await through(play, {
      model: 'claude-haiku-4-5',
      stream: true,
      messages: [{ role: 'user', content: 'b' }],
    });
    const a2 = await through(play, {
      model: 'claude-haiku-4-5',
      messages: [{ role: 'user', content: 'a' }],
      metadata: { user_id: 'session-2' },
    });
    expect(a2.text).toBe(a.text);
    expect(b2.text).toBe(b.text);
    expect(parseResponse('anthropic', 'text/event-stream', b2.text).text).toBe('answer B');
    const miss = await through(play, {
      model: 'claude-haiku-4-5',
      messages: [{ role: 'user', content: 'never recorded' }],
    });
    expect(miss.status).toBe(599);
    expect(miss.text).toContain('cassette_miss');
  });
});
