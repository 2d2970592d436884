import { describe, expect, it } from 'vitest';
import type { FailureRule } from '../results/record.js';
import {
  failureRuleProblems,
  FailureRules,
  failureStatus,
  undeclaredToolProblems,
} from './failure-rules.js';

const err = { message: 'boom' };

/** Which calls fire (rule index or -1) over a sequence of (tool, args). */
function firings(rules: FailureRule[], seed: string, calls: [string, unknown][]): number[] {
  const fr = new FailureRules(rules, seed);
  return calls.map(([tool, args]) => fr.match(tool, args)?.index ?? -1);
}

const many = (n: number, tool = 'get_order'): [string, unknown][] =>
  Array.from({ length: n }, (_, i) => [tool, { order_id: String(i) }]);

describe('FailureRules', () => {
  it('fires the same rules for the same seed and calls, and others for another seed', () => {
    const rules: FailureRule[] = [{ tool: 'get_order', probability: 0.5, error: err }];
    const a = firings(rules, 'run-1', many(200));
    expect(firings(rules, 'run-1', many(200))).toEqual(a);
    expect(firings(rules, 'run-2', many(200))).not.toEqual(a);
    // A fair coin over 200 calls: neither all nor none fire.
    const fired = a.filter((x) => x === 0).length;
    expect(fired).toBeGreaterThan(60);
    expect(fired).toBeLessThan(140);
  });

  it("keeps a rule's draws independent of other tools' calls and of rules after it", () => {
    const rule: FailureRule = { tool: 'get_order', probability: 0.3, error: err };
    const base = firings([rule], 's', many(50));
    const interleaved = many(50).flatMap((c): [string, unknown][] => [c, ['list_orders', {}]]);
    const withOther = firings(
      [rule, { tool: 'list_orders', probability: 0.5, error: err }],
      's',
      interleaved,
    ).filter((_, i) => i % 2 === 0);
    expect(withOther).toEqual(base);
    const withLater = firings([rule, { tool: 'get_order', probability: 0.5, error: err }], 's', [
      ...many(50),
    ]).map((x) => (x === 0 ? 0 : -1));
    expect(withLater).toEqual(base);
  });

  it('probability 1 always fires and 0 never does', () => {
    expect(
      firings([{ tool: 'get_order', probability: 1, error: err }], 's', many(50)).every(
        (x) => x === 0,
      ),
    ).toBe(true);
    expect(
      firings([{ tool: 'get_order', probability: 0, error: err }], 's', many(50)).every(
        (x) => x === -1,
      ),
    ).toBe(true);
  });

  it('nth counts calls per tool, 1-based, whether or not a rule fired', () => {
    const rules: FailureRule[] = [
      { tool: 'get_order', nth: 1, error: err },
      { tool: 'get_order', nth: 3, error: err },
    ];
    const calls: [string, unknown][] = [
      ['get_order', {}],
      ['list_orders', {}],
      ['get_order', {}],
      ['get_order', {}],
      ['get_order', {}],
    ];
    expect(firings(rules, 's', calls)).toEqual([0, -1, -1, 1, -1]);
  });

  it('args match when every given key deep-equals the argument, extra arguments allowed', () => {
    const rules: FailureRule[] = [
      { tool: 't', args: { id: '42', filter: { tags: ['a', 'b'], n: 1 } }, error: err },
    ];
    const fr = new FailureRules(rules, 's');
    const hit = { id: '42', filter: { n: 1, tags: ['a', 'b'] }, extra: true };
    expect(fr.match('t', hit)?.index).toBe(0);
    expect(fr.match('t', { ...hit, id: 42 })).toBeNull();
    expect(fr.match('t', { ...hit, filter: { tags: ['a', 'b'], n: 1, more: 1 } })).toBeNull();
    expect(fr.match('t', { ...hit, filter: { tags: ['b', 'a'], n: 1 } })).toBeNull();
    expect(fr.match('t', { id: '42' })).toBeNull();
    expect(fr.match('t', ['42'])).toBeNull();
    expect(fr.match('t', null)).toBeNull();
    expect(fr.match('t', '42')).toBeNull();
  });

  it('treats hostile arguments as data: inherited keys, __proto__, deep nesting', () => {
    const fr = new FailureRules(
      [
        { tool: 't', args: { toString: 'x' }, error: err },
        { tool: 't', args: JSON.parse('{"__proto__": 1}'), error: err },
        { tool: 't', args: { deep: [1] }, error: err },
      ],
      's',
    );
    // An inherited property is not an argument.
    expect(fr.match('t', {})).toBeNull();
    expect(fr.match('t', JSON.parse('{"__proto__": {"polluted": 1}}'))).toBeNull();
    expect(fr.match('t', JSON.parse('{"__proto__": 1}'))?.index).toBe(1);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(fr.match('t', { deep })).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('the first matching rule wins, and later rules do not draw on that call', () => {
    const rules: FailureRule[] = [
      { tool: 't', args: { id: 1 }, error: { message: 'first' } },
      { tool: 't', error: { message: 'second', status: 503 } },
    ];
    const fr = new FailureRules(rules, 's');
    const first = fr.match('t', { id: 1 })!;
    expect(first.rule.error.message).toBe('first');
    expect(failureStatus(first.rule)).toBe(500);
    const second = fr.match('t', { id: 2 })!;
    expect(second.index).toBe(1);
    expect(failureStatus(second.rule)).toBe(503);
    expect(fr.match('other', {})).toBeNull();
  });
});

describe('failureRuleProblems', () => {
  it('accepts valid rules', () => {
    expect(
      failureRuleProblems([
        { tool: 'get_order', error: { message: 'down' } },
        {
          tool: 'refund-v2',
          args: { id: '1' },
          nth: 2,
          probability: 0.25,
          error: { message: 'x', status: 429, type: 'rate_limited' },
        },
      ]),
    ).toEqual([]);
  });

  it('reports each wrong field at its path', () => {
    const problems = failureRuleProblems([
      {
        tool: 'bad name!',
        args: [1],
        nth: 0,
        probability: 1.5,
        error: { message: '', status: 200, type: 'Bad-Type' },
      },
      { tool: 't', nth: 1.5, probability: '0.5', error: { status: 600 } },
      'not a rule',
      { tool: 't' },
      { tool: 't', error: 'boom' },
    ]);
    const at = (path: (string | number)[]) =>
      problems.filter((p) => JSON.stringify(p.path) === JSON.stringify(path));
    for (const path of [
      [0, 'tool'],
      [0, 'args'],
      [0, 'nth'],
      [0, 'probability'],
      [0, 'error', 'message'],
      [0, 'error', 'status'],
      [0, 'error', 'type'],
      [1, 'nth'],
      [1, 'probability'],
      [1, 'error', 'status'],
      [2],
      [4, 'error'],
    ])
      expect(at(path), JSON.stringify(path)).toHaveLength(1);
    expect(at([1, 'error'])[0].message).toContain('missing required key "message"');
    expect(at([3])[0].message).toContain('missing required key "error"');
  });

  it('refuses unknown keys with a did-you-mean', () => {
    const problems = failureRuleProblems([
      { tool: 't', probabilty: 0.5, error: { mesage: 'x', message: 'y' } },
    ]);
    expect(problems).toEqual([
      { path: [0, 'probabilty'], message: expect.stringContaining('did you mean "probability"?') },
      { path: [0, 'error', 'mesage'], message: expect.stringContaining('did you mean "message"?') },
    ]);
  });

  it('refuses a non-list and an over-long list', () => {
    expect(failureRuleProblems({ tool: 't' })[0].path).toEqual([]);
    const rule = { tool: 't', error: { message: 'x' } };
    expect(failureRuleProblems(Array(101).fill(rule))[0].message).toContain('at most 100');
  });

  it('checks rule tools against the declared tools', () => {
    const rules = [
      { tool: 'get_order', error: err },
      { tool: 'get_ordr', error: err },
      { tool: 'nope', error: err },
    ];
    expect(undeclaredToolProblems(rules, ['get_order', 'list_orders'])).toEqual([
      { path: [1, 'tool'], message: expect.stringContaining('did you mean "get_order"?') },
      { path: [2, 'tool'], message: expect.stringContaining('tools: get_order, list_orders') },
    ]);
    expect(undeclaredToolProblems(rules.slice(2), [])[0].message).toContain('declares no tools');
  });
});
