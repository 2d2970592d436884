import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandAdapter } from '../core/src/agents/command/adapter.js';
import { mcpRegistration } from '../core/src/agents/command/mcp.js';
import { PRESETS, recognise, withFlags } from '../core/src/agents/command/presets.js';
import { SecretResolver } from '../core/src/config/secrets.js';
import type { ToolDecl, ToolSpec } from '../core/src/config/types.js';
import { PriceTable } from '../core/src/models/prices.js';
import { ModelRelay } from '../core/src/models/relay.js';
import { carriesTools, requestToolNames } from '../core/src/models/request-tools.js';
import { serveScript, type Script } from '../core/src/models/scripted.js';
import type { WireFormat } from '../core/src/models/wire.js';
import { DockerDriver } from '../core/src/sandbox/docker.js';
import { ImageManager } from '../core/src/sandbox/images.js';
import { Session } from '../core/src/session/session.js';
import type { TurnInput } from '../core/src/session/types.js';
import { dockerReady } from '../core/src/test-support/docker.js';
import { ToolDesk } from '../core/src/tools/tool-desk.js';
import { packageRoot } from '../core/src/util/paths.js';
import { seedLedger } from '../core/src/world/initial-state.js';
import { seedWorkspace } from '../core/src/workspace/seed.js';

/**
 * The MCP shim (core/runtime/mcp_shim.py) driven over stdio by this test, as a CLI drives it,
 * against a loopback server that implements the gateway's tools contract; then the real
 * Claude Code and Codex binaries, registered through agents/command/mcp.ts, calling a tool
 * through it. Loopback only.
 */

const SHIM = join(packageRoot(), 'core/runtime/mcp_shim.py');
const TOKEN = 'gt_mcp_test_token';
const SCHEMA = {
  type: 'object',
  properties: { order_id: { type: 'string' } },
  required: ['order_id'],
};
const CATALOGUE: ToolSpec[] = [
  { name: 'get_order', description: 'Look up an order by id.', input_schema: SCHEMA },
  {
    name: 'refund',
    description: 'Refund an order.',
    input_schema: { type: 'object', properties: { order_id: { type: 'string' } } },
  },
];

/** One call as the contract server received it. */
interface Received {
  name: string;
  args: unknown;
  actor?: string;
  headers: IncomingMessage['headers'];
}

type Answer = { status: number; body: unknown } | { status: number; text: string };
const json = (status: number, body: unknown): Answer => ({ status, body });
const error = (status: number, type: string, message: string) =>
  json(status, { error: { type, message } });

/** What each test tool answers on its nth call (0-based). */
const ANSWERS: Record<string, (args: any, nth: number) => Answer> = {
  get_order: (a) => json(200, { order_id: a?.order_id, status: 'shipped' }),
  refund: () => json(200, ['refunded']),
  plain: () => ({ status: 200, text: 'plain text, not JSON' }),
  busy_twice: (_a, n) =>
    n < 2 ? error(503, 'lock_contention', 'the run lock is busy') : json(200, { done: n }),
  always_busy: () => error(503, 'lock_contention', 'the run lock is busy'),
  broken: () => error(502, 'transport_error', 'the endpoint at carrier.example failed'),
  html_error: () => ({ status: 500, text: '<html>oops</html>' }),
};

/**
 * The gateway's tools contract on loopback: GET /tools, POST /tools/{name} with the bearer
 * token, 404 unknown_tool, per-tool answers above; `slow` answers when released. With
 * `upstream`, every other path is relayed to the scripted model, where a Responses
 * function_call of `mcp__gauntlet__<t>` becomes Codex's namespaced call (name <t>, namespace
 * mcp__gauntlet): the scripted model does not write namespaced calls itself.
 */
