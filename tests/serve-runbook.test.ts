import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type ServeHandle } from '../core/src/server/server.js';
import { dockerReady } from '../core/src/test-support/docker.js';
import { claudeReady, containersOf, runbookExampleCopy } from './support/runbook-example.js';

/**
 * gauntlet serve end to end: the official openai client launches examples/runbook (the real
 * Claude Code in a Docker sandbox, driven offline by the scripted model) through a `gauntlet`
 * block, and a client that hangs up mid-run leaves no container behind. Written against the
 * issue #15 contract (runRunbook, RunRecord.artifacts as ArtifactEntry[]); it runs once the
 * runbook and artifacts branches are merged.
 */

describe.skipIf(!dockerReady() || !claudeReady())(
  'gauntlet serve: a runbook run launched by the openai client, streamed, and cancelled by a hang-up',
  () => {
    let server: ServeHandle;
    let client: OpenAI;
    beforeAll(async () => {
      const root = await runbookExampleCopy();
      server = await startServe({ root, resultsDir: join(root, 'results'), env: process.env });
      client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    });
    afterAll(() => server?.close());

    it('streams the run: progress, the final response, usage, the record with both artifacts', async () => {
      const stream = await client.chat.completions.create({
        model: 'claude-code',
        messages: [
          { role: 'user', content: 'Read the uploaded CSV and write the quarterly sales report.' },
        ],
        stream: true,
        // @ts-expect-error the vendor block is not in the client's types
        gauntlet: {
          runbook: '.gauntlet/runbooks/sales-report.md',
          files: ['.gauntlet/data/sales.csv'],
          task: 'q3',
          suite: 'served',
        },
      });
      const chunks: any[] = [];
      for await (const c of stream) chunks.push(c);
      const events = chunks.map((c) => c.gauntlet?.event).filter(Boolean);
      const phases = events
        .filter((e) => e.type === 'progress' && /started$/.test(e.message))
        .map((e) => e.phase);
      expect(phases).toEqual(expect.arrayContaining(['image', 'open', 'turns', 'collect']));
      expect(events.filter((e) => e.step?.type === 'model_call')).toHaveLength(4);
      const reasoning = chunks.map((c) => c.choices[0]?.delta?.reasoning_content ?? '').join('');
      expect(reasoning.length).toBeGreaterThan(0);
      const content = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
      expect(content).toMatch(/^Done: wrote \/app\/results\/report\.md/);
      expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe(
        'stop',
      );
      const last = chunks[chunks.length - 1];
      // The script's usage over the four model calls.
      expect(last.usage).toEqual({
        prompt_tokens: 12400,
        completion_tokens: 570,
        total_tokens: 12970,
      });
      const run = last.gauntlet.run;
      expect(run).toMatchObject({ status: 'completed', path: `/v1/runs/${run.run_id}` });
      expect(run.artifacts.map((a: { path: string }) => a.path)).toEqual([
        'report.md',
        'summary.json',
      ]);
      // Each stored file has a URL on this server: the summary the runbook asked for.
      const summaryUrl = run.artifacts.find((a: { path: string }) => a.path === 'summary.json').url;
      const summary = await (await fetch(summaryUrl)).json();
      expect(summary).toHaveProperty('total_revenue');
      const record: any = await client.get(`/runs/${run.run_id}`);
      expect(record).toMatchObject({ id: run.run_id, suite: 'served', task_id: 'q3' });
      expect(record.artifacts.map((a: { path: string }) => a.path).sort()).toEqual([
        'report.md',
        'summary.json',
      ]);
    }, 300_000);

    it('answers a request that does not stream with one chat.completion once the run is done', async () => {
      const done: any = await client.chat.completions.create({
        model: 'claude-code',
        messages: [
          { role: 'user', content: 'Read the uploaded CSV and write the quarterly sales report.' },
        ],
        // @ts-expect-error the vendor block is not in the client's types
        gauntlet: {
          runbook: '.gauntlet/runbooks/sales-report.md',
          files: ['.gauntlet/data/sales.csv'],
          task: 'q3',
        },
      });
      expect(done.object).toBe('chat.completion');
      expect(done.choices[0].finish_reason).toBe('stop');
      expect(done.choices[0].message.content).toMatch(/^Done: wrote \/app\/results\/report\.md/);
      expect(done.choices[0].message.reasoning_content).toMatch(/turns/);
      expect(done.usage.total_tokens).toBe(12970);
      // Launched runs have no judge and no checks of their own: nothing to grade them by.
      expect(done.gauntlet.run).toMatchObject({ status: 'completed', verdict: 'NOT APPLICABLE' });
      expect(done.gauntlet.run.artifacts.map((a: { stored: boolean }) => a.stored)).toEqual([
        true,
        true,
      ]);
    }, 300_000);

    it('a client that disconnects mid-run cancels it: no container is left, the record says cancelled', async () => {
      const stream = await client.chat.completions.create({
        model: 'claude-code',
        messages: [
          { role: 'system', content: '# Slow runbook\n\nWait as long as it takes.' },
          { role: 'user', content: 'Wait.' },
        ],
        stream: true,
        // @ts-expect-error the vendor block is not in the client's types
        gauntlet: { runbook: true, suite: 'served' },
      });
      let runId = '';
      for await (const c of stream as AsyncIterable<any>) {
        const e = c.gauntlet?.event;
        if (e?.type === 'run_start') runId = e.run_id;
        // The first model call asked for `sleep 600`: the agent is mid-run. Hang up.
        if (e?.type === 'progress' && e.step?.type === 'model_call') break;
      }
      expect(runId).not.toBe('');
      await server.runsIdle();
      expect(containersOf(runId)).toBe('');
      const record: any = await client.get(`/runs/${runId}`);
      expect(record.status).toBe('cancelled');
    }, 300_000);
  },
);
