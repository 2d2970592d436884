import { readFileSync } from 'node:fs';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord, SuiteManifest } from '../core/src/index.js';
import { bareRemote, gitIn } from '../core/src/test-support/git.js';
import { runAction } from './support/run-action.js';

/**
 * An HTTP agent on loopback whose answers the test scripts per task and phase: the n-th call
 * of a task answers "ok" (a pass under the suite's check) or "no". Calls of one task may come
 * in any order, so only how many pass in each phase is fixed, which is all the verdicts see.
 */
const schema = (name: string) =>
  new Ajv({ strict: false }).compile(
    JSON.parse(readFileSync(join(__dirname, '..', 'schemas', name), 'utf8')),
  );

const SCRIPT: Record<string, Record<'base' | 'head', string>> = {
  // A truly regressed: always passed on base, always fails on head, extra trials included.
  regressed: { base: 'yyyyy', head: 'nnnnn' + 'nnnnnnnnnn' },
  // B and C flipped by chance: the same coin on both sides, head's first five unlucky.
  chance_b: { base: 'yyyyn', head: 'yynnn' + 'yyyyynyyyn' },
  chance_c: { base: 'yyynn', head: 'ynnnn' + 'yynyynyyny' },
  steady: { base: 'yyyyy', head: 'yyyyy' + 'yyyyyyyyyy' },
};

let server: Server;
let url: string;
let phase: 'base' | 'head' = 'base';
const calls = new Map<string, number>();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const task = JSON.parse(body).task_input.user_instruction as string;
      const n = calls.get(`${phase}/${task}`) ?? 0;
      calls.set(`${phase}/${task}`, n + 1);
      const answer = SCRIPT[task]?.[phase][n] === 'y' ? 'ok' : 'no';
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ final_response: `${task}: ${answer}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/eval`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function workspace(): Promise<string> {
  const ws = await mkdtemp(join(tmpdir(), 'ws-confirm-'));
  await mkdir(join(ws, '.gauntlet/agents'), { recursive: true });
  await mkdir(join(ws, '.gauntlet/suites'), { recursive: true });
  await writeFile(join(ws, '.gauntlet/gauntlet.yaml'), 'concurrency: 2\n');
  await writeFile(
    join(ws, '.gauntlet/agents/bot.yaml'),
    `kind: agent\nname: bot\nhttp:\n  url: ${url}\n`,
  );
  await writeFile(
    join(ws, '.gauntlet/suites/flips.yaml'),
    [
      'kind: suite',
      'name: flips',
      'agent: bot',
      'judge: none',
      'trials: 5',
      'expect:',
      '  - contains: ": ok"',
      'tasks:',
      ...Object.keys(SCRIPT).flatMap((t) => [`  - id: ${t}`, `    user: ${t}`]),
      '',
    ].join('\n'),
  );
  return ws;
}

describe('the Action with confirm, against a results branch on disk', () => {
  it('re-runs the flipped tasks on head and names one confirmed regression', async () => {
    const remote = await bareRemote();
    const ws = await workspace();
    const common = {
      suites: 'flips',
      'results-repository': remote,
      'results-branch': 'gauntlet-results',
      'image-cache': 'false',
    };
    const base = await runAction({
      workspace: ws,
      inputs: common,
      event: 'push',
      payload: { repository: { full_name: 'octo/widgets' }, ref: 'refs/heads/main' },
      env: { GITHUB_SHA: 'c'.repeat(40), GITHUB_REF: 'refs/heads/main', GITHUB_RUN_ID: '100' },
    });
    expect(base.code, base.log).toBe(0);

    phase = 'head';
    const head = await runAction({
      workspace: ws,
      inputs: { ...common, confirm: '10' },
      event: 'pull_request',
      payload: {
        repository: { full_name: 'octo/widgets' },
        pull_request: {
          number: 7,
          title: 'a change',
          head: { sha: 'b'.repeat(40), ref: 'feature', repo: { full_name: 'octo/widgets' } },
          base: { sha: 'c'.repeat(40), ref: 'main' },
        },
      },
      env: { GITHUB_SHA: 'b'.repeat(40), GITHUB_RUN_ID: '101' },
    });
    expect(head.code, head.log).toBe(0);
    expect(head.log).toContain('confirm: re-running');

    // The records on the branch: every first trial, and 10 confirmation trials per re-run task.
    const id = head.outputs['suite-run-ids'];
    const manifest = JSON.parse(
      gitIn(remote, 'show', `gauntlet-results:runs/${id}/manifest.json`),
    ) as SuiteManifest;
    const rerun = manifest.confirmation!.tasks.map((t) => t.task_id);
    expect(rerun).toContain('regressed');
    expect(rerun).not.toContain('steady');
    const extra = manifest.runs.filter((r) => r.confirmation);
    expect(extra).toHaveLength(rerun.length * 10);
    // The rates count the first trials only: 0 + 2 + 1 + 5 passes of 20.
    expect(manifest.counts.runs).toBe(20);
    expect(manifest.pass_rate).toBe(8 / 20);
    const regressedExtra = extra
      .filter((r) => r.task_id === 'regressed')
      .map(
        (r) =>
          JSON.parse(
            gitIn(remote, 'show', `gauntlet-results:runs/${id}/${r.id}.json`),
          ) as RunRecord,
      );
    // What the branch holds matches the published schemas, confirmation fields included.
    const manifestValid = schema('suite-manifest.schema.json');
    expect(manifestValid(manifest), JSON.stringify(manifestValid.errors)).toBe(true);
    const recordValid = schema('run-record.schema.json');
    expect(recordValid(regressedExtra[0]), JSON.stringify(recordValid.errors)).toBe(true);
    expect(regressedExtra.map((r) => [r.confirmation, r.verdict])).toEqual(
      Array(10).fill([true, 'FAIL']),
    );
    expect(regressedExtra.map((r) => r.trial).sort((a, b) => a - b)).toEqual([
      6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    ]);

    // The comment (job summary and comparison-path): one confirmed regression, the chance
    // flips never called regressions.
    const comment = readFileSync(head.outputs['comparison-path'], 'utf8');
    expect(head.summary).toContain(comment.split('\n').slice(2, 6).join('\n'));
    expect(comment).toContain('Confirmed regressions (1): regressed (bot)');
    const rows = comment.split('\n').filter((l) => l.startsWith('| '));
    const row = (t: string) => rows.find((l) => l.startsWith(`| ${t} `)) ?? '';
    expect(row('regressed')).toContain('confirmed');
    for (const t of ['chance_b', 'chance_c']) expect(row(t)).not.toMatch(/confirmed|‼/);
  }, 180_000);
});