async function contractServer(
  o: { catalogue?: unknown[]; upstream?: string; catalogueDelayMs?: number } = {},
) {
  const received: Received[] = [];
  const lists: IncomingMessage['headers'][] = [];
  const counts = new Map<string, number>();
  let releaseSlow: () => void = () => {};
  const slowReleased = new Promise<void>((r) => (releaseSlow = r));
  const answered: string[] = [];
  const send = (res: ServerResponse, a: Answer) => {
    const text = 'text' in a ? a.text : JSON.stringify(a.body);
    res.writeHead(a.status, { 'content-type': 'application/json' }).end(text);
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const path = (req.url ?? '').split('?')[0];
      const tool = /^\/tools\/([A-Za-z0-9_-]{1,64})$/.exec(path)?.[1];
      if (path === '/tools' || tool) {
        if (req.headers.authorization !== `Bearer ${TOKEN}`)
          return send(res, error(401, 'unauthorized', 'bad or missing run token'));
        if (path === '/tools' && req.method === 'GET') {
          lists.push(req.headers);
          if (o.catalogueDelayMs) await new Promise((r) => setTimeout(r, o.catalogueDelayMs));
          return send(res, json(200, { tools: o.catalogue ?? CATALOGUE }));
        }
        if (!tool || req.method !== 'POST') return send(res, error(405, 'method', 'POST only'));
        let args: unknown = body.toString('utf8');
        try {
          args = JSON.parse(args as string);
        } catch {
          /* kept raw */
        }
        const actor = req.headers['x-gauntlet-actor'] as string | undefined;
        received.push({ name: tool, args, ...(actor ? { actor } : {}), headers: req.headers });
        const nth = counts.get(tool) ?? 0;
        counts.set(tool, nth + 1);
        if (tool === 'slow') {
          await slowReleased;
          res.once('finish', () => answered.push('slow'));
          return send(res, json(200, { slow: true }));
        }
        const answer = ANSWERS[tool];
        return send(
          res,
          answer
            ? answer(args, nth)
            : error(404, 'unknown_tool', `tool "${tool}" is not declared on this agent`),
        );
      }
      if (!o.upstream) return send(res, error(404, 'not_found', `no route ${path}`));
      relay(o.upstream, req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    lists,
    answered,
    releaseSlow: () => releaseSlow(),
    close: () => closeServer(server),
  };
}

/** Relays a model request to the scripted model (see contractServer). */
function relay(upstream: string, req: IncomingMessage, body: Buffer, res: ServerResponse) {
  const u = new URL(upstream);
  const up = httpRequest(
    { host: u.hostname, port: u.port, path: req.url, method: req.method, headers: req.headers },
    (r) => {
      const out: Buffer[] = [];
      r.on('data', (c: Buffer) => out.push(c));
      r.on('end', () => {
        const text = Buffer.concat(out)
          .toString('utf8')
          .replace(/"name":"mcp__gauntlet__([A-Za-z0-9_-]+)"(?=,"arguments")/g, (_m, t) =>
            req.url?.endsWith('/responses')
              ? `"name":"${t}","namespace":"mcp__gauntlet"`
              : `"name":"mcp__gauntlet__${t}"`,
          );
        const headers = { ...r.headers };
        delete headers['content-length'];
        res.writeHead(r.statusCode ?? 502, headers).end(text);
      });
    },
  );
  up.on('error', (e) => res.writeHead(502).end(String(e)));
  up.end(body);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((r) => {
    server.closeAllConnections();
    server.close(() => r());
  });
}

/** The shim as a CLI runs it: JSON-RPC lines on stdin, every stdout line kept and parsed. */
class Shim {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly lines: string[] = [];
  stderr = '';
  private readonly queue: unknown[] = [];
  private readonly waiting: ((m: unknown) => void)[] = [];
  private readonly exited: Promise<number | null>;

  constructor(env: Record<string, string>, args: string[] = []) {
    this.proc = spawn('python3', [SHIM, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    });
    this.proc.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    createInterface({ input: this.proc.stdout }).on('line', (line) => {
      this.lines.push(line);
      const m = JSON.parse(line);
      const w = this.waiting.shift();
      if (w) w(m);
      else this.queue.push(m);
    });
    this.exited = new Promise((r) => this.proc.on('close', (code) => r(code)));
  }

  write(line: string | Buffer) {
    this.proc.stdin.write(line);
    if (typeof line === 'string' && !line.endsWith('\n')) this.proc.stdin.write('\n');
  }

  send(message: unknown) {
    this.write(JSON.stringify(message));
  }

  /** The next message the shim writes. */
  next(): Promise<any> {
    if (this.queue.length) return Promise.resolve(this.queue.shift());
    return new Promise((r) => this.waiting.push(r));
  }

  /** Sends a request and returns the next message (requests here are answered in order). */
  async call(method: string, params?: unknown, id: string | number = method): Promise<any> {
    this.send({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
    return this.next();
  }

  /** Ends stdin and waits for the process: it exits once what is in flight is answered. */
  async close(): Promise<number | null> {
    this.proc.stdin.end();
    return this.exited;
  }
}

const INIT = {
  protocolVersion: '2025-06-18',
  capabilities: {},
  clientInfo: { name: 'test', version: '1' },
};

async function started(env: Record<string, string>, version = INIT.protocolVersion) {
  const shim = new Shim(env);
  const init = await shim.call('initialize', { ...INIT, protocolVersion: version }, 0);
  shim.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return { shim, init };
}

const envFor = (url: string, extra: Record<string, string> = {}) => ({
  GAUNTLET_PROXY_URL: url,
  GAUNTLET_RUN_TOKEN: TOKEN,
  ...extra,
});

/** Every stdout line is one JSON-RPC 2.0 message (or a batch of them): the stream is clean. */
function expectOnlyProtocol(lines: string[]) {
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    const m = JSON.parse(line);
    for (const one of Array.isArray(m) ? m : [m]) {
      expect(one.jsonrpc).toBe('2.0');
      expect('result' in one || 'error' in one).toBe(true);
    }
  }
}

describe('the MCP shim over stdio, against the gateway tools contract', () => {
  let gw: Awaited<ReturnType<typeof contractServer>>;
  beforeAll(async () => {
    gw = await contractServer({
      catalogue: [
        ...CATALOGUE,
        { name: 'no_schema' },
        { name: 'bad name!', input_schema: SCHEMA },
        { name: 'x'.repeat(65), input_schema: SCHEMA },
        'not an object',
        { description: 'no name' },
      ],
    });
  });
  afterAll(() => gw.close());

  it('initialize answers the client’s protocol version when supported, else the newest; notifications get no answer', async () => {
    const { shim, init } = await started(envFor(gw.url));
    expect(init).toEqual({
      jsonrpc: '2.0',
      id: 0,
      result: {
        protocolVersion: '2025-06-18',
        capabilities: { tools: { listChanged: false } },
        serverInfo: { name: 'gauntlet', version: '1.0.0' },
      },
    });
    // The initialized notification and an unknown one got nothing: the next answer is the ping's.
    shim.send({ jsonrpc: '2.0', method: 'notifications/whatever', params: { x: 1 } });
    expect(await shim.call('ping', undefined, 'p1')).toEqual({
      jsonrpc: '2.0',
      id: 'p1',
      result: {},
    });
    const old = await shim.call('initialize', { ...INIT, protocolVersion: '2024-11-05' }, 1);
    expect(old.result.protocolVersion).toBe('2024-11-05');
    const future = await shim.call('initialize', { ...INIT, protocolVersion: '2099-01-01' }, 2);
    expect(future.result.protocolVersion).toBe('2025-11-25');
    expect(await shim.close()).toBe(0);
    expectOnlyProtocol(shim.lines);
  });

  it('tools/list is the gateway catalogue in MCP form; entries without a valid name are left out', async () => {
    const { shim } = await started(envFor(gw.url));
    const before = gw.lists.length;
    const r = await shim.call('tools/list', {});
    expect(r.result.tools).toEqual([
      { name: 'get_order', description: 'Look up an order by id.', inputSchema: SCHEMA },
      { name: 'refund', description: 'Refund an order.', inputSchema: CATALOGUE[1].input_schema },
      { name: 'no_schema', inputSchema: { type: 'object' } },
    ]);
    expect(r.result.nextCursor).toBeUndefined();
    expect(gw.lists[before].authorization).toBe(`Bearer ${TOKEN}`);
    expect(await shim.close()).toBe(0);
    expect(shim.stderr).toContain('left out');
  });

  it('tools/call forwards the arguments and the actor, and returns the JSON as text and structuredContent', async () => {
    const { shim } = await started(envFor(gw.url, { GAUNTLET_ACTOR_ID: 'support/env' }));
    const first = gw.received.length;
    const r = await shim.call('tools/call', {
      name: 'get_order',
      arguments: { order_id: 'A-1', note: 'ünïcode ☃' },
      _meta: { 'gauntlet/actor_id': 'support/billing', progressToken: 3 },
    });
    expect(r.result).toEqual({
      content: [{ type: 'text', text: '{"order_id": "A-1", "status": "shipped"}' }],
      structuredContent: { order_id: 'A-1', status: 'shipped' },
    });
    expect(r.result.isError).toBeUndefined();
    // Without _meta the environment's actor; a header-breaking actor is dropped, not sent.
    await shim.call('tools/call', { name: 'get_order', arguments: { order_id: 'A-2' } });
    await shim.call('tools/call', {
      name: 'get_order',
      arguments: { order_id: 'A-3' },
      _meta: { 'gauntlet/actor_id': 'evil\r\nx-injected: 1' },
    });
    // An array or a non-JSON body is text only; arguments may be left out.
    const array = await shim.call('tools/call', { name: 'refund' });
    expect(array.result).toEqual({ content: [{ type: 'text', text: '["refunded"]' }] });
    const plain = await shim.call('tools/call', { name: 'plain', arguments: {} });
    expect(plain.result).toEqual({ content: [{ type: 'text', text: 'plain text, not JSON' }] });
    expect(await shim.close()).toBe(0);
    const calls = gw.received.slice(first);
    expect(calls.map(({ name, args, actor }) => ({ name, args, actor }))).toEqual([
      {
        name: 'get_order',
        args: { order_id: 'A-1', note: 'ünïcode ☃' },
        actor: 'support/billing',
      },
      { name: 'get_order', args: { order_id: 'A-2' }, actor: 'support/env' },
      { name: 'get_order', args: { order_id: 'A-3' }, actor: undefined },
      { name: 'refund', args: {}, actor: 'support/env' },
      { name: 'plain', args: {}, actor: 'support/env' },
    ]);
    expect(calls[2].headers['x-injected']).toBeUndefined();
    expect(calls[0].headers['content-type']).toBe('application/json');
    expect(calls[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(shim.stderr).toContain('actor id is not a printable header value');
  });

  it('a client on an older protocol gets no structuredContent', async () => {
    const { shim } = await started(envFor(gw.url), '2025-03-26');
    const r = await shim.call('tools/call', { name: 'get_order', arguments: { order_id: '9' } });
    expect(r.result).toEqual({
      content: [{ type: 'text', text: '{"order_id": "9", "status": "shipped"}' }],
    });
    await shim.close();
  });

  it('retries 503 lock_contention with backoff, then succeeds; gives up after a few tries', async () => {
    const { shim } = await started(envFor(gw.url));
    const first = gw.received.length;
    const ok = await shim.call('tools/call', { name: 'busy_twice', arguments: { n: 1 } });
    expect(ok.result).toEqual({
      content: [{ type: 'text', text: '{"done": 2}' }],
      structuredContent: { done: 2 },
    });
    expect(gw.received.slice(first).map((c) => c.name)).toEqual([
      'busy_twice',
      'busy_twice',
      'busy_twice',
    ]);
    const busy = await shim.call('tools/call', { name: 'always_busy', arguments: {} });
    expect(busy.result).toEqual({
      content: [{ type: 'text', text: 'lock_contention: the run lock is busy' }],
      isError: true,
    });
    expect(gw.received.filter((c) => c.name === 'always_busy')).toHaveLength(5);
    await shim.close();
    expect(shim.stderr).toMatch(/busy_twice: lock_contention, retrying in [\d.]+ s/);
  }, 30_000);

  it('gateway errors become tool results with isError and the gateway’s message', async () => {
    const { shim } = await started(envFor(gw.url));
    const results = [];
    for (const name of ['broken', 'nope', 'html_error'])
      results.push((await shim.call('tools/call', { name, arguments: {} })).result);
    expect(results).toEqual([
      {
        content: [
          { type: 'text', text: 'transport_error: the endpoint at carrier.example failed' },
        ],
        isError: true,
      },
      {
        content: [
          { type: 'text', text: 'unknown_tool: tool "nope" is not declared on this agent' },
        ],
        isError: true,
      },
      {
        content: [{ type: 'text', text: 'HTTP 500 from the gateway: <html>oops</html>' }],
        isError: true,
      },
    ]);
    await shim.close();
    // A wrong token is the gateway's 401, told as such (and never a crash).
    const { shim: wrong } = await started({ ...envFor(gw.url), GAUNTLET_RUN_TOKEN: 'wrong' });
    const r = await wrong.call('tools/call', { name: 'get_order', arguments: {} });
    expect(r.result.content[0].text).toBe('unauthorized: bad or missing run token');
    const list = await wrong.call('tools/list');
    expect(list.error).toEqual({
      code: -32603,
      message: 'tools/list: unauthorized: bad or missing run token',
    });
    expect(await wrong.close()).toBe(0);
  });

  it('a gateway that is down is a clean tool error; one that comes up in time is reached', async () => {
    // A port nothing listens on (taken, then freed).
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await closeServer(probe);
    const url = `http://127.0.0.1:${port}`;
    const { shim } = await started(envFor(url, { GAUNTLET_MCP_CONNECT_WAIT: '0.3' }));
    const down = await shim.call('tools/call', { name: 'get_order', arguments: {} });
    expect(down.result.isError).toBe(true);
    expect(down.result.content[0].text).toMatch(
      new RegExp(`^the gauntlet gateway at ${url} is unreachable \\(ConnectionRefusedError`),
    );
    expect(down.result.content[0].text).not.toContain(TOKEN);
    const list = await shim.call('tools/list');
    expect(list.error.code).toBe(-32603);
    expect(list.error.message).toMatch(/unreachable/);
    await shim.close();

    // The forwarder starts next to the CLI: a refused connect is retried until it listens.
    const { shim: early } = await started(envFor(url));
    early.send({ jsonrpc: '2.0', id: 'late', method: 'tools/list' });
    const late = createServer((req, res) => {
      req.resume();
      res.writeHead(200).end(JSON.stringify({ tools: [CATALOGUE[0]] }));
    });
    await new Promise<void>((r) => late.listen(port, '127.0.0.1', r));
    const answer = await early.next();
    expect(answer.result.tools.map((t: { name: string }) => t.name)).toEqual(['get_order']);
    await early.close();
    await closeServer(late);

    // A connection the gateway drops mid-request is not retried (the call may have run).
    const rude = createServer((req) => req.socket.destroy());
    await new Promise<void>((r) => rude.listen(0, '127.0.0.1', r));
    const { shim: cut } = await started(
      envFor(`http://127.0.0.1:${(rude.address() as AddressInfo).port}`),
    );
    const dropped = await cut.call('tools/call', { name: 'get_order', arguments: {} });
    expect(dropped.result.isError).toBe(true);
    expect(dropped.result.content[0].text).toMatch(/unreachable/);
    await cut.close();
    await closeServer(rude);

    // Without the proxy settings at all: a JSON-RPC error naming them.
    const { shim: bare } = await started({});
    expect((await bare.call('tools/list')).error.message).toMatch(
      /GAUNTLET_PROXY_URL and GAUNTLET_RUN_TOKEN must be set/,
    );
    await bare.close();
  }, 30_000);

  it('answers hostile input with JSON-RPC errors and keeps going; stdout carries only protocol', async () => {
    const { shim } = await started(envFor(gw.url));
    const first = gw.received.length;
    const cases: [string | Buffer, unknown][] = [
      ['this is not json', { id: null, error: { code: -32700, message: 'not JSON' } }],
      [Buffer.from([0xff, 0xfe, 0x7b, 0x0a]), { id: null, error: { code: -32700 } }],
      ['['.repeat(200_000), { id: null, error: { code: -32700 } }],
      ['42', { id: null, error: { code: -32600 } }],
      ['[]', { id: null, error: { code: -32600, message: 'an empty batch' } }],
      ['{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}', { id: null, error: { code: -32600 } }],
      ['{"jsonrpc":"2.0","id":true,"method":"ping"}', { id: null, error: { code: -32600 } }],
      ['{"id":5,"method":"ping"}', { id: 5, error: { code: -32600 } }],
      ['{"jsonrpc":"2.0","id":6,"method":7}', { id: 6, error: { code: -32600 } }],
      [
        '{"jsonrpc":"2.0","id":7,"method":"resources/list"}',
        { id: 7, error: { code: -32601, message: 'method not found: resources/list' } },
      ],
      ['{"jsonrpc":"2.0","id":8,"method":"ping","params":[1]}', { id: 8, error: { code: -32602 } }],
      [
        '{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"../admin","arguments":{}}}',
        { id: 9, error: { code: -32602 } },
      ],
      [
        '{"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"name":"get_order","arguments":[1]}}',
        { id: 10, error: { code: -32602, message: 'tools/call arguments must be an object' } },
      ],
      [
        '{"jsonrpc":"2.0","id":11,"method":"tools/call","params":{"arguments":{}}}',
        { id: 11, error: { code: -32602 } },
      ],
      [
        `{"jsonrpc":"2.0","id":12,"method":"${'m'.repeat(5000)}"}`,
        { id: 12, error: { code: -32601 } },
      ],
    ];
    for (const [line, expected] of cases) {
      shim.write(line);
      expect(await shim.next()).toMatchObject({ jsonrpc: '2.0', ...(expected as object) });
    }
    // Stray responses and notifications, even malformed ones, get nothing; a batch gets an array.
    shim.write('{"jsonrpc":"2.0","id":99,"result":{}}');
    shim.write('{"jsonrpc":"2.0","method":"notifications/cancelled","params":"x"}');
    shim.write('{"method":42}');
    shim.write(
      JSON.stringify([
        { jsonrpc: '2.0', id: 'b1', method: 'ping' },
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        { jsonrpc: '2.0', id: 'b2', method: 'nope' },
      ]),
    );
    expect(await shim.next()).toEqual([
      { jsonrpc: '2.0', id: 'b1', result: {} },
      { jsonrpc: '2.0', id: 'b2', error: { code: -32601, message: 'method not found: nope' } },
    ]);
    // A line over the bound is drained whole and refused; the next line is read as usual.
    shim.write(
      `{"jsonrpc":"2.0","id":"big","method":"ping","params":{"x":"${'a'.repeat(9 * 1024 * 1024)}"}}`,
    );
    expect(await shim.next()).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32700, message: 'line over 8388608 bytes' },
    });
    expect(await shim.call('ping', undefined, 'after')).toEqual({
      jsonrpc: '2.0',
      id: 'after',
      result: {},
    });
    expect(await shim.close()).toBe(0);
    expect(gw.received.length).toBe(first); // nothing hostile reached the gateway
    expectOnlyProtocol(shim.lines);
  }, 30_000);

  it('a cancelled call gets no response; a call in flight at the end of stdin is still answered', async () => {
    const { shim } = await started(envFor(gw.url));
    shim.send({
      jsonrpc: '2.0',
      id: 'slow-1',
      method: 'tools/call',
      params: { name: 'slow', arguments: {} },
    });
    shim.send({
      jsonrpc: '2.0',
      id: 'slow-2',
      method: 'tools/call',
      params: { name: 'slow', arguments: {} },
    });
    while (gw.received.filter((c) => c.name === 'slow').length < 2)
      await new Promise((r) => setImmediate(r));
    shim.send({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 'slow-1' },
    });
    // Pings flow while the calls wait on the gateway.
    expect(await shim.call('ping', undefined, 'p')).toEqual({
      jsonrpc: '2.0',
      id: 'p',
      result: {},
    });
    const closed = shim.close();
    gw.releaseSlow();
    expect(await closed).toBe(0);
    const ids = shim.lines.map((l) => JSON.parse(l).id);
    expect(ids).toContain('slow-2');
    expect(ids).not.toContain('slow-1');
  });
});

