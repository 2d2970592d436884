import { mkdtempSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ToolDecl } from '../config/types.js';
import { Gateway } from '../gateway/server.js';
import { PriceTable } from '../models/prices.js';
import { ModelRelay } from '../models/relay.js';
import { serveScript, type ScriptRule } from '../models/scripted.js';
import type { LedgerSchema } from '../results/record.js';
import { seedLedger } from '../world/initial-state.js';
import { ToolDesk, type ToolDeskOptions } from './tool-desk.js';
import { ToolSimulator } from './tool-simulator.js';

const SCHEMA: LedgerSchema = {
  entities: [
    {
      type: 'order',
      id_field: 'order_id',
      fields: [
        { name: 'status', type: 'string', enum: ['paid', 'shipped', 'cancelled'] },
        { name: 'total', type: 'number' },
      ],
    },
    { type: 'shipment', id_field: 'shipment_id' },
  ],
  flags: { policy: 'closed', values: ['order_cancelled'] },
};
const INITIAL = { order: [{ order_id: '4521', status: 'paid', total: 10 }] };
const ORDER_ARGS = {
  type: 'object',
  properties: { order_id: { type: 'string' } },
  required: ['order_id'],
  additionalProperties: false,
};
const TOOLS: ToolDecl[] = [
  { name: 'get_order', input_schema: ORDER_ARGS, mode: 'simulated' },
  { name: 'cancel_order', input_schema: ORDER_ARGS, mode: 'simulated' },
  {
    name: 'track',
    input_schema: ORDER_ARGS,
    mode: 'passthrough',
    ledger_write_policy: 'adapter',
    entity_type: 'shipment',
  },
];
const reply = (input: unknown, delay_ms?: number) => ({
  tool_use: { name: 'tool_reply', input: input as Record<string, unknown> },
  usage: { input_tokens: 100, output_tokens: 20 },
  ...(delay_ms ? { delay_ms } : {}),
});
const SIM = 'You simulate the backend of a tool';

