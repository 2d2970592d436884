import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSuites, type RunEvent } from '../core/src/pipeline/run-suite.js';
import { runRunbook } from '../core/src/pipeline/runbook-run.js';
import { dockerReady } from '../core/src/test-support/docker.js';
import { makeTree } from '../core/src/test-support/tree.js';
import { packageRoot } from '../core/src/util/paths.js';
import { claudeReady, containersOf, runbookExampleCopy } from './support/runbook-example.js';

const CODEX = '.cache/codex/node_modules/@openai/codex/vendor/x86_64-unknown-linux-musl/bin/codex';

/** Revenue by the CSV itself, for the numbers the agent's Python must have printed. */
async function expectedTotals(root: string) {
  const [, ...rows] = (await readFile(join(root, '.gauntlet/data/sales.csv'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => l.split(','));
  return {
    rows: rows.length,
    total: rows.reduce((n, r) => n + Number(r[3]) * Number(r[4]), 0),
  };
}

describe.skipIf(!dockerReady() || !claudeReady())(
  'examples/runbook: a markdown mission, an uploaded CSV and /app/results with the real Claude Code',
  () => {
    let root = '';
    beforeAll(async () => {
      root = await runbookExampleCopy();
    });

    it('the runbook reaches Claude Code as its system prompt; it reads the upload and writes the results', async () => {
      const events: RunEvent[] = [];
      const [res] = await runSuites({
        root,
        resultsDir: join(root, 'results'),
        onEvent: (e) => events.push(e),
      });
      const [record] = res.records;
      expect(record.error).toBeNull();
      expect(record.status).toBe('completed');
      // Every rule of the script needs the runbook's title in the system prompt: four model
      // calls answered by them (the fallback would have ended the run at the first).
      expect(record.trajectory.model_calls).toHaveLength(4);
      expect(record.final_response).toMatch(/^Done: wrote \/app\/results\/report\.md/);
      expect(record.seed.runbook).toMatchObject({
        name: '.gauntlet/runbooks/sales-report.md',
        text: expect.stringContaining('# Sales report runbook'),
      });
      expect(record.seed.files).toEqual([
        { name: 'sales.csv', path: '.gauntlet/data/sales.csv', size: expect.any(Number) },
      ]);
      // The upload was read in the sandbox: Claude Code sent its content back to the model.
      const results = record.trajectory.model_calls.flatMap((c) => c.tool_results ?? []);
      expect(results.some((r) => r.output.includes('2025-07-02,north,widget,12,9.50'))).toBe(true);
      // Both files the runbook asks for were collected from /app/results, stored beside the
      // record, and the summary holds the CSV's own totals.
      expect(record.artifacts.map((a) => [a.path, a.stored, a.content_type])).toEqual([
        ['report.md', true, expect.stringMatching(/^text\/markdown/)],
        ['summary.json', true, expect.stringMatching(/^application\/json/)],
      ]);
      const stored = join(root, 'results', 'runs', res.manifest.id, 'artifacts', record.id);
      const summary = JSON.parse(await readFile(join(stored, 'summary.json'), 'utf8'));
      const { rows, total } = await expectedTotals(root);
      expect(summary).toMatchObject({ rows, total_revenue: total });
      expect(await readFile(join(stored, 'report.md'), 'utf8')).toMatch(
        /^# Quarterly sales report/,
      );
      // Every check ran and passed: the response names the report, the files exist, and the
      // summary matches its schema.
      expect(record.scorers.map((s) => [s.check, s.passed])).toEqual([
        ['contains', true],
        ['file_exists', true],
        ['artifact', true],
      ]);
      expect(record.verdict).toBe('PASS');
      // Live progress: the phases in order, and model calls as they were made.
      const progress = events.filter((e) => e.type === 'progress');
      const started = progress.filter((e) => e.message.endsWith('started')).map((e) => e.phase);
      expect(started).toEqual(['resolve', 'image', 'open', 'seed', 'turns', 'collect', 'grade']);
      expect(progress.filter((e) => e.step?.type === 'model_call')).toHaveLength(4);
    }, 240_000);

    it('runRunbook: aborting mid-run tears the sandbox down and records the run as cancelled', async () => {
      const ac = new AbortController();
      let runId = '';
      const t0 = Date.now();
      const { record, manifest } = await runRunbook({
        root,
        suite: 'launch',
        runbook: '# Slow runbook\n\nWait as long as it takes.',
        agent: 'claude-code',
        instruction: 'Wait.',
        files: ['.gauntlet/data/sales.csv'],
        resultsDir: join(root, 'results'),
        signal: ac.signal,
        onEvent: (e) => {
          if (e.type === 'run_start') runId = e.runId;
          // The first model call asked for `sleep 600`: the agent is now mid-run.
          if (e.type === 'progress' && e.step?.type === 'model_call') ac.abort();
        },
      });
      expect(record.status).toBe('cancelled');
      expect(record.suite).toBe('launch');
      expect(manifest.suite).toBe('launch');
      expect(Date.now() - t0).toBeLessThan(120_000);
      expect(runId).toBe(record.id);
      expect(containersOf(runId)).toBe('');
    }, 240_000);
  },
);

describe.skipIf(!dockerReady() || !existsSync(join(packageRoot(), CODEX)))(
  'a runbook for Codex, by its short name',
  () => {
    it("reaches the model intact as Codex's developer instructions", async () => {
      const root = await makeTree({
        '.gauntlet/gauntlet.yaml': stringify({
          providers: { openai: { script: 'models/script.yaml' } },
          clis: { codex: { cli_from_host: join(packageRoot(), CODEX) } },
        }),
        '.gauntlet/models/script.yaml': stringify({
          rules: [
            {
              when: { system: '# Codex runbook[\\s\\S]*"quoted" \\\\ back', last_user: 'Begin\\.' },
              reply: { text: 'MISSION RECEIVED' },
            },
          ],
          fallback: { text: 'no rule matched: the runbook is not in the instructions' },
        }),
      });
      const { record } = await runRunbook({
        root,
        runbook: '# Codex runbook\n\nKeep "quoted" \\ backslashes and\nnew lines intact.',
        agent: 'codex',
        instruction: 'Begin.',
        resultsDir: join(root, 'results'),
      });
      expect(record.error).toBeNull();
      expect(record.final_response).toBe('MISSION RECEIVED');
    }, 120_000);
  },
);