describe('mcp_shim.py --register: its own entry in a CLI’s settings file', () => {
  it('merges mcpServers.gauntlet with the proxy settings written in, keeping everything else', async () => {
    const home = await mkdtemp(join(tmpdir(), 'mcp-register-'));
    const file = join(home, '.gemini', 'settings.json');
    await mkdir(join(home, '.gemini'));
    await writeFile(
      file,
      JSON.stringify({ ui: { theme: 'x' }, mcpServers: { mine: { command: 'a' } } }),
    );
    const run = (target: string, entry: string) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const p = spawn('python3', [SHIM, '--register', target, entry], {
          env: {
            PATH: process.env.PATH ?? '',
            HOME: home,
            ...envFor('http://127.0.0.1:8787', { GAUNTLET_ACTOR_ID: 'root' }),
          },
        });
        let stderr = '';
        p.stderr.on('data', (d: Buffer) => (stderr += d));
        p.on('close', (code) => resolve({ code, stderr }));
      });
    const entry = JSON.stringify({ command: 'python3', args: ['/s.py'], trust: true });
    expect((await run('~/.gemini/settings.json', entry)).code).toBe(0);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      ui: { theme: 'x' },
      mcpServers: {
        mine: { command: 'a' },
        gauntlet: {
          command: 'python3',
          args: ['/s.py'],
          trust: true,
          env: {
            GAUNTLET_PROXY_URL: 'http://127.0.0.1:8787',
            GAUNTLET_RUN_TOKEN: TOKEN,
            GAUNTLET_ACTOR_ID: 'root',
          },
        },
      },
    });
    // It holds the token: its owner's only. Run again, it is the same file (idempotent).
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const once = await readFile(file, 'utf8');
    expect((await run(file, entry)).code).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(once);
    // A missing directory is created; a file that is not a JSON object is refused, untouched.
    expect((await run('~/.cursor/mcp.json', entry)).code).toBe(0);
    expect(
      JSON.parse(await readFile(join(home, '.cursor/mcp.json'), 'utf8')).mcpServers.gauntlet,
    ).toBeTruthy();
    await writeFile(file, '[1, 2]');
    const refused = await run(file, entry);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/registration failed: .*is not a JSON object/);
    expect(await readFile(file, 'utf8')).toBe('[1, 2]');
    expect((await run(file, 'not json')).code).toBe(1);
    await rm(home, { recursive: true, force: true });
  });
});