describe('ToolDesk', () => {
  const closers: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  async function desk(rules: ScriptRule[], o: Partial<ToolDeskOptions> = {}) {
    const model = await serveScript({ rules });
    closers.push(model.close);
    const d = new ToolDesk({
      tools: TOOLS,
      endpoints: new Map(),
      schema: SCHEMA,
      initial: seedLedger(SCHEMA, INITIAL),
      behavior: 'Orders cancel only while paid.',
      rules: [],
      seed: 'suite/task/1',
      coding: false,
      simulator: new ToolSimulator({
        model: 'claude-haiku-4-5',
        format: 'anthropic',
        baseUrl: model.url,
        token: 't',
        prices: new PriceTable(),
      }),
      ...o,
    });
    const call = (name: string, args: unknown) =>
      d.call({ name, body: Buffer.from(JSON.stringify(args)), actor: 'support' });
    return { d, model, call };
  }

  it('answers a simulated call from the simulator and applies its operations', async () => {
    const { d, call, model } = await desk([
      {
        when: { system: SIM, last_user: '<tool name="cancel_order">' },
        reply: reply({
          response: { order_id: '4521', status: 'cancelled' },
          ops: [
            {
              op: 'update',
              entity_type: 'order',
              entity_id: '4521',
              fields: { status: 'cancelled' },
            },
            { op: 'set_flag', flag: 'order_cancelled' },
          ],
        }),
      },
    ]);
    const a = await call('cancel_order', { order_id: '4521' });
    expect(a).toEqual({ status: 200, body: { order_id: '4521', status: 'cancelled' } });
    const row = d.calls[0];
    expect(row).toMatchObject({ name: 'cancel_order', source: 'odyssey', status: 200 });
    expect(row.actor_id).toBe('support');
    expect(row.ledger!.changes.map((c) => c.op)).toEqual(['update', 'set_flag']);
    expect(row.ledger!.state!.entities.order['4521'].status).toBe('cancelled');
    expect(row.ledger!.state!.flags).toEqual(['order_cancelled']);
    // The simulator saw the tool, the arguments, the ledger, the schema and the instructions.
    const prompt = JSON.stringify(model.model.requests[0].body);
    for (const part of ['<tool name=\\"cancel_order\\">', '<ledger>', '<ledger_schema>'])
      expect(prompt).toContain(part);
    expect(prompt).toContain('Orders cancel only while paid.');
    expect(d.outcome().simulator_usd).toBeGreaterThan(0);
  });

  it.each([
    [
      'an update of an order that does not exist',
      [{ op: 'update', entity_type: 'order', entity_id: '9999', fields: { status: 'paid' } }],
    ],
    [
      'an undeclared entity type',
      [{ op: 'add', entity_type: 'loyalty', entity_id: 'L1', fields: {} }],
    ],
    [
      'a field value outside its enum',
      [{ op: 'update', entity_type: 'order', entity_id: '4521', fields: { status: 'lost' } }],
    ],
    ['a flag the closed policy does not allow', [{ op: 'set_flag', flag: 'outage' }]],
  ])('leaves the ledger unchanged when the simulator twice replies with %s', async (_, ops) => {
    const { d, call, model } = await desk([
      { when: { system: SIM }, reply: reply({ response: { ok: true }, ops }) },
    ]);
    const before = d.ledger.state();
    const a = await call('cancel_order', { order_id: '4521' });
    expect(a.status).toBe(502);
    expect((a.body as { error: { type: string } }).error.type).toBe('simulator_error');
    expect(d.ledger.state()).toEqual(before);
    expect(d.calls[0]).toMatchObject({ source: 'error', fault: 'simulator' });
    expect(d.calls[0].ledger!.changes).toEqual([]);
    // Asked once, then again with the problems; both refusals are ledger violations.
    expect(model.model.requests).toHaveLength(2);
    expect(JSON.stringify(model.model.requests[1].body)).toContain('<problems>');
    expect(d.violations.map((v) => v.attempt)).toEqual(['first', 'retry']);
  });

  it('refuses a reply over 100 KB, and takes a valid retry', async () => {
    const { d, call, model } = await desk([
      {
        when: { system: SIM, last_user: '<problems>' },
        reply: reply({ response: { order_id: '4521' }, ops: [] }),
      },
      { when: { system: SIM }, reply: reply({ response: 'x'.repeat(110 * 1024), ops: [] }) },
    ]);
    const a = await call('get_order', { order_id: '4521' });
    expect(a).toEqual({ status: 200, body: { order_id: '4521' } });
    expect(model.model.requests).toHaveLength(2);
    expect(d.violations).toHaveLength(1);
    expect(d.violations[0].errors.join()).toMatch(/100 KB/);
    expect(d.calls[0].source).toBe('odyssey');
  });

  it('takes the caller from an _actor_id argument when there is no header, before validating', async () => {
    const { d } = await desk([
      { when: { system: SIM }, reply: reply({ response: { order_id: '4521' }, ops: [] }) },
    ]);
    const body = Buffer.from(JSON.stringify({ order_id: '4521', _actor_id: 'support/billing' }));
    // input_schema has additionalProperties: false, so the argument must be gone by then.
    expect((await d.call({ name: 'get_order', body })).status).toBe(200);
    expect(d.calls[0]).toMatchObject({ actor_id: 'support/billing', args: { order_id: '4521' } });
  });

  it('refuses bad arguments on the host, without a model call', async () => {
    const { d, call, model } = await desk([]);
    const a = await call('get_order', { order: 4521 });
    expect(a.status).toBe(400);
    expect((a.body as { error: { type: string } }).error.type).toBe('invalid_arguments');
    expect(d.calls[0]).toMatchObject({ source: 'error', fault: 'agent' });
    const raw = await d.call({ name: 'get_order', body: Buffer.from('not json') });
    expect(raw.status).toBe(400);
    expect(model.model.requests).toHaveLength(0);
    expect((await call('nope', {})).status).toBe(404);
  });

  it('fires a failure rule on the nth call, as an injected error', async () => {
    const { d, call } = await desk(
      [{ when: { system: SIM }, reply: reply({ response: { order_id: '4521' }, ops: [] }) }],
      {
        rules: [
          {
            tool: 'get_order',
            nth: 1,
            error: { status: 503, type: 'unavailable', message: 'down' },
          },
        ],
      },
    );
    const first = await call('get_order', { order_id: '4521' });
    expect(first).toEqual({
      status: 503,
      body: { error: { type: 'unavailable', message: 'down' } },
    });
    expect((await call('get_order', { order_id: '4521' })).status).toBe(200);
    expect(d.calls.map((c) => [c.source, c.rule])).toEqual([
      ['injected', 0],
      ['odyssey', undefined],
    ]);
  });

  it('forwards a passthrough call and writes its result to the ledger as the adapter entity', async () => {
    const srv = await endpoint((body) =>
      body.order_id === '4521'
        ? [200, { shipment_id: 'S1', order_id: '4521', status: 'in_transit' }]
        : [404, { error: 'unknown' }],
    );
    const { d, call } = await desk([], {
      endpoints: new Map([['track', { url: srv.url, headers: {}, timeoutMs: 5000 }]]),
    });
    expect((await call('track', { order_id: '4521' })).status).toBe(200);
    expect(d.calls[0]).toMatchObject({ source: 'passthrough' });
    expect(d.calls[0].ledger!.changes).toEqual([
      expect.objectContaining({ op: 'add', entity_type: 'shipment', entity_id: 'S1' }),
    ]);
    expect(d.ledger.state().entities.shipment.S1.status).toBe('in_transit');
    const miss = await call('track', { order_id: '1' });
    expect(miss.status).toBe(502);
    expect(d.calls[1].source).toBe('transport_error');
  });

  it('answers simulated tools with tool_not_executable on a coding run', async () => {
    const { d, call, model } = await desk([], { coding: true });
    const a = await call('get_order', { order_id: '4521' });
    expect(a.status).toBe(501);
    expect((a.body as { error: { type: string } }).error.type).toBe('tool_not_executable');
    expect(d.calls[0]).toMatchObject({ source: 'error', fault: 'platform' });
    expect(model.model.requests).toHaveLength(0);
  });

  it('serialises calls: one that cannot get the lock in time gets 503 lock_contention', async () => {
    const { d, call } = await desk(
      [{ when: { system: SIM }, reply: reply({ response: { order_id: '4521' }, ops: [] }, 400) }],
      { lockWaitMs: 50 },
    );
    const [slow, blocked] = await Promise.all([
      call('get_order', { order_id: '4521' }),
      call('get_order', { order_id: '4521' }),
    ]);
    expect(slow.status).toBe(200);
    expect(blocked.status).toBe(503);
    expect((blocked.body as { error: { type: string } }).error.type).toBe('lock_contention');
    expect(d.calls.find((c) => c.status === 503)).toMatchObject({ fault: 'platform' });
  });

  async function endpoint(answer: (body: any) => [number, unknown]) {
    const srv: Server = createServer((req, res) => {
      let b = '';
      req
        .on('data', (c) => (b += c))
        .on('end', () => {
          const [status, body] = answer(JSON.parse(b));
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    closers.push(() => srv.close());
    return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/track` };
  }
});

describe('ToolDesk behind a real gateway', () => {
  it('answers concurrent HTTP calls over the socket with 503 lock_contention past the wait', async () => {
    const model = await serveScript({
      rules: [
        {
          when: { system: SIM },
          reply: reply({ response: { order_id: '4521' }, ops: [] }, 500),
        },
      ],
    });
    const desk = new ToolDesk({
      tools: TOOLS,
      endpoints: new Map(),
      schema: SCHEMA,
      initial: seedLedger(SCHEMA, INITIAL),
      behavior: null,
      rules: [],
      seed: 's',
      coding: false,
      lockWaitMs: 100,
      simulator: new ToolSimulator({
        model: 'claude-haiku-4-5',
        format: 'anthropic',
        baseUrl: model.url,
        token: 't',
        prices: new PriceTable(),
      }),
    });
    const socket = join(mkdtempSync(join(tmpdir(), 'desk-')), 'gw.sock');
    const gw = await new Gateway({
      listen: { socket },
      token: 'tok',
      relay: new ModelRelay({}, new PriceTable()),
      tools: desk,
    }).start();
    try {
      const post = () =>
        new Promise<{ status: number; body: string }>((res, rej) => {
          const req = request(
            {
              socketPath: socket,
              path: '/tools/get_order',
              method: 'POST',
              headers: { authorization: 'Bearer tok', 'content-type': 'application/json' },
            },
            (r) => {
              let b = '';
              r.on('data', (c) => (b += c)).on('end', () =>
                res({ status: r.statusCode!, body: b }),
              );
            },
          );
          req.on('error', rej);
          req.end('{"order_id":"4521"}');
        });
      const answers = await Promise.all([post(), post(), post()]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 503, 503]);
      expect(
        answers.filter((a) => a.status === 503).map((a) => JSON.parse(a.body).error.type),
      ).toEqual(['lock_contention', 'lock_contention']);
      expect(gw.toolCalls).toHaveLength(3);
    } finally {
      await gw.close();
      await model.close();
    }
  });
});
