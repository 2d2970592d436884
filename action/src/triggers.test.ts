import { describe, expect, it } from 'vitest';
import { parseInputs } from './inputs.js';
import { checkTrigger, permissionsWarning } from './triggers.js';

const repo = { full_name: 'octo/widgets' };

describe('trigger safety', () => {
  it('allows same-repository pull_request_target and refuses forks unless opted in', () => {
    const same = { repository: repo, pull_request: { head: { repo } } };
    const fork = {
      repository: repo,
      pull_request: { head: { repo: { full_name: 'mallory/widgets' } } },
    };
    expect(
      checkTrigger('pull_request_target', same, {
        allowDangerous: false,
        actorPermission: 'write',
      }),
    ).toEqual({ ok: true });
    expect(
      checkTrigger('pull_request_target', fork, {
        allowDangerous: false,
        actorPermission: 'write',
      }),
    ).toMatchObject({ ok: false, reason: expect.stringContaining('mallory/widgets') });
    expect(
      checkTrigger(
        'pull_request_target',
        { repository: repo, pull_request: { head: { repo: null } } },
        { allowDangerous: false },
      ),
    ).toMatchObject({ ok: false, reason: expect.stringContaining('deleted fork') });
    expect(checkTrigger('pull_request_target', fork, { allowDangerous: true })).toEqual({
      ok: true,
    });
  });

  it('refuses workflow_run from a fork, and outsider events from actors without write', () => {
    expect(
      checkTrigger(
        'workflow_run',
        { repository: repo, workflow_run: { head_repository: { full_name: 'x/y' } } },
        { allowDangerous: false, actorPermission: 'admin' },
      ).ok,
    ).toBe(false);
    expect(
      checkTrigger(
        'issue_comment',
        { repository: repo },
        { allowDangerous: false, actor: 'bob', actorPermission: 'triage' },
      ),
    ).toMatchObject({
      ok: false,
      reason: expect.stringContaining('bob, who has triage permission'),
    });
    expect(
      checkTrigger(
        'issue_comment',
        { repository: repo },
        { allowDangerous: false, actorPermission: 'maintain' },
      ).ok,
    ).toBe(true);
    // Plain pull_request and push carry no outsider risk with secrets: no permission needed.
    expect(checkTrigger('pull_request', { repository: repo }, { allowDangerous: false }).ok).toBe(
      true,
    );
    expect(checkTrigger('push', { repository: repo }, { allowDangerous: false }).ok).toBe(true);
  });

  it('warns when neither the workflow nor the job sets permissions', () => {
    expect(permissionsWarning('on: push\njobs:\n  eval:\n    runs-on: x\n', 'eval')).toMatch(
      /sets no permissions/,
    );
    expect(
      permissionsWarning('on: push\npermissions: { contents: write }\njobs:\n  eval: {}\n', 'eval'),
    ).toBeUndefined();
    expect(
      permissionsWarning('on: push\njobs:\n  eval:\n    permissions: read-all\n', 'eval'),
    ).toBeUndefined();
  });
});

describe('action inputs', () => {
  const get = (m: Record<string, string>) => (n: string) => m[n] ?? '';
  it('parses lists, shards and gates, with defaults', () => {
    const i = parseInputs(
      get({ suites: 'a, b\nc', shard: '2/3', 'min-pass-rate': '0.8', tasks: 'auth-*' }),
    );
    expect(i).toMatchObject({
      mode: 'run',
      suites: ['a', 'b', 'c'],
      shard: { index: 2, total: 3 },
      tasks: ['auth-*'],
      gates: { minPassRate: 0.8 },
      retention: { maxAgeDays: 90, maxSuiteRuns: 2000 },
      configDir: '.gauntlet',
    });
  });
  it('names the input and the fix for bad values', () => {
    expect(() => parseInputs(get({ concurrency: 'lots' }))).toThrow(
      /input "concurrency": "lots" is not an integer >= 1 <= 64\. Fix:/,
    );
    expect(() => parseInputs(get({ 'allow-dangerous-triggers': 'sure' }))).toThrow(
      /input "allow-dangerous-triggers"/,
    );
    expect(() => parseInputs(get({ mode: 'both' }))).toThrow(/input "mode"/);
  });
  it('takes pages-url as a plain https URL only (opt-in)', () => {
    expect(parseInputs(get({})).pagesUrl).toBeUndefined();
    expect(parseInputs(get({ 'pages-url': 'https://octo.github.io/widgets/' })).pagesUrl).toBe(
      'https://octo.github.io/widgets',
    );
    for (const bad of ['http://octo.github.io', 'javascript:alert(1)', 'octo.github.io'])
      expect(() => parseInputs(get({ 'pages-url': bad }))).toThrow(
        /input "pages-url": .* is not a plain https URL\. Fix: write the Pages address/,
      );
  });
});