// ---------------------------------------------------------------------------------------------
// The real CLIs, on this host (no Docker): registered as a run registers them, calling a tool.

const CLIS = {
  claude: '.cache/claude/node_modules/@anthropic-ai/claude-code-linux-x64/claude',
  codex: '.cache/codex/node_modules/@openai/codex/vendor/x86_64-unknown-linux-musl/bin/codex',
};

function clisReady(): boolean {
  const missing = Object.values(CLIS).filter((p) => !existsSync(join(packageRoot(), p)));
  if (missing.length && process.env.CI === 'true')
    throw new Error(`missing ${missing.join(', ')}: scripts/install-tools.sh installs them`);
  if (missing.length) console.warn(`!!! ${missing.join(', ')} missing: MCP CLI tests skipped`);
  return !missing.length;
}

/** The model asks for the MCP tool first, then answers with what it returned. */
const SCRIPT: Script = {
  rules: [
    {
      when: { any: 'mcp__gauntlet', turn: 0 },
      reply: { tool_use: { name: 'mcp__gauntlet__get_order', input: { order_id: '4521' } } },
    },
    { when: { any: 'shipped', turn: 1 }, reply: { text: 'Order 4521 has shipped.' } },
  ],
  fallback: { text: 'NO TOOL: the request did not carry the gauntlet tools' },
};

