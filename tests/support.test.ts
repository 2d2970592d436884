import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSuites } from '../core/src/pipeline/run-suite.js';
import { dockerReady } from '../core/src/test-support/docker.js';
import { packageRoot } from '../core/src/util/paths.js';

const EXAMPLE = join(packageRoot(), 'examples/support');
const validRecord = new Ajv({ strict: false }).compile(
  JSON.parse(readFileSync(join(packageRoot(), 'schemas/run-record.schema.json'), 'utf8')),
);

/** The carrier endpoint the example's passthrough tool is bound to, as run.sh starts it. */
async function startShipping() {
  const child = spawn(process.execPath, [join(EXAMPLE, 'shipping/server.mjs')], {
    env: { ...process.env, SHIPPING_PORT: '8931', SHIPPING_TOKEN: 'dev-token' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => String(d).includes('listening') && resolve());
    child.once('exit', (code) => reject(new Error(`shipping endpoint exited with ${code}`)));
  });
  return () => child.kill();
}

describe.skipIf(!dockerReady())('examples/support: tools over a ledger, offline', () => {
  let stop: () => void;
  beforeAll(async () => {
    stop = await startShipping();
    process.env.SHIPPING_AUTH = 'Bearer dev-token';
  });
  afterAll(() => {
    stop?.();
    delete process.env.SHIPPING_AUTH;
  });

  it('records every source badge, the ledger State and Changes, and a card for the run that delegates', async () => {
    const resultsDir = join(EXAMPLE, '.gauntlet/results-test');
    try {
      const [res] = await runSuites({ root: EXAMPLE, resultsDir });
      const by = new Map(res.records.map((r) => [r.task_id, r]));
      const sources = new Set(
        res.records.flatMap((r) => r.trajectory.tool_calls.map((c) => c.source)),
      );
      expect([...sources].sort()).toEqual([
        'error',
        'injected',
        'odyssey',
        'passthrough',
        'transport_error',
      ]);

      // cancel: a failure rule on the first lookup, a retry, then the cancel's Changes.
      const cancel = by.get('cancel')!;
      expect(cancel.verdict).toBe('PASS');
      expect(cancel.trajectory.tool_calls.map((c) => [c.name, c.source, c.status])).toEqual([
        ['get_order', 'injected', 503],
        ['get_order', 'odyssey', 200],
        ['cancel_order', 'odyssey', 200],
      ]);
      const row = cancel.trajectory.tool_calls[2];
      expect(row.ledger!.changes).toEqual([
        { op: 'update', entity_type: 'order', entity_id: '4522', fields: { status: 'cancelled' } },
        { op: 'set_flag', flag: 'order_cancelled', value: true },
      ]);
      expect(row.ledger!.state!.entities.order['4522'].status).toBe('cancelled');
      expect(cancel.trajectory.tool_calls[0].ledger!.state!.entities.order['4522'].status).toBe(
        'paid',
      );
      expect(cancel.ledger!.final.flags).toEqual(['order_cancelled']);
      expect(cancel.seed.failure_rules).toHaveLength(1);
      // The row's checks read the tool calls and the world as left; the suite's apply to all.
      expect(cancel.scorers.map((x) => [x.check, x.passed])).toEqual([
        ['not_contains', true],
        ['tool_not_called', true],
        ['tool_called', true],
        ['world_state', true],
      ]);
      expect(cancel.overall).toBe('PASS');
      expect(cancel.behavior_config).toContain('cancelled only while paid');

      // track: the carrier's answer, forwarded and written to the ledger as a shipment.
      const track = by.get('track')!;
      expect(track.trajectory.tool_calls[1]).toMatchObject({ source: 'passthrough' });
      expect(track.ledger!.final.entities.shipment['SHP-88123']).toMatchObject({
        order_id: '4521',
        carrier: 'DHL',
      });
      expect(by.get('lost-parcel')!.tool_calls.by_source.transport_error).toBe(1);

      // email: the simulator twice invents an undeclared type: a simulator fault, not the
      // agent's, and the ledger exactly as seeded.
      const email = by.get('email')!;
      expect(email.tool_calls).toMatchObject({ total: 1, simulator_faults: 1 });
      expect(email.trajectory.tool_calls[0]).toMatchObject({ source: 'error', fault: 'simulator' });
      expect(email.ledger_violations.map((v) => v.attempt)).toEqual(['first', 'retry']);
      expect(email.ledger!.final).toEqual(email.ledger!.initial);

      // refund: billing acts as support/billing after a handoff; the card shows it.
      const refund = by.get('refund')!;
      expect(refund.trajectory.tool_calls.map((c) => c.actor_id)).toEqual([
        'support/billing',
        'support/billing',
      ]);
      expect(refund.multi_agent!.summary).toEqual({
        sub_agents: 1,
        delegation_depth: 1,
        handoffs: 1,
        declared: true,
      });
      expect(refund.multi_agent!.divergence.undeclared_edges).toEqual([]);
      expect(by.get('track')!.multi_agent).toBeNull();

      // address: a persona conversation whose second turn changes the world.
      const address = by.get('address')!;
      expect(address.multi_turn).toMatchObject({ termination_reason: 'user_done', turns_used: 2 });
      expect(address.ledger!.final.entities.order['4525'].address).toBe(
        '12 Elm Street, Springfield',
      );
      expect(address.cost.simulator_usd).toBeGreaterThan(0);
      for (const r of res.records) {
        expect(r.status).toBe('completed');
        // As stored: the schema defines the ledger rows, the ledger, violations and the card.
        validRecord(JSON.parse(JSON.stringify(r)));
        expect(validRecord.errors ?? []).toEqual([]);
      }
    } finally {
      await rm(resultsDir, { recursive: true, force: true });
    }
  });

  it('fails runs with simulated tools as simulator_model_unresolved before any sandbox', async () => {
    const root = await mkdtemp(join(tmpdir(), 'gauntlet-support-'));
    try {
      await cp(EXAMPLE, root, { recursive: true, filter: (p) => !p.includes('/results') });
      const yaml = join(root, '.gauntlet/gauntlet.yaml');
      const text = await readFile(yaml, 'utf8');
      await writeFile(yaml, text.replace(/^simulator_model:.*$/m, ''));
      const [res] = await runSuites({ root, resultsDir: join(root, 'results'), tasks: ['track'] });
      const [r] = res.records;
      expect(r.status).toBe('failed');
      expect(r.error).toMatchObject({
        class: 'contract_error',
        code: 'simulator_model_unresolved',
      });
      expect(r.phases.open_ms).toBeUndefined();
      expect(r.trajectory.tool_calls).toEqual([]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
