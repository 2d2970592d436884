import { describe, expect, it } from 'vitest';
import { checksOf } from '../config/expect.js';
import type { LedgerState } from '../results/record.js';
import { runChecks, type CheckEvidence } from './checks.js';
import { partialMismatches } from './partial-match.js';

const ledger = (entities: LedgerState['entities']): LedgerState => ({
  entities,
  flags: [],
  tombstones: {},
});
const ev = (o: Partial<CheckEvidence>): CheckEvidence => ({
  final_response: null,
  tool_calls: [],
  ledger: null,
  ...o,
});
const run = async (items: unknown[], e: CheckEvidence) => runChecks(checksOf(items), e);

describe('checks on the final response', () => {
  it('equals, contains and not_contains, with and without case', async () => {
    const r = await run(
      [
        { equals: 'Refund issued.' },
        { equals: 'refund issued.', ignore_case: true },
        { contains: 'REFUND' },
        { contains: 'REFUND', ignore_case: true },
        { not_contains: 'sorry' },
        { not_contains: 'Refund' },
      ],
      ev({ final_response: '  Refund issued.\n' }),
    );
    expect(r.map((x) => x.passed)).toEqual([true, true, false, true, true, false]);
    expect(r[2].tail).toBe('the final response lacks "REFUND"');
    expect(r[5].tail).toBe('the final response contains "Refund"');
    expect(r.every((x) => x.check)).toBe(true);
  });

  it('regex, bounded against a response built to backtrack for hours', async () => {
    const hostile = `${'a'.repeat(5000)}!`;
    const r = await run(
      [{ regex: '^(a+)+$' }, { regex: 'order #\\d+', flags: 'i' }],
      ev({ final_response: hostile }),
    );
    expect(r[0].passed).toBe(false);
    expect(r[0].tail).toMatch(/took longer than \d+ ms/);
    expect(r[1]).toMatchObject({ passed: false, tail: expect.stringContaining('does not match') });
    const ok = await run(
      [{ regex: 'order #\\d+', flags: 'i' }],
      ev({ final_response: 'ORDER #12' }),
    );
    expect(ok[0].passed).toBe(true);
  });

  it('json_schema on the response or its ```json block, naming what fails', async () => {
    const items = [{ json_schema: { type: 'object', required: ['total'] } }];
    expect((await run(items, ev({ final_response: '{"total": 3}' })))[0].passed).toBe(true);
    const fenced = 'Here:\n```json\n{"total": 3}\n```\n';
    expect((await run(items, ev({ final_response: fenced })))[0].passed).toBe(true);
    const missing = await run(items, ev({ final_response: '{"sum": 3}' }));
    expect(missing[0].tail).toContain("must have required property 'total'");
    const prose = await run(items, ev({ final_response: 'not json' }));
    expect(prose[0].tail).toContain('not JSON');
  });
});

describe('checks on tool calls', () => {
  const calls = [
    { name: 'get_order', args: { id: 'A1' } },
    { name: 'refund', args: { id: 'A1', amount: 5, meta: { by: 'agent' } } },
    { name: 'refund', args: { id: 'B2', amount: 5 } },
  ];
  it('tool_called by name, by partial args, by count', async () => {
    const r = await run(
      [
        { tool_called: 'get_order' },
        { tool_called: { name: 'refund', args: { id: 'A1', meta: { by: 'agent' } } } },
        { tool_called: { name: 'refund', count: 1 } },
        { tool_called: { name: 'refund', args: { id: 'C3' } } },
        { tool_called: 'cancel' },
        { tool_called: { name: 'refund', min: 1, max: 2 } },
      ],
      ev({ tool_calls: calls }),
    );
    expect(r.map((x) => x.passed)).toEqual([true, true, false, false, false, true]);
    expect(r[2].tail).toContain('refund: 2 call(s), expected exactly 1');
    // The near misses say which argument differed.
    expect(r[3].tail).toContain('id: expected "C3", found "A1"');
    expect(r[4].tail).toContain('tools called: get_order, refund');
  });

  it('tool_not_called, and with args only the matching calls count', async () => {
    const r = await run(
      [
        { tool_not_called: 'cancel' },
        { tool_not_called: 'refund' },
        { tool_not_called: { name: 'refund', args: { id: 'Z9' } } },
      ],
      ev({ tool_calls: calls }),
    );
    expect(r.map((x) => x.passed)).toEqual([true, false, true]);
    expect(r[1].tail).toContain('2 call(s), expected exactly 0');
  });
});

describe('world_state', () => {
  const final = ledger({
    orders: { A1: { id: 'A1', status: 'shipped', total: 5 }, A2: { id: 'A2', status: 'open' } },
  });
  it('a partial match that names each mismatch', async () => {
    const r = await run(
      [
        { world_state: { orders: { A1: { status: 'shipped' } } } },
        {
          world_state: {
            orders: { A1: { status: 'refunded', total: '5' }, A2: null, A3: { status: 'open' } },
            users: { U1: {} },
          },
        },
      ],
      ev({ ledger: final }),
    );
    expect(r[0].passed).toBe(true);
    expect(r[1].passed).toBe(false);
    const lines = r[1].tail!.split('\n');
    expect(lines[0]).toBe('5 mismatch(es) in the final ledger:');
    expect(lines.slice(1)).toEqual([
      'orders.A1.status: expected "refunded", found "shipped"',
      'orders.A1.total: expected "5", found 5',
      'orders.A2: expected absent, found {"id":"A2","status":"open"}',
      'orders.A3: expected {"status":"open"}, missing',
      'users: expected {"U1":{}}, missing',
    ]);
  });

  it('fails with the reason on a run that has no ledger', async () => {
    const r = await run([{ world_state: { orders: { A1: {} } } }], ev({}));
    expect(r[0].tail).toContain('no ledger');
  });
});

describe('llm_judge checks and errors', () => {
  it('passes at pass_at, fails with the score and reasoning, says when there is no judge', async () => {
    const items = [{ llm_judge: { prompt: 'polite?', scale: 5, pass_at: 4 } }];
    const llm = async () => ({ score: 3, reasoning: 'curt' });
    const r = await runChecks(checksOf(items), ev({}), { llm });
    expect(r[0]).toMatchObject({ passed: false, tail: '3/5 (passes at 4): curt' });
    const ok = await runChecks(checksOf(items), ev({}), {
      llm: async () => ({ score: 4, reasoning: '' }),
    });
    expect(ok[0].passed).toBe(true);
    const none = await runChecks(checksOf(items), ev({}));
    expect(none[0].tail).toContain('judge: none');
    const broken = await runChecks(checksOf(items), ev({}), {
      llm: async () => {
        throw new Error('invalid score');
      },
    });
    expect(broken[0].tail).toBe('check error: invalid score');
  });
});

describe('partialMismatches', () => {
  it('treats arrays by position, null as absent, and types strictly', () => {
    expect(partialMismatches([1, { a: 1 }], [1, { a: 1, b: 2 }])).toEqual([]);
    expect(partialMismatches([1], [1, 2])[0].message).toContain('expected [1], found [1,2]');
    expect(partialMismatches({ a: null }, {})).toEqual([]);
    expect(partialMismatches({ a: 1 }, 'x')[0].message).toContain('expected an object');
    // A hostile inherited key is not a field the entity has.
    expect(partialMismatches({ constructor: 1 }, {})[0].message).toContain('missing');
  });
});
