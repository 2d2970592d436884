import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  endpointProblems,
  forwardToEndpoint,
  MAX_RESPONSE_BYTES,
  type EndpointBinding,
} from './passthrough.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A loopback endpoint; each request is recorded with its body. */
async function serve(
  handle: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<{
  url: string;
  seen: { method?: string; headers: IncomingMessage['headers']; body: string }[];
}> {
  const seen: { method?: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const c of req) body += c;
    seen.push({ method: req.method, headers: req.headers, body });
    handle(req, res, body);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/tool`, seen };
}

const bind = (url: string, o: Partial<EndpointBinding> = {}): EndpointBinding => ({
  url,
  headers: {},
  timeoutMs: 5000,
  ...o,
});

const json = (res: ServerResponse, status: number, value: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));

describe('forwardToEndpoint', () => {
  it('POSTs the arguments as JSON with the headers, and returns a 2xx JSON answer', async () => {
    const ep = await serve((_req, res) => json(res, 200, { status: 'shipped' }));
    const args = { order_id: '4521', nested: { a: [1, 'two', null] } };
    const r = await forwardToEndpoint(
      bind(ep.url, { headers: { authorization: 'Bearer t0k' } }),
      args,
    );
    expect(r).toMatchObject({ ok: true, status: 200, body: { status: 'shipped' } });
    expect(r.ms).toBeGreaterThanOrEqual(0);
    expect(ep.seen).toHaveLength(1);
    expect(ep.seen[0].method).toBe('POST');
    expect(JSON.parse(ep.seen[0].body)).toEqual(args);
    expect(ep.seen[0].headers).toMatchObject({
      authorization: 'Bearer t0k',
      'content-type': 'application/json',
    });
  });

  it('returns a text answer as text, and an empty one as null', async () => {
    const text = await serve((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/plain' }).end('order 4521: shipped'),
    );
    expect(await forwardToEndpoint(bind(text.url), {})).toMatchObject({
      ok: true,
      body: 'order 4521: shipped',
    });
    const empty = await serve((_req, res) => res.writeHead(204).end());
    expect(await forwardToEndpoint(bind(empty.url), {})).toMatchObject({
      ok: true,
      status: 204,
      body: null,
    });
  });

  it('refuses an answer that claims JSON but is not, or nests too deep', async () => {
    const bad = await serve((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"oops":'),
    );
    const r = await forwardToEndpoint(bind(bad.url), {});
    expect(r).toMatchObject({ ok: false, status: 200 });
    expect(!r.ok && r.error).toContain('not valid JSON');
    const deep = await serve((_req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end('['.repeat(5000) + ']'.repeat(5000)),
    );
    const d = await forwardToEndpoint(bind(deep.url), {});
    expect(!d.ok && d.error).toContain('nests deeper than');
  });

  it('reports a non-2xx answer with its status and the start of its body', async () => {
    const ep = await serve((_req, res) => json(res, 500, { error: 'database down' }));
    const r = await forwardToEndpoint(bind(ep.url), {});
    expect(r).toMatchObject({ ok: false, status: 500 });
    expect(!r.ok && r.error).toMatch(/^endpoint 127\.0\.0\.1:\d+ answered 500: .*database down/);
  });

  it('times out on a slow endpoint', async () => {
    const ep = await serve(() => undefined); // never answers
    const r = await forwardToEndpoint(bind(ep.url, { timeoutMs: 200 }), {});
    expect(r).toMatchObject({ ok: false });
    expect(!r.ok && r.error).toContain('did not answer within 0.2 s');
    expect(r.ms).toBeGreaterThanOrEqual(150);
  });

  it('times out on an endpoint that stalls mid-body', async () => {
    const ep = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"partial": ');
    });
    const r = await forwardToEndpoint(bind(ep.url, { timeoutMs: 300 }), {});
    expect(!r.ok && r.error).toContain('did not answer within');
  });

  it('ends with the caller signal', async () => {
    const ep = await serve(() => undefined);
    const ctl = new AbortController();
    const pending = forwardToEndpoint(bind(ep.url), {}, { signal: ctl.signal });
    ctl.abort();
    const r = await pending;
    expect(!r.ok && r.error).toContain('was cancelled');
  });

  it('does not follow a redirect', async () => {
    const target = await serve((_req, res) => json(res, 200, { followed: true }));
    const ep = await serve((_req, res) => res.writeHead(307, { location: target.url }).end());
    const r = await forwardToEndpoint(bind(ep.url), {});
    expect(r).toMatchObject({ ok: false, status: 307 });
    expect(!r.ok && r.error).toContain('redirects are not followed');
    expect(target.seen).toHaveLength(0);
  });

  it('stops reading an endless body past the cap', async () => {
    let sent = 0;
    const ep = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      // Writes for as long as the client reads: only a client that stops ends this answer.
      const pump = () => {
        while (!res.destroyed) {
          const more = res.write(chunk);
          sent += chunk.length;
          if (!more) return;
        }
      };
      res.on('drain', pump);
      pump();
    });
    const r = await forwardToEndpoint(bind(ep.url, { timeoutMs: 60_000 }), {});
    expect(r).toMatchObject({ ok: false });
    expect(!r.ok && r.error).toContain(`more than ${MAX_RESPONSE_BYTES} bytes`);
    expect(sent).toBeGreaterThan(MAX_RESPONSE_BYTES / 2);
  });

  it('refuses a declared oversize body before reading it', async () => {
    const ep = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(MAX_RESPONSE_BYTES + 1) });
      res.write('x');
    });
    const r = await forwardToEndpoint(bind(ep.url, { timeoutMs: 60_000 }), {});
    expect(!r.ok && r.error).toContain('more than');
  });

  it('reports a refused connection', async () => {
    const ep = await serve(() => undefined);
    const url = ep.url;
    const s = servers.pop()!;
    await new Promise((r) => s.close(r));
    const r = await forwardToEndpoint(bind(url), {});
    expect(r).toMatchObject({ ok: false });
    expect(!r.ok && r.error).toMatch(/^cannot reach endpoint 127\.0\.0\.1:\d+: connection refused/);
    expect(r).not.toHaveProperty('status');
  });

  it('never puts a header value in its error', async () => {
    const r = await forwardToEndpoint(
      bind('http://127.0.0.1:1/x', { headers: { authorization: 'sk-secret\r\nX: y' } }),
      {},
    );
    expect(!r.ok && r.error).toContain('not a valid HTTP header');
    expect(JSON.stringify(r)).not.toContain('sk-secret');
  });
});

describe('endpointProblems', () => {
  const problems = (e: unknown) =>
    endpointProblems(e).map((p) => `${p.path.join('.')}: ${p.message}`);

  it('accepts https anywhere and http to loopback', () => {
    for (const url of [
      'https://tools.example.com/get_order',
      'http://127.0.0.1:8080/x',
      'http://127.3.2.1/x',
      'http://localhost:3000/x',
      'http://[::1]:9000/x',
    ])
      expect(endpointProblems({ url }), url).toEqual([]);
    expect(
      endpointProblems({
        url: 'https://x.test/a',
        headers: { authorization: { secret: 'TOOLS_TOKEN' }, 'x-team': 'orders' },
        timeout: 300,
      }),
    ).toEqual([]);
  });

  it('refuses plain http off the machine, other schemes and user:pass@', () => {
    expect(problems({ url: 'http://tools.example.com/x' })[0]).toContain('only to loopback');
    expect(problems({ url: 'http://10.0.0.5/x' })[0]).toContain('only to loopback');
    expect(problems({ url: 'http://localhost.evil.test/x' })[0]).toContain('only to loopback');
    expect(problems({ url: 'ftp://x.test/a' })[0]).toContain('only https://');
    expect(problems({ url: 'https://u:p@x.test/a' })[0]).toContain('user:pass@');
    expect(problems({ url: 'not a url' })[0]).toContain('not a URL');
    expect(problems({})[0]).toContain('missing required key "url"');
  });

  it('checks headers and timeout, and refuses unknown keys with a did-you-mean', () => {
    expect(
      problems({
        url: 'https://x.test',
        headers: { 'bad name': 'v', host: 'x', 'x-a': 'one\ntwo', 'x-b': 5, 'x-c': { secret: 1 } },
        timeout: 301,
        timout: 5,
      }),
    ).toEqual([
      expect.stringMatching(/^timout: unknown key "timout"; did you mean "timeout"\?/),
      'headers.bad name: not a valid HTTP header name',
      'headers.host: host is set by the HTTP client; remove it',
      expect.stringMatching(/^headers\.x-a: must be one line/),
      'headers.x-b: must be a text or { secret: NAME }',
      'headers.x-c: must be a text or { secret: NAME }',
      expect.stringMatching(/^timeout: must be a number of seconds from 1 to 300/),
    ]);
    expect(problems({ url: 'https://x.test', timeout: 0 })).toHaveLength(1);
    expect(problems('https://x.test')[0]).toContain('must be a mapping');
  });
});
