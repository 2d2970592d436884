import { describe, expect, it } from 'vitest';
import { makeTree, project, pythonAgent } from '../test-support/tree.js';
import { ConfigError } from './errors.js';
import { checksOf, expectProblems, parseExpectCell, parseExpectItem } from './expect.js';
import { loadConfig } from './load.js';
import { loadTasks } from './tasks.js';

describe('expect: items', () => {
  it('reads every kind with its defaults and options', () => {
    const checks = checksOf([
      { equals: '42' },
      { contains: 'Refund', ignore_case: true, name: 'mentions the refund' },
      { not_contains: 'sorry' },
      { regex: 'order\\s+#\\d+', flags: 'i' },
      { json_schema: { type: 'object', required: ['ok'] } },
      { tool_called: 'get_order' },
      { tool_called: { name: 'refund', args: { id: 'A1' }, count: 1 } },
      { tool_not_called: 'cancel' },
      { world_state: { orders: { A1: { status: 'refunded' }, A9: null } } },
      { llm_judge: 'is it polite?' },
    ]);
    expect(checks.map((c) => c.kind)).toEqual([
      'equals',
      'contains',
      'not_contains',
      'regex',
      'json_schema',
      'tool_called',
      'tool_called',
      'tool_not_called',
      'world_state',
      'llm_judge',
    ]);
    expect(checks[1]).toMatchObject({ name: 'mentions the refund', ignore_case: true });
    expect(checks[5]).toMatchObject({ tool: 'get_order', count: { min: 1, max: null } });
    expect(checks[6]).toMatchObject({ args: { id: 'A1' }, count: { min: 1, max: 1 } });
    expect(checks[7]).toMatchObject({ count: { min: 0, max: 0 } });
    expect(checks[9]).toMatchObject({ scale: 5, pass_at: 4 });
  });

  it('names the item, the field and the fix for each bad item', () => {
    const problems = expectProblems([
      { contains: 'a', equals: 'b' },
      { contian: 'x' },
      { regex: '(' },
      { regex: 'a', flags: 'g' },
      { tool_called: { name: 'x', count: -1 } },
      { tool_called: { name: 'x', count: 1, min: 0 } },
      { world_state: { orders: ['A1'] } },
      { contains: 'a', ignore_case: 'yes' },
      { llm_judge: { prompt: 'p', scale: 5, pass_at: 9 } },
      { json_schema: { type: 'nonsense' } },
      'contains: a',
      { contains: 'x', case: true },
    ]);
    expect(problems.map((p) => p.path)).toEqual([
      [0],
      [1],
      [2, 'regex'],
      [3, 'flags'],
      [4, 'tool_called', 'count'],
      [5, 'tool_called', 'count'],
      [6, 'world_state', 'orders'],
      [7, 'ignore_case'],
      [8, 'llm_judge', 'pass_at'],
      [9, 'json_schema'],
      [10],
      [11, 'case'],
    ]);
    expect(problems[1].message).toContain('names no check (keys: contian)');
    expect(problems[1].fix).toContain('contains');
    expect(problems.every((p) => p.fix.length > 0)).toBe(true);
    expect(expectProblems({ contains: 'a' })[0].message).toBe('is not a list');
  });

  it('refuses a pattern too long to be a rule', () => {
    expect(parseExpectItem({ regex: 'a'.repeat(2000) }).problem?.message).toContain('at most');
  });

  it('reads a CSV cell as kind: value lines or as a JSON list, and refuses anything else', () => {
    expect(parseExpectCell('contains: refund\ntool_called: refund_order\n', JSON.parse)).toEqual([
      { contains: 'refund' },
      { tool_called: 'refund_order' },
    ]);
    expect(parseExpectCell('[{"world_state":{"o":{"1":{"s":"x"}}}}]', JSON.parse)).toEqual([
      { world_state: { o: { 1: { s: 'x' } } } },
    ]);
    expect(() => parseExpectCell('world_state: {}', JSON.parse)).toThrow(/kind: value/);
    expect(() => parseExpectCell('[1', JSON.parse)).toThrow();
  });
});

describe('expect: in a suite', () => {
  const agent = pythonAgent(
    'a',
    'def run(t, *, proxy_url, run_token):\n    return "ok"',
    'tools:\n  - name: get_order\n    input_schema: { type: object }\n',
  );

  it('puts the suite checks before each task own, inline and from a CSV', async () => {
    const root = await makeTree({
      ...project(),
      ...agent,
      '.gauntlet/suites/s.yaml':
        'kind: suite\nname: s\nagent: a\njudge: none\nexpect:\n  - not_contains: error\ntasks:\n  - user: hi\n    expect:\n      - contains: ok\n  - user: bye\n',
      '.gauntlet/suites/c.yaml':
        'kind: suite\nname: c\nagent: a\njudge: none\ncolumns: [expect]\nexpect:\n  - not_contains: error\ntasks: { csv: t.csv }\n',
      '.gauntlet/suites/t.csv': 'user,expect\nhi,"contains: ok\ntool_called: get_order"\n',
    });
    const tree = await loadConfig(root);
    const inline = await loadTasks(tree.suites.get('s')!);
    expect(inline.map((t) => t.expect)).toEqual([
      [{ not_contains: 'error' }, { contains: 'ok' }],
      [{ not_contains: 'error' }],
    ]);
    const csv = await loadTasks(tree.suites.get('c')!);
    expect(csv[0].expect).toEqual([
      { not_contains: 'error' },
      { contains: 'ok' },
      { tool_called: 'get_order' },
    ]);
  });

  it('counts checks as grading: a suite with judge none and checks loads', async () => {
    const root = await makeTree({
      ...project(),
      ...agent,
      '.gauntlet/suites/s.yaml':
        'kind: suite\nname: s\nagent: a\njudge: none\ntasks:\n  - user: hi\n    expect:\n      - contains: ok\n',
    });
    await expect(loadConfig(root)).resolves.toBeTruthy();
  });

  it('points at the line of a bad check, and at an undeclared tool, with the fix', async () => {
    const root = await makeTree({
      ...project(),
      ...agent,
      '.gauntlet/suites/s.yaml':
        'kind: suite\nname: s\nagent: a\ntasks:\n  - user: hi\n    expect:\n      - contains: ok\n      - regex: "("\n  - user: bye\n    expect:\n      - tool_called: refund\n',
      '.gauntlet/suites/c.yaml':
        'kind: suite\nname: c\nagent: a\ncolumns: [expect]\ntasks: { csv: t.csv }\n',
      '.gauntlet/suites/t.csv': 'user,expect\nhi,"bogus: 1"\n',
    });
    const err = await loadConfig(root).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const issues = (err as ConfigError).issues;
    const regex = issues.find((i) => i.code === 'invalid_check');
    expect(regex).toMatchObject({ line: 8, field: 'tasks.0.expect.1.regex' });
    const tool = issues.find((i) => i.code === 'unknown_tool');
    expect(tool?.message).toContain('agent a declares no tool "refund"');
    expect(tool?.fix).toContain('get_order');
    expect(tool?.line).toBe(11);
    const cell = issues.find((i) => i.file.endsWith('t.csv'));
    expect(cell?.message).toContain('expect is malformed');
    expect(cell?.line).toBe(2);
  });
});