/**
 * Runs `configured` as a run would (the preset's flags and env, then the MCP registration for
 * the catalogue) with the gateway role played by the contract server, which also relays the
 * model calls to the scripted model. The catalogue answers after 2 s: the CLI must wait.
 */
async function runCli(cli: 'claude' | 'codex', configured: string, without?: string) {
  const model = await serveScript(SCRIPT);
  const gw = await contractServer({ upstream: model.url, catalogueDelayMs: 2000 });
  const dir = await mkdtemp(join(tmpdir(), `mcp-${cli}-`));
  const [bin, home, run, work] = ['bin', 'home', 'run', 'work'].map((d) => join(dir, d));
  for (const d of [bin, home, run, work]) await mkdir(d);
  await symlink(join(packageRoot(), CLIS[cli]), join(bin, cli));
  const task = join(run, 'task.md');
  await writeFile(task, 'Look up order 4521 and tell me its status.\n');
  try {
    const reg = mcpRegistration(cli, CATALOGUE, { shim: SHIM, runDir: run });
    if (!reg?.registered) throw new Error('not registered');
    for (const [name, text] of Object.entries(reg.setup.runFiles))
      await writeFile(join(run, name), text);
    const r = recognise(configured);
    // `without`: one registration word left out, to show what it is for.
    const command = withFlags(r.command, reg.setup.flags).replace(without ?? '\0', '');
    const env = {
      PATH: `${bin}:${process.env.PATH}`,
      HOME: home,
      GAUNTLET_PROXY_URL: gw.url,
      GAUNTLET_RUN_TOKEN: TOKEN,
      GAUNTLET_TASK_FILE: task,
      GAUNTLET_ACTOR_ID: `support/${cli}`,
      ANTHROPIC_BASE_URL: gw.url,
      ANTHROPIC_API_KEY: TOKEN,
      OPENAI_API_KEY: TOKEN,
      ...PRESETS[cli].env,
      ...reg.setup.env,
    };
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve) => {
        // No stdin, as in the sandbox's exec (codex exec reads a piped stdin to its end).
        const p = spawn('sh', ['-c', command], {
          cwd: work,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', (d: Buffer) => (stdout += d));
        p.stderr.on('data', (d: Buffer) => (stderr += d));
        p.on('close', (code) => resolve({ code, stdout, stderr }));
      },
    );
    return { ...out, command, calls: gw.received, lists: gw.lists, requests: model.model.requests };
  } finally {
    await gw.close();
    await model.close();
    await rm(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!clisReady())('real coding CLIs reach the tools through the shim', () => {
  it('Claude Code: the first model request carries the tool; the call arrives with args and actor', async () => {
    const r = await runCli('claude', 'claude -p "$(cat $GAUNTLET_TASK_FILE)"');
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    expect(r.command).toContain('--mcp-config');
    // (b) It waited for the slow catalogue: the first request already declares the tools.
    const first = r.requests[0];
    const names = requestToolNames('anthropic', JSON.stringify(first.body));
    expect(names).toContain('mcp__gauntlet__get_order');
    expect(
      carriesTools(
        names,
        CATALOGUE.map((t) => t.name),
      ),
    ).toBe(true);
    // (a) The call, with its arguments, its actor and the run token.
    expect(r.calls.map(({ name, args, actor }) => ({ name, args, actor }))).toEqual([
      { name: 'get_order', args: { order_id: '4521' }, actor: 'support/claude' },
    ]);
    expect(r.calls[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
    // The tool's answer went back to the model, and the model's reply is the result.
    expect(JSON.stringify(r.requests[1].body)).toContain('shipped');
    const result = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .at(-1);
    expect(result.result).toBe('Order 4521 has shipped.');
    const init = JSON.parse(r.stdout.split('\n')[0]);
    expect(init.mcp_servers).toEqual([
      { name: 'gauntlet', status: 'connected', source: 'dynamic' },
    ]);
  }, 120_000);

  it('Codex: `required` makes it wait; the namespaced tool is called with args and actor', async () => {
    const r = await runCli('codex', 'codex exec -m gpt-5.1-codex "$(cat $GAUNTLET_TASK_FILE)"');
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const names = requestToolNames('openai', JSON.stringify(r.requests[0].body));
    expect(names).toContain('mcp__gauntlet__get_order');
    expect(
      carriesTools(
        names,
        CATALOGUE.map((t) => t.name),
      ),
    ).toBe(true);
    expect(r.calls.map(({ name, args, actor }) => ({ name, args, actor }))).toEqual([
      { name: 'get_order', args: { order_id: '4521' }, actor: 'support/codex' },
    ]);
    const events = r.stdout
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'item.completed',
        item: expect.objectContaining({
          type: 'mcp_tool_call',
          server: 'gauntlet',
          tool: 'get_order',
          status: 'completed',
        }),
      }),
    );
    expect(events.at(-2)).toMatchObject({
      type: 'item.completed',
      item: { type: 'agent_message', text: 'Order 4521 has shipped.' },
    });
  }, 120_000);

  it('Codex without `required` does not wait: its first request lacks the tools (the control)', async () => {
    const r = await runCli(
      'codex',
      'codex exec -m gpt-5.1-codex "$(cat $GAUNTLET_TASK_FILE)"',
      ' -c mcp_servers.gauntlet.required=true',
    );
    expect(r.command).not.toContain('required');
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const names = requestToolNames('openai', JSON.stringify(r.requests[0].body));
    expect(carriesTools(names, ['get_order'])).toBe(false);
    expect(r.calls).toEqual([]);
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------
// Inside a sandbox: the engine's own plumbing (a Session with its gateway and a ToolDesk whose
// tool is passthrough to a loopback endpoint, the command adapter, the CLI mounted from .cache)
// and the shim from the runtime mount, through the in-sandbox forwarder.

/** A passthrough endpoint on the host: what the tool's calls carried, and its answer. */
async function endpoint() {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const args = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      bodies.push(args);
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ order_id: args.order_id, status: 'shipped' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`,
    bodies,
    close: () => closeServer(server),
  };
}

/** `bin`: the CLI's binary on the host, mounted as /usr/local/bin/<cli>. */
async function inSandbox(cli: string, command: string, image: string, bin?: string) {
  const model = await serveScript(SCRIPT);
  // The model calls are relayed through the contract server, for Codex's namespaced calls.
  const models = await contractServer({ upstream: model.url });
  const ep = await endpoint();
  const tool: ToolDecl = {
    ...CATALOGUE[0],
    mode: 'passthrough',
    endpoint: { url: ep.url },
  };
  const desk = new ToolDesk({
    tools: [tool],
    endpoints: new Map([[tool.name, { url: ep.url, headers: {}, timeoutMs: 10_000 }]]),
    schema: null,
    initial: seedLedger(null, undefined),
    behavior: null,
    rules: [],
    seed: 'mcp',
    coding: true,
    simulator: null,
  });
  const relay = new ModelRelay(
    {
      anthropic: { format: 'anthropic', baseUrl: models.url },
      openai: { format: 'openai', baseUrl: models.url },
    },
    new PriceTable(),
  );
  const first: { format?: WireFormat; body?: Buffer } = {};
  const repo = await mkdtemp(join(tmpdir(), 'mcp-repo-'));
  await writeFile(join(repo, 'README.md'), 'orders\n');
  const ws = await seedWorkspace({ path: repo }, '/', new SecretResolver({}));
  const agent = new CommandAdapter({
    name: cli,
    command,
    image,
    env: { GAUNTLET_ACTOR_ID: `support/${cli}` },
    timeoutMs: 120_000,
    mounts: bin ? [{ host: bin, container: `/usr/local/bin/${cli}`, readonly: true }] : [],
    scenario: { kind: 'scenario', name: 'mcp', workspace: { path: repo } },
  });
  const s = await Session.open({
    runId: `mcp-${cli}-${process.pid}-${Date.now()}`,
    token: `gt_mcp_${cli}`,
    relay,
    tools: desk,
    onFirstModelRequest: (format, body) => Object.assign(first, { format, body }),
    sandbox: {
      driver: new DockerDriver(),
      image,
      limits: { memoryMb: 1024, cpus: 1, pidsLimit: 256 },
      mounts: Session.mountsFor([agent], { packDir: ws.packDir }),
    },
  });
  const input: TurnInput = {
    turn: 1,
    message: 'Look up order 4521 and tell me its status.',
    messages: [{ role: 'user', content: 'Look up order 4521 and tell me its status.' }],
    memory: 'replay',
    resumeSessionId: null,
    task: { id: 't', behavior_instructions: null, initial_state: null },
  };
  try {
    await s.seed({ packDir: ws.packDir });
    const turn = await s.turn(agent, input);
    return { outcome: turn.outcome, first, calls: desk.calls, endpoint: ep.bodies };
  } finally {
    await s.close([agent]);
    await Promise.all([ep.close(), models.close(), model.close()]);
    await rm(ws.root, { recursive: true, force: true });
    await rm(repo, { recursive: true, force: true });
  }
}

/** A stand-in CLI: a minimal MCP client over the registered entry; prints one JSON report. */
function standIn(settings: string): string {
  return `#!/usr/bin/env python3
import json, os, subprocess, sys
path = os.path.expanduser("~/${settings}")
entry = json.load(open(path))["mcpServers"]["gauntlet"]
env = {"PATH": os.environ["PATH"], **entry["env"]}
p = subprocess.Popen([entry["command"], *entry["args"]], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, env=env, text=True)
def call(i, method, params):
    p.stdin.write(json.dumps({"jsonrpc": "2.0", "id": i, "method": method, "params": params}) + "\\n")
    p.stdin.flush()
    return json.loads(p.stdout.readline())
call(0, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                       "clientInfo": {"name": "stand-in", "version": "0"}})
tools = [t["name"] for t in call(1, "tools/list", {})["result"]["tools"]]
result = call(2, "tools/call", {"name": "get_order", "arguments": {"order_id": "4521"}})["result"]
p.stdin.close()
p.wait()
print(json.dumps({"entry": entry, "mode": oct(os.stat(path).st_mode & 0o777), "argv": sys.argv,
                  "tools": tools, "result": result}))
`;
}

describe.skipIf(!dockerReady() || !clisReady())('MCP tools inside a sandbox', () => {
  let image = '';
  beforeAll(async () => {
    image = await new ImageManager().ensureBase();
  });

  for (const [cli, command] of [
    ['claude', 'claude -p "$(cat $GAUNTLET_TASK_FILE)"'],
    ['codex', 'codex exec -m gpt-5.1-codex "$(cat $GAUNTLET_TASK_FILE)"'],
  ] as const)
    it(`${cli}: registered by the adapter, the tool runs through the gateway's desk`, async () => {
      const r = await inSandbox(cli, command, image, join(packageRoot(), CLIS[cli]));
      const o = r.outcome;
      expect(o.exitCode, o.debug.stderr_tail).toBe(0);
      expect(o.final_response).toBe('Order 4521 has shipped.');
      expect(o.soft_warnings.filter((w) => /Tools (dropped|not registered)/.test(w))).toEqual([]);
      // The gateway's first-request hook saw the tools already declared.
      expect(carriesTools(requestToolNames(r.first.format!, r.first.body!), ['get_order'])).toBe(
        true,
      );
      // One ledger row, passthrough, with the arguments and the actor; the endpoint got them.
      expect(r.calls).toHaveLength(1);
      expect(r.calls[0]).toMatchObject({
        name: 'get_order',
        source: 'passthrough',
        args: { order_id: '4521' },
        actor_id: `support/${cli}`,
      });
      expect(r.endpoint).toEqual([{ order_id: '4521' }]);
    }, 180_000);

  // Gemini CLI and Cursor are not installed here: a stand-in with their names reads the
  // settings file the adapter had the shim register into, and starts the server from it with
  // that entry's environment alone (as a CLI that filters its environment would), then calls.
  for (const [cli, settings] of [
    ['gemini', '.gemini/settings.json'],
    ['cursor-agent', '.cursor/mcp.json'],
  ] as const)
    it(`${cli}: the shim registers itself in ~/${settings}, and the entry alone reaches the tool`, async () => {
      const dir = await mkdtemp(join(tmpdir(), `mcp-${cli}-bin-`));
      const bin = join(dir, cli);
      await writeFile(bin, standIn(settings), { mode: 0o755 });
      try {
        const r = await inSandbox(cli, `${cli} -p "$(cat $GAUNTLET_TASK_FILE)"`, image, bin);
        const o = r.outcome;
        expect(o.exitCode, o.debug.stderr_tail).toBe(0);
        expect(o.soft_warnings.filter((w) => /Tools (dropped|not registered)/.test(w))).toEqual([]);
        const report = JSON.parse(o.debug.stdout_tail!.trim().split('\n').at(-1)!);
        expect(report.entry).toMatchObject({
          command: 'python3',
          args: ['/gauntlet/runtime/mcp_shim.py'],
          env: {
            GAUNTLET_PROXY_URL: 'http://127.0.0.1:8787',
            GAUNTLET_RUN_TOKEN: `gt_mcp_${cli}`,
            GAUNTLET_ACTOR_ID: `support/${cli}`,
          },
        });
        expect(report.mode).toBe('0o600');
        expect(report.argv).toContain(cli === 'cursor-agent' ? '--approve-mcps' : '-p');
        expect(report.tools).toEqual(['get_order']);
        expect(report.result.structuredContent).toEqual({ order_id: '4521', status: 'shipped' });
        expect(r.calls).toHaveLength(1);
        expect(r.calls[0]).toMatchObject({
          name: 'get_order',
          source: 'passthrough',
          actor_id: `support/${cli}`,
        });
        expect(r.endpoint).toEqual([{ order_id: '4521' }]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }, 180_000);

  it('an unrecognised command runs without the tools, and the run says they were dropped', async () => {
    const r = await inSandbox('other', 'python3 -c "print(42)"', image);
    expect(r.outcome.exitCode).toBe(0);
    expect(r.outcome.soft_warnings).toContain(
      'Tools dropped (get_order): the run uses an unrecognised run command; use Claude Code, ' +
        'Codex, Gemini CLI or Cursor, or call the proxy directly ($GAUNTLET_PROXY_URL/tools/{name})',
    );
    expect(r.calls).toEqual([]);
  }, 180_000);
});
