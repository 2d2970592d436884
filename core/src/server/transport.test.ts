import { request } from 'node:http';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { LauncherDouble, serve, servedTree, type Served } from '../test-support/serve.js';
import { isLoopback, ServeRefused } from './auth.js';
import { startServe } from './server.js';

let s: Served | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const TOKEN = 'tok-0123456789abcdef-serve';

/** A raw request, so the test controls every header (Host included) and the body bytes. */
function raw(
  url: string,
  o: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<{ status: number; headers: Record<string, unknown>; body: any }> {
  return new Promise((ok, fail) => {
    const req = request(
      `${url}${o.path}`,
      { method: o.method ?? 'POST', headers: o.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            /* not JSON */
          }
          ok({ status: res.statusCode!, headers: res.headers, body });
        });
      },
    );
    req.on('error', fail);
    req.end(o.body);
  });
}

const errorShape = (code: string) => ({
  error: { message: expect.any(String), type: expect.any(String), param: null, code },
});

describe('the token rule: any address other than loopback needs a bearer token', () => {
  it('knows loopback when it sees it, and nothing else', () => {
    for (const h of ['127.0.0.1', '127.0.0.2', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1'])
      expect(isLoopback(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.2', 'example.com', '127.0.0.1.nip.io'])
      expect(isLoopback(h), h).toBe(false);
  });

  it('refuses to start on another address without a token, before binding anything', async () => {
    const root = await servedTree();
    await expect(startServe({ root, host: '0.0.0.0', env: {} })).rejects.toThrow(ServeRefused);
    await expect(startServe({ root, host: '0.0.0.0', env: {} })).rejects.toThrow(
      /without a bearer token.*GAUNTLET_SERVE_TOKEN/s,
    );
    // A named variable that is not set, and a token too short to guard anything, are refused too.
    await expect(startServe({ root, tokenEnv: 'MY_TOKEN', env: {} })).rejects.toThrow(
      /MY_TOKEN is not set/,
    );
    await expect(
      startServe({ root, host: '0.0.0.0', env: { GAUNTLET_SERVE_TOKEN: 'short' } }),
    ).rejects.toThrow(/at least 16/);
  });

  it('with a token, answers 401 in OpenAI’s shape to a wrong or missing key', async () => {
    s = await serve({ env: { GAUNTLET_SERVE_TOKEN: TOKEN } });
    expect(s.server.tokenRequired).toBe(true);
    const e = await s.client.models.list().catch((x) => x);
    expect(e).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(e.error).toEqual(errorShape('invalid_api_key').error);
    const none = await raw(s.server.url, { method: 'GET', path: '/v1/models' });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(none.body).toEqual(errorShape('invalid_api_key'));
    const ok = new OpenAI({ baseURL: `${s.server.url}/v1`, apiKey: TOKEN, maxRetries: 0 });
    expect((await ok.models.list()).data.length).toBeGreaterThan(0);
  });

  it('reads the token from the variable --token-env names', async () => {
    s = await serve({ tokenEnv: 'MY_TOKEN', env: { MY_TOKEN: TOKEN } });
    const ok = new OpenAI({ baseURL: `${s.server.url}/v1`, apiKey: TOKEN, maxRetries: 0 });
    expect((await ok.models.list()).object).toBe('list');
    expect((await s.client.models.list().catch((x) => x)).status).toBe(401);
  });

  it('without a token, refuses a Host that is not this loopback server (DNS rebinding)', async () => {
    s = await serve();
    const r = await raw(s.server.url, {
      method: 'GET',
      path: '/v1/models',
      headers: { host: `attacker.example:${s.server.port}` },
    });
    expect(r.status).toBe(421);
    expect(r.body).toEqual(errorShape('misdirected_request'));
    const ok = await raw(s.server.url, {
      method: 'GET',
      path: '/v1/models',
      headers: { host: `localhost:${s.server.port}` },
    });
    expect(ok.status).toBe(200);
  });
});

describe('caps and refusals before any route runs', () => {
  const json = { 'content-type': 'application/json' };

  it('413 over the body cap, in OpenAI’s shape, also to the official client', async () => {
    s = await serve({ limits: { bodyBytes: 2048 } });
    const big = JSON.stringify({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'x'.repeat(4096) }],
    });
    const r = await raw(s.server.url, { path: '/v1/chat/completions', headers: json, body: big });
    expect(r.status).toBe(413);
    expect(r.body).toEqual(errorShape('request_too_large'));
    const e = await s.client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(4096) }] })
      .catch((x) => x);
    expect(e.status).toBe(413);
  });

  it('429 when the requests in flight are at the cap, and serves again once one ends', async () => {
    const double = new LauncherDouble({ hold: true });
    s = await serve({ limits: { maxConcurrent: 1 }, launch: double.launch });
    const held = s.client.chat.completions.create({
      model: 'analyst',
      messages: [
        { role: 'user', content: 'go' },
        { role: 'system', content: 'mission' },
      ],
      // @ts-expect-error the vendor block is not in the client's types
      gauntlet: { runbook: true },
    });
    await double.started;
    const e = await s.client.models.list().catch((x) => x);
    expect(e).toBeInstanceOf(OpenAI.RateLimitError);
    expect(e.error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
    expect(e.headers.get('retry-after')).toBe('1');
    double.release();
    await held;
    expect((await s.client.models.list()).object).toBe('list');
  });

  it('JSON only: 415 for another content type, 400 for broken or too deeply nested JSON', async () => {
    s = await serve();
    const path = '/v1/chat/completions';
    const text = await raw(s.server.url, {
      path,
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(text.status).toBe(415);
    expect(text.body).toEqual(errorShape('unsupported_media_type'));
    const broken = await raw(s.server.url, { path, headers: json, body: '{"model": ' });
    expect(broken.status).toBe(400);
    expect(broken.body).toEqual(errorShape('invalid_json'));
    const array = await raw(s.server.url, { path, headers: json, body: '[1]' });
    expect(array.body).toEqual(errorShape('invalid_json'));
    const deep = '{"a":'.repeat(70) + '1' + '}'.repeat(70);
    const nested = await raw(s.server.url, { path, headers: json, body: deep });
    expect(nested.status).toBe(400);
    expect(nested.body).toEqual(errorShape('nesting_too_deep'));
  });

  it('404 for an unknown URL and 405 for a known one asked the wrong way', async () => {
    s = await serve();
    const nf = await raw(s.server.url, { method: 'GET', path: '/v1/embeddings' });
    expect(nf.status).toBe(404);
    expect(nf.body).toEqual(errorShape('unknown_url'));
    const e = await s.client.embeddings.create({ model: 'x', input: 'y' }).catch((x) => x);
    expect(e).toBeInstanceOf(OpenAI.NotFoundError);
    const na = await raw(s.server.url, { method: 'GET', path: '/v1/chat/completions' });
    expect(na.status).toBe(405);
    expect(na.headers.allow).toBe('POST');
    expect(na.body).toEqual(errorShape('method_not_allowed'));
  });
});
