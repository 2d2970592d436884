import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerReady } from '../core/src/test-support/docker.js';
import { packageRoot } from '../core/src/util/paths.js';
import { bareRemote, gitIn } from '../core/src/test-support/git.js';
import { runAction } from './support/run-action.js';

async function quickstart(): Promise<string> {
  const ws = await mkdtemp(join(tmpdir(), 'ws-'));
  await cp(join(packageRoot(), 'examples/quickstart'), ws, {
    recursive: true,
    filter: (s) => !s.includes('/results'),
  });
  return ws;
}

const prPayload = (title: string) => ({
  repository: { full_name: 'octo/widgets' },
  pull_request: {
    number: 7,
    title,
    head: { sha: 'b'.repeat(40), ref: 'feature', repo: { full_name: 'octo/widgets' } },
    base: { sha: 'c'.repeat(40), ref: 'main' },
  },
  sender: { login: 'octocat' },
});

describe('the Action bundle, as the runner runs it', () => {
  it('refuses a fork pull_request_target before any sandbox starts', async () => {
    const ws = await quickstart();
    const payload = {
      ...prPayload('innocent'),
      pull_request: {
        ...prPayload('x').pull_request,
        head: { sha: 'd'.repeat(40), ref: 'evil', repo: { full_name: 'mallory/widgets' } },
      },
    };
    // A dead engine address: reaching Docker at all would fail differently.
    const r = await runAction({
      workspace: ws,
      inputs: { suites: 'quickstart', 'results-branch': '' },
      event: 'pull_request_target',
      payload,
      env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    });
    expect(r.code).toBe(1);
    expect(r.log).toMatch(/::error::refusing pull_request_target from mallory\/widgets/);
    expect(existsSync(join(r.runnerTemp, 'gauntlet-results'))).toBe(false);
  });

  it('refuses an issue_comment from an actor without write permission (asked of the API)', async () => {
    const asked: string[] = [];
    const api = createServer((req, res) => {
      asked.push(`${req.method} ${req.url} ${req.headers.authorization}`);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ permission: 'read', user: { login: 'stranger' } }));
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    try {
      const r = await runAction({
        workspace: await quickstart(),
        inputs: {
          suites: 'quickstart',
          'results-branch': '',
          'github-token': 'ghs_testtoken123456',
        },
        event: 'issue_comment',
        payload: { repository: { full_name: 'octo/widgets' }, comment: { body: 'rerun' } },
        env: {
          GITHUB_ACTOR: 'stranger',
          GITHUB_API_URL: `http://127.0.0.1:${(api.address() as AddressInfo).port}`,
          DOCKER_HOST: 'unix:///nonexistent/docker.sock',
        },
      });
      expect(asked).toEqual([
        'GET /repos/octo/widgets/collaborators/stranger/permission token ghs_testtoken123456',
      ]);
      expect(r.code).toBe(1);
      expect(r.log).toMatch(/refusing issue_comment set off by stranger, who has read permission/);
      // The runner consumes ::add-mask:: and masks the value everywhere after it.
      expect(r.log).toContain('::add-mask::ghs_testtoken123456');
      expect(
        r.log
          .split('\n')
          .filter((l) => !l.startsWith('::add-mask::'))
          .join('\n'),
      ).not.toContain('ghs_testtoken123456');
    } finally {
      api.close();
    }
  });

  it.skipIf(!dockerReady())(
    'runs a suite on a pull request: summary, outputs, records on the results branch; the PR title stays inert',
    async () => {
      const ws = await quickstart();
      const remote = await bareRemote();
      const marker = join(tmpdir(), `pwned-${process.pid}-${Date.now()}`);
      const title = `fix: $(touch ${marker}) \`touch ${marker}\`; rm -rf / <img src=x onerror=alert(1)>`;
      const r = await runAction({
        workspace: ws,
        inputs: {
          suites: 'quickstart',
          'results-repository': remote,
          'results-branch': 'gauntlet-results',
          'min-pass-rate': '0.5',
          'pages-url': 'https://octo.github.io/widgets/',
        },
        event: 'pull_request',
        payload: prPayload(title),
      });
      expect(r.code, r.log).toBe(0);
      expect(existsSync(marker)).toBe(false);
      expect(r.summary).toContain('## gauntlet · quickstart · 100% pass (3/3)');
      expect(r.summary).toContain('PR #7: fix: $&#40;touch');
      expect(r.summary).not.toContain('<img');
      expect(r.outputs).toMatchObject({
        'pass-rate': '1.0000',
        runs: '3',
        passed: '3',
        failed: '0',
        errored: '0',
        'gates-passed': 'true',
      });
      expect(JSON.parse(r.outputs['by-verdict'])).toMatchObject({ PASS: 3, FAIL: 0 });
      expect(r.outputs['results-ref']).toBe(gitIn(remote, 'rev-parse', 'gauntlet-results'));
      const id = r.outputs['suite-run-ids'];
      const files = gitIn(remote, 'ls-tree', '--name-only', `gauntlet-results:runs/${id}`).split(
        '\n',
      );
      expect(files).toEqual(expect.arrayContaining(['manifest.json', 'report.md', 'junit.xml']));
      const manifest = JSON.parse(
        gitIn(remote, 'show', `gauntlet-results:runs/${id}/manifest.json`),
      );
      expect(manifest.provenance).toMatchObject({
        pr: 7,
        commit: 'b'.repeat(40),
        base_sha: 'c'.repeat(40),
        workflow_run: '4242',
        run_attempt: 1,
        event: 'pull_request',
        repository: 'octo/widgets',
      });
      expect(manifest.gates).toContainEqual({
        name: 'min_pass_rate',
        threshold: 0.5,
        actual: 1,
        passed: true,
      });
      expect(gitIn(remote, 'show', `gauntlet-results:runs/${id}/report.md`)).toContain(
        '| min_pass_rate | 0.5 | 100% | ✅ |',
      );
      expect(files.filter((f) => /^r\w+\.json$/.test(f))).toHaveLength(3);
      // The viewer beside the records, and the Pages URL for the App's links.
      expect(
        gitIn(remote, 'ls-tree', '--name-only', 'gauntlet-results:viewer').split('\n'),
      ).toEqual(['index.html', 'viewer.css', 'viewer.js']);
      // Pages serves the branch as it is (no Jekyll build over the records).
      expect(gitIn(remote, 'ls-tree', '--name-only', 'gauntlet-results').split('\n')).toContain(
        '.nojekyll',
      );
      expect(manifest.viewer_url).toBe('https://octo.github.io/widgets');
      expect(r.summary).toContain(
        `quickstart: [open in the viewer](https://octo.github.io/widgets/viewer/#/explorer/${id})`,
      );
      expect(existsSync(join(r.outputs['report-path'], 'junit.xml'))).toBe(true);
      // The one-file report for upload-artifact: the viewer with this job's records inside.
      const html = readFileSync(r.outputs['html-report-path'], 'utf8');
      expect(html).toContain('<script type="application/json" id="gauntlet-data">');
      expect(html).toContain(`runs/${id}/manifest.json`);
    },
    120_000,
  );

  it.skipIf(!dockerReady())(
    'splits a suite over two shard jobs and merges them; a failing gate fails the merge job',
    async () => {
      const ws = await quickstart();
      const remote = await bareRemote();
      const common = {
        suites: 'quickstart',
        'results-repository': remote,
        'results-branch': 'gauntlet-results',
      };
      const [s1, s2] = await Promise.all(
        [1, 2].map((i) =>
          runAction({
            workspace: ws,
            inputs: { ...common, shard: `${i}/2` },
            event: 'pull_request',
            payload: prPayload('shards'),
          }),
        ),
      );
      expect(s1.code, s1.log).toBe(0);
      expect(s2.code, s2.log).toBe(0);
      expect(Number(s1.outputs.runs) + Number(s2.outputs.runs)).toBe(3);
      expect(s1.summary).toContain('**Shard 1/2.**');
      const merged = await runAction({
        workspace: ws,
        inputs: { ...common, mode: 'merge', 'max-cost-usd': '0.001' },
        event: 'pull_request',
        payload: prPayload('shards'),
      });
      expect(merged.outputs, merged.log).toMatchObject({
        runs: '3',
        passed: '3',
        'gates-passed': 'false',
      });
      expect(merged.code).toBe(1);
      expect(merged.log).toMatch(
        /::error::gauntlet gates failed: quickstart \(max_cost_usd 0\.01\d* vs 0\.001\)/,
      );
      expect(merged.summary).toContain('## gauntlet · quickstart · 100% pass (3/3)');
    },
    180_000,
  );

  it.skipIf(!dockerReady())(
    'post step: removes the sandboxes a cancelled main step left behind',
    async () => {
      const host = execFileSync('hostname').toString().trim();
      const left = execFileSync('docker', [
        'run',
        '-d',
        '--label',
        'gauntlet.run=cancelled',
        '--label',
        `gauntlet.owner=${host}:999998`,
        'gauntlet-base:latest',
        'sleep',
        'infinity',
      ])
        .toString()
        .trim();
      const r = await runAction({
        workspace: await quickstart(),
        inputs: {},
        event: 'pull_request',
        payload: {},
        env: { STATE_isPost: 'true' },
      });
      expect(r.code, r.log).toBe(0);
      expect(r.log).toMatch(/gauntlet: (removed \d+ leftover|no leftover)/);
      expect(
        execFileSync('docker', ['ps', '-aq', '--filter', `id=${left}`])
          .toString()
          .trim(),
      ).toBe('');
    },
  );

  it('rejects a malformed shard input with the fix, before anything runs', async () => {
    const r = await runAction({
      workspace: await quickstart(),
      inputs: { shard: '3/2', 'results-branch': '' },
      event: 'push',
      payload: {},
      env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    });
    expect(r.code).toBe(1);
    expect(r.log).toMatch(/input "shard": shard "3\/2" is not i\/n.*Fix: write shard:/);
  });
});
