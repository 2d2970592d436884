import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMMENT_MARKER } from '../../core/src/index.js';
import { record } from '../../core/src/test-support/records.js';
import {
  API,
  authScope,
  BOT,
  example,
  INSTALLATION,
  loadApp,
  resultsBranch,
  suiteRun,
} from './test-support/fixtures.js';

const REPO = 'Codertocat/Hello-World';
const HEAD = 'f'.repeat(40);
const BASE = 'e'.repeat(40);

beforeEach(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

function workflowRunPayload(prs: { number: number }[]) {
  const p = example('workflow_run', 'completed');
  p.installation = { id: INSTALLATION };
  Object.assign(p.workflow_run, {
    id: 777,
    head_sha: HEAD,
    head_branch: 'feature',
    event: 'pull_request',
    pull_requests: prs,
    html_url: `https://github.com/${REPO}/actions/runs/777`,
  });
  return p;
}

/** 60 tasks on the head (every third failing, with a line in the suite CSV), all passing on the base. */
function branchWithShards() {
  const tasks = Array.from({ length: 60 }, (_, i) => `t${String(i).padStart(2, '0')}`);
  const rec = (t: string, i: number, pass: boolean) =>
    record({
      task_id: t,
      id: t,
      verdict: pass ? 'PASS' : 'FAIL',
      seed: {
        user_instruction: 'x',
        behavior_instructions: null,
        expected_outcome: 'completion',
        initial_state: null,
        origin: { file: '.gauntlet/suites/smoke.csv', line: i + 2 },
      },
    });
  const head = tasks.map((t, i) => rec(t, i, i % 3 !== 0));
  const prov = {
    commit: HEAD,
    base_sha: BASE,
    pr: 7,
    workflow_run: '777',
    run_attempt: 1,
    ref: 'refs/pull/7/merge',
    event: 'pull_request',
    config_root: 'examples/app',
  };
  return [
    suiteRun(
      'h1',
      head.filter((_, i) => i % 2 === 0),
      { ...prov, shard: '1/2' },
    ),
    suiteRun(
      'h2',
      head.filter((_, i) => i % 2 === 1),
      { ...prov, shard: '2/2' },
    ),
    suiteRun(
      'b1',
      tasks.map((t, i) => rec(t, i, true)),
      { commit: BASE, workflow_run: '600', ref: 'refs/heads/main', event: 'push' },
      '2026-11-20T00:00:00Z',
    ),
  ];
}

describe('workflow_run.completed', () => {
  it('merges the shards into one check run per suite with batched annotations, and updates the sticky comment it owns', async () => {
    const { probot, state } = await loadApp();
    const auth = authScope();
    const branch = resultsBranch(REPO, branchWithShards());
    const created: any[] = [];
    const gh = nock(API)
      .get(`/repos/${REPO}/pulls/7`)
      .reply(200, {
        number: 7,
        head: { sha: HEAD, ref: 'feature' },
        base: { sha: BASE, ref: 'main' },
      })
      .post(`/repos/${REPO}/check-runs`, (b) => created.push(b) > 0)
      .reply(201, { id: 9001, html_url: `https://github.com/${REPO}/runs/9001` })
      .get(`/repos/${REPO}/issues/7/comments`)
      .query(true)
      .reply(200, [
        { id: 1, user: { login: 'mallory' }, body: `${COMMENT_MARKER}\nI pasted the marker` },
        { id: 2, user: { login: BOT }, body: `${COMMENT_MARKER}\nold results` },
      ])
      .patch(`/repos/${REPO}/issues/comments/2`, (b) => {
        expect(b.body).toContain(COMMENT_MARKER);
        expect(b.body).toContain('### smoke · 67% pass (40/60)');
        expect(b.body).toMatch(/No change is beyond noise: 20 task\(s\) flipped/);
        return true;
      })
      .reply(200, { id: 2 });

    await probot.receive({
      id: 'd-1',
      name: 'workflow_run',
      payload: workflowRunPayload([{ number: 7 }]),
    } as any);
    await state.drain();

    expect(gh.pendingMocks()).toEqual([]);
    expect(created).toHaveLength(1);
    const c = created[0];
    expect(c).toMatchObject({
      name: 'gauntlet: smoke',
      head_sha: HEAD,
      status: 'completed',
      conclusion: 'failure',
      external_id: '777:smoke',
    });
    expect(c.output.title).toBe('67% pass (40/60) · gates failed');
    expect(c.output.summary).toContain('| Task | Agent |');
    expect(c.output.text).toContain('<b>t00</b>');
    expect(c.output.annotations).toHaveLength(20);
    expect(c.output.annotations[0]).toMatchObject({
      path: 'examples/app/.gauntlet/suites/smoke.csv',
      start_line: 2,
    });
    expect(c.actions.map((a: any) => a.identifier)).toEqual(['rerun_failed', 'rerun_all']);
    auth.persist(false);
    branch.persist(false);
  });

  it.each([
    ['https://octo.github.io/hello', true],
    ['javascript:alert(1)//https://octo.github.io', false],
    ['http://octo.github.io/hello', false],
  ])(
    'links the check run and the comment into the viewer the manifest names (%s) only when it is https',
    async (url, linked) => {
      const { probot, state } = await loadApp();
      const auth = authScope();
      const runs = branchWithShards();
      for (const r of runs) r.manifest.viewer_url = url;
      const branch = resultsBranch(REPO, runs);
      const created: any[] = [];
      let comment = '';
      const gh = nock(API)
        .get(`/repos/${REPO}/pulls/7`)
        .reply(200, {
          number: 7,
          head: { sha: HEAD, ref: 'feature' },
          base: { sha: BASE, ref: 'main' },
        })
        .post(`/repos/${REPO}/check-runs`, (b) => created.push(b) > 0)
        .reply(201, { id: 9001, html_url: `https://github.com/${REPO}/runs/9001` })
        .get(`/repos/${REPO}/issues/7/comments`)
        .query(true)
        .reply(200, [])
        .post(`/repos/${REPO}/issues/7/comments`, (b) => {
          comment = b.body;
          return true;
        })
        .reply(201, { id: 3 });
      await probot.receive({
        id: `d-viewer-${linked}-${url.length}`,
        name: 'workflow_run',
        payload: workflowRunPayload([{ number: 7 }]),
      } as any);
      await state.drain();
      expect(gh.pendingMocks()).toEqual([]);
      const out = created[0].output;
      const all = `${out.summary}\n${out.text}\n${comment}`;
      if (linked) {
        const v = 'https://octo.github.io/hello/viewer/';
        expect(out.summary).toContain(`[Open in the viewer](${v}#/explorer/h2)`);
        expect(out.text).toContain(`[Trace](${v}#/trace/h1/h1-t00)`);
        expect(comment).toContain(`[compare in the viewer](${v}#/compare/b1/h2)`);
        expect(comment).toContain(`[trace](${v}#/trace/h1/h1-t00)`);
      } else {
        expect(all).not.toContain('viewer/#/');
        expect(all).not.toContain('javascript:');
      }
      auth.persist(false);
      branch.persist(false);
    },
  );

  it('maps a fork PR by head SHA (pull_requests is empty) and creates the comment when it has none', async () => {
    const { probot, state } = await loadApp();
    authScope();
    resultsBranch(REPO, branchWithShards());
    const gh = nock(API)
      .get(`/repos/${REPO}/pulls`)
      .query({ state: 'open', per_page: 100 })
      .reply(200, [
        {
          number: 3,
          head: { sha: 'a'.repeat(40), ref: 'other' },
          base: { sha: BASE, ref: 'main' },
        },
        { number: 9, head: { sha: HEAD, ref: 'patch-1' }, base: { sha: BASE, ref: 'main' } },
      ])
      .post(`/repos/${REPO}/check-runs`)
      .reply(201, { id: 9002 })
      .get(`/repos/${REPO}/issues/9/comments`)
      .query(true)
      .reply(200, [{ id: 5, user: { login: 'mallory' }, body: COMMENT_MARKER }])
      .post(`/repos/${REPO}/issues/9/comments`, (b) => b.body.startsWith(COMMENT_MARKER))
      .reply(201, { id: 6 });
    await probot.receive({
      id: 'd-2',
      name: 'workflow_run',
      payload: workflowRunPayload([]),
    } as any);
    await state.drain();
    expect(gh.pendingMocks()).toEqual([]);
  });

  it('batches more than 50 annotations over create and update calls', async () => {
    const { probot, state } = await loadApp();
    authScope();
    const many = Array.from({ length: 120 }, (_, i) =>
      record({
        task_id: `x${i}`,
        id: `x${i}`,
        verdict: 'FAIL',
        seed: {
          user_instruction: 'x',
          behavior_instructions: null,
          expected_outcome: 'completion',
          initial_state: null,
          origin: { file: '.gauntlet/suites/big.yaml', line: i + 1 },
        },
      }),
    );
    resultsBranch(REPO, [
      suiteRun('big', many, {
        commit: HEAD,
        workflow_run: '777',
        event: 'push',
        ref: 'refs/heads/main',
      }),
    ]);
    const sizes: number[] = [];
    nock(API)
      .get(`/repos/${REPO}/pulls`)
      .query(true)
      .reply(200, [])
      .post(`/repos/${REPO}/check-runs`, (b) => sizes.push(b.output.annotations.length) > 0)
      .reply(201, { id: 9003 })
      .patch(`/repos/${REPO}/check-runs/9003`, (b) => sizes.push(b.output.annotations.length) > 0)
      .times(2)
      .reply(200, { id: 9003 });
    await probot.receive({
      id: 'd-3',
      name: 'workflow_run',
      payload: workflowRunPayload([]),
    } as any);
    await state.drain();
    expect(sizes).toEqual([50, 50, 20]);
  });

  it('lays a re-run of the failed tasks over the earlier results of the same commit', async () => {
    const { probot, state } = await loadApp();
    authScope();
    const prov = {
      commit: HEAD,
      base_sha: BASE,
      workflow_run: '778',
      event: 'workflow_dispatch',
      ref: 'refs/heads/feature',
      config_root: '.',
    };
    const rerun = suiteRun(
      're',
      Array.from({ length: 20 }, (_, i) =>
        record({ task_id: `t${String(i * 3).padStart(2, '0')}`, id: `re${i}` }),
      ),
      prov,
      '2026-11-24T00:00:00Z',
    );
    resultsBranch(REPO, [...branchWithShards(), rerun]);
    let created: any;
    nock(API)
      .get(`/repos/${REPO}/pulls`)
      .query(true)
      .reply(200, [
        { number: 7, head: { sha: HEAD, ref: 'feature' }, base: { sha: BASE, ref: 'main' } },
      ])
      .post(`/repos/${REPO}/check-runs`, (b) => (created = b))
      .reply(201, { id: 9004 })
      .get(`/repos/${REPO}/issues/7/comments`)
      .query(true)
      .reply(200, [])
      .post(`/repos/${REPO}/issues/7/comments`, (b) => b.body.includes('100% pass (60/60)'))
      .reply(201, { id: 8 });
    const payload = workflowRunPayload([]);
    Object.assign(payload.workflow_run, { id: 778, event: 'workflow_dispatch' });
    await probot.receive({ id: 'd-8', name: 'workflow_run', payload } as any);
    await state.drain();
    expect(created).toMatchObject({ external_id: '778:smoke', conclusion: 'success' });
    expect(created.output.title).toBe('100% pass (60/60) · gates passed');
  });

  it('processes a delivery at most once', async () => {
    const { probot, state } = await loadApp();
    authScope();
    resultsBranch(REPO, [
      suiteRun('one', [record({ task_id: 'a', id: 'a' })], {
        commit: HEAD,
        workflow_run: '777',
        event: 'push',
        ref: 'refs/heads/main',
      }),
    ]);
    let creates = 0;
    nock(API)
      .persist()
      .get(`/repos/${REPO}/pulls`)
      .query(true)
      .reply(200, [])
      .post(`/repos/${REPO}/check-runs`, () => ++creates > 0)
      .reply(201, { id: 1 });
    const payload = workflowRunPayload([]);
    await probot.receive({ id: 'same-delivery', name: 'workflow_run', payload } as any);
    await probot.receive({ id: 'same-delivery', name: 'workflow_run', payload } as any);
    await state.drain();
    expect(creates).toBe(1);
  });
});

describe('re-runs', () => {
  function checkRunPayload(identifier: string | undefined, action = 'requested_action') {
    const p = example('check_run', 'requested_action');
    p.action = action;
    p.installation = { id: INSTALLATION };
    p.repository.full_name = REPO;
    p.repository.name = 'Hello-World';
    p.repository.owner.login = 'Codertocat';
    Object.assign(p.check_run, {
      id: 9001,
      name: 'gauntlet: smoke',
      external_id: '777:smoke',
      head_sha: HEAD,
      output: { title: '67% pass (40/60)', summary: 'old summary' },
    });
    p.requested_action = identifier ? { identifier } : undefined;
    return p;
  }

  it('"Re-run failed" asks the Action to confirm flips, with the PR base, when the App is set to', async () => {
    const { probot, state } = await loadApp(undefined, { settings: { rerunConfirm: 10 } });
    authScope();
    resultsBranch(REPO, branchWithShards());
    const BASE = 'c'.repeat(40);
    const gh = nock(API)
      .get(`/repos/${REPO}/actions/runs/777`)
      .reply(200, {
        id: 777,
        workflow_id: 31,
        head_branch: 'feature',
        run_attempt: 1,
        head_repository: { full_name: REPO },
        pull_requests: [{ number: 7, base: { sha: BASE, ref: 'main' }, head: { ref: 'feature' } }],
      })
      .post(`/repos/${REPO}/actions/workflows/31/dispatches`, (b) => {
        expect(b.inputs).toMatchObject({
          suites: 'smoke',
          confirm: '10',
          'base-sha': BASE,
          'base-ref': 'main',
        });
        return true;
      })
      .reply(204)
      .patch(`/repos/${REPO}/check-runs/9001`, (b) =>
        b.output.summary.includes('flips confirmed with 10 extra trials against `main`'),
      )
      .reply(200, {});
    await probot.receive({
      id: 'd-4c',
      name: 'check_run',
      payload: checkRunPayload('rerun_failed'),
    } as any);
    await state.drain();
    expect(gh.pendingMocks()).toEqual([]);
  });

  it('"Re-run failed" dispatches the eval workflow on the PR branch with the failed tasks, and marks the check run', async () => {
    const { probot, state } = await loadApp();
    authScope();
    resultsBranch(REPO, branchWithShards());
    const gh = nock(API)
      .get(`/repos/${REPO}/actions/runs/777`)
      .reply(200, {
        id: 777,
        workflow_id: 31,
        head_branch: 'feature',
        run_attempt: 1,
        head_repository: { full_name: REPO },
      })
      .post(`/repos/${REPO}/actions/workflows/31/dispatches`, (b) => {
        expect(b).toEqual({
          ref: 'feature',
          inputs: {
            suites: 'smoke',
            tasks: Array.from({ length: 20 }, (_, i) => `t${String(i * 3).padStart(2, '0')}`).join(
              ',',
            ),
          },
        });
        return true;
      })
      .reply(204)
      .patch(
        `/repos/${REPO}/check-runs/9001`,
        (b) =>
          b.output.title.startsWith('Re-run requested') &&
          b.output.summary.includes('asked to re-run 20 failed task(s) on `feature`'),
      )
      .reply(200, {});
    await probot.receive({
      id: 'd-4',
      name: 'check_run',
      payload: checkRunPayload('rerun_failed'),
    } as any);
    await state.drain();
    expect(gh.pendingMocks()).toEqual([]);
  });

  it('"Re-run all" and the Re-run link re-run the workflow run; a fork branch cannot take a dispatch', async () => {
    const { probot, state } = await loadApp();
    authScope();
    const gh = nock(API)
      .get(`/repos/${REPO}/actions/runs/777`)
      .times(2)
      .reply(200, {
        id: 777,
        workflow_id: 31,
        head_branch: 'patch-1',
        run_attempt: 1,
        head_repository: { full_name: 'mallory/Hello-World' },
      })
      .post(`/repos/${REPO}/actions/runs/777/rerun`)
      .reply(201)
      .patch(`/repos/${REPO}/check-runs/9001`, (b) => b.output.summary.includes('attempt 2'))
      .reply(200, {})
      .patch(`/repos/${REPO}/check-runs/9001`, (b) => b.output.summary.includes('lives in a fork'))
      .reply(200, {});
    await probot.receive({
      id: 'd-5',
      name: 'check_run',
      payload: checkRunPayload(undefined, 'rerequested'),
    } as any);
    await probot.receive({
      id: 'd-6',
      name: 'check_run',
      payload: checkRunPayload('rerun_failed'),
    } as any);
    await state.drain();
    expect(gh.pendingMocks()).toEqual([]);
  });
});

describe('check suite re-requests', () => {
  it('re-runs each gauntlet workflow run of the suite once', async () => {
    const { probot, state } = await loadApp();
    authScope();
    const p = example('check_suite', 'rerequested');
    p.installation = { id: INSTALLATION };
    const gh = nock(API)
      .get(`/repos/${REPO}/check-suites/${p.check_suite.id}/check-runs`)
      .query(true)
      .reply(200, {
        total_count: 3,
        check_runs: [
          {
            id: 1,
            name: 'gauntlet: smoke',
            external_id: '777:smoke',
            head_sha: HEAD,
            output: { title: 't', summary: 's' },
          },
          {
            id: 2,
            name: 'gauntlet: nightly',
            external_id: '777:nightly',
            head_sha: HEAD,
            output: { title: 't', summary: 's' },
          },
          { id: 3, name: 'lint', external_id: '', head_sha: HEAD, output: {} },
        ],
      })
      .get(`/repos/${REPO}/actions/runs/777`)
      .reply(200, {
        id: 777,
        workflow_id: 31,
        head_branch: 'feature',
        run_attempt: 2,
        head_repository: { full_name: REPO },
      })
      .post(`/repos/${REPO}/actions/runs/777/rerun`)
      .reply(201)
      .patch(`/repos/${REPO}/check-runs/1`)
      .reply(200, {});
    await probot.receive({ id: 'd-9', name: 'check_suite', payload: p } as any);
    await state.drain();
    expect(gh.pendingMocks()).toEqual([]);
  });
});

describe('config review', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const project = 'judge_model: claude-sonnet-4-6\n';
  const agentBase =
    'kind: agent\nname: bot\npython:\n  source: { inline: "def run(t, *, proxy_url, run_token): return 1" }\nenv:\n  AGENT_MODEL: claude-haiku-4-5\n';
  const agentHead =
    'kind: agent\nname: bot\npython:\n  source: { inline: "def run(t, *, proxy_url, run_token): return 1" }\ntimout: 30\nenv:\n  AGENT_MODEL: claude-sonnet-4-6\n';
  const suite = 'kind: suite\nname: s\nagent: bot\ntasks:\n  - user: hello\n';

  it('annotates schema errors on the exact line of the head config and describes the agent change', async () => {
    const { probot, state } = await loadApp();
    authScope();
    const p = example('pull_request', 'opened');
    p.installation = { id: INSTALLATION };
    Object.assign(p.pull_request, {
      number: 2,
      head: { ...p.pull_request.head, sha: HEAD },
      base: { ...p.pull_request.base, sha: BASE },
    });
    let check: any;
    const gh = nock(API)
      .get(`/repos/${REPO}/pulls/2/files`)
      .query(true)
      .reply(200, [
        { filename: '.gauntlet/agents/bot.yaml', status: 'modified' },
        { filename: 'README.md', status: 'modified' },
      ])
      .get(`/repos/${REPO}/git/trees/${HEAD}`)
      .query({ recursive: 'true' })
      .reply(200, {
        tree: [
          { path: '.gauntlet/gauntlet.yaml', type: 'blob', sha: 'p1', size: 10 },
          { path: '.gauntlet/agents/bot.yaml', type: 'blob', sha: 'a1', size: 10 },
          { path: '.gauntlet/suites/s.yaml', type: 'blob', sha: 's1', size: 10 },
          { path: '.gauntlet/results/index.json', type: 'blob', sha: 'r1', size: 10 },
          { path: 'README.md', type: 'blob', sha: 'x1', size: 10 },
        ],
      })
      .get(`/repos/${REPO}/git/blobs/p1`)
      .reply(200, { content: b64(project), encoding: 'base64' })
      .get(`/repos/${REPO}/git/blobs/a1`)
      .reply(200, { content: b64(agentHead), encoding: 'base64' })
      .get(`/repos/${REPO}/git/blobs/s1`)
      .reply(200, { content: b64(suite), encoding: 'base64' })
      .get(`/repos/${REPO}/contents/.gauntlet%2Fagents%2Fbot.yaml`)
      .query({ ref: HEAD })
      .reply(200, agentHead)
      .get(`/repos/${REPO}/contents/.gauntlet%2Fagents%2Fbot.yaml`)
      .query({ ref: BASE })
      .reply(200, agentBase)
      .post(`/repos/${REPO}/check-runs`, (b) => (check = b))
      .reply(201, { id: 1 });
    await probot.receive({ id: 'd-7', name: 'pull_request', payload: p } as any);
    await state.drain();
    expect(gh.pendingMocks()).toEqual([]);
    expect(check).toMatchObject({
      name: 'gauntlet: config',
      head_sha: HEAD,
      conclusion: 'failure',
    });
    expect(check.output.annotations, JSON.stringify(check.output.annotations)).toEqual([
      expect.objectContaining({
        path: '.gauntlet/agents/bot.yaml',
        start_line: 5,
        annotation_level: 'failure',
      }),
    ]);
    expect(check.output.annotations[0].message).toMatch(/timout[\s\S]*timeout/);
    expect(check.output.summary).toContain(
      'model (AGENT_MODEL): "claude-haiku-4-5" → "claude-sonnet-4-6"',
    );
  });
});
