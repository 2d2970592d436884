import { describe, expect, it } from 'vitest';
import { dockerReady } from '../test-support/docker.js';
import { makeTree, project, pythonAgent } from '../test-support/tree.js';
import { runSuites } from './run-suite.js';

const agent = pythonAgent(
  'echo',
  'def run(t, *, proxy_url, run_token):\n    return "order " + t["user_instruction"] + " refunded"',
);

describe.skipIf(!dockerReady())('expect: checks in a real run', () => {
  it('grades a suite with no judge: OVERALL is the verdict, a failing check names why', async () => {
    const root = await makeTree({
      ...project(),
      ...agent,
      '.gauntlet/suites/s.yaml': [
        'kind: suite',
        'name: s',
        'agent: echo',
        'judge: none',
        'expect:',
        '  - contains: refunded',
        'tasks:',
        '  - id: good',
        '    user: "A1"',
        '  - id: bad',
        '    user: "B2"',
        '    expect:',
        '      - regex: "order A\\\\d"',
        '',
      ].join('\n'),
    });
    const [res] = await runSuites({ root, env: { ...process.env } });
    const by = new Map(res.records.map((r) => [r.task_id, r]));
    expect(by.get('good')).toMatchObject({ verdict: 'PASS', overall: 'PASS', judge: null });
    expect(by.get('good')!.scorers).toEqual([
      { name: 'contains "refunded"', passed: true, score: 1, check: 'contains' },
    ]);
    const bad = by.get('bad')!;
    expect(bad).toMatchObject({ verdict: 'FAIL', overall: 'FAIL' });
    expect(bad.scorers[1]).toMatchObject({
      passed: false,
      tail: 'the final response does not match /order A\\d/',
    });
    expect(bad.seed.expect).toEqual([{ contains: 'refunded' }, { regex: 'order A\\d' }]);
    expect(res.manifest.pass_rate).toBe(0.5);
  });

  it('a failing check fails a run the judge passed', async () => {
    const root = await makeTree({
      ...project(),
      ...agent,
      '.gauntlet/suites/s.yaml':
        'kind: suite\nname: s\nagent: echo\ntasks:\n  - user: "A1"\n    expect:\n      - not_contains: refunded\n',
    });
    const [res] = await runSuites({ root, env: { ...process.env } });
    expect(res.records[0]).toMatchObject({
      verdict: 'FAIL',
      overall: 'FAIL',
      judge: { verdict: 'PASS' },
    });
  });
});
