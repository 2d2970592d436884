import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/errors.js';
import { dockerReady } from '../test-support/docker.js';
import { makeTree, project } from '../test-support/tree.js';
import { runRunbook } from './runbook-run.js';

/** Prints what a runbook run's agent sees: its brief, where it is, what it may write. */
const PROBE = [
  'cat "$GAUNTLET_TASK_FILE"',
  'echo "cwd=$(pwd)"',
  'cat /app/uploads/data.csv',
  '(echo changed > /app/uploads/data.csv) 2>/dev/null && echo uploads-writable || echo uploads-read-only',
  'echo made > /app/results/out.txt && echo results-writable',
].join('; ');

const tree = () =>
  makeTree({
    ...project(),
    '.gauntlet/agents/probe.yaml': `kind: agent\nname: probe\ncommand: ${JSON.stringify(PROBE)}\ntimeout: 60\n`,
    'inputs/data.csv': 'region,units\nnorth,3\n',
  });

const launch = (root: string, extra: Partial<Parameters<typeof runRunbook>[0]> = {}) =>
  runRunbook({
    root,
    runbook: '# Probe runbook\n\nSay what you see.',
    agent: 'probe',
    instruction: 'Report your surroundings.',
    files: ['inputs/data.csv'],
    ...extra,
  });

describe('runRunbook: the launch is checked like a suite file, in its own terms', () => {
  it('names the launch field that is wrong, before any sandbox', async () => {
    const root = await tree();
    const fields = async (extra: Partial<Parameters<typeof runRunbook>[0]>) => {
      const e = await launch(root, extra).catch((x) => x);
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).issues.map((i) => [i.field, i.code]);
    };
    expect(await fields({ agent: 'nobody' })).toEqual([['agent', 'unknown_agent']]);
    expect(await fields({ files: ['../outside.csv'] })).toEqual([['files.0', 'file_not_found']]);
    expect(await fields({ files: ['/etc/hostname'] })).toEqual([['files.0', 'file_outside_root']]);
    expect(await fields({ instruction: '' })).toEqual([['instruction', 'invalid_value']]);
    expect(await fields({ suite: 'Not A Name' })).toEqual([['suite', 'invalid_value']]);
  });
});

describe.skipIf(!dockerReady())('runRunbook: a command agent in /app', () => {
  it('works in /app with read-only uploads and a writable results folder; the runbook heads its brief', async () => {
    const root = await tree();
    const { record } = await launch(root, { resultsDir: `${root}/results` });
    expect(record.error).toBeNull();
    const out = record.final_response ?? '';
    // An unrecognised command takes no instructions of its own: the runbook opens its brief.
    expect(out.indexOf('# Probe runbook')).toBeGreaterThanOrEqual(0);
    expect(out.indexOf('# Probe runbook')).toBeLessThan(out.indexOf('Report your surroundings.'));
    expect(out).toContain('The files uploaded for this task are in /app/uploads/: data.csv.');
    expect(out).toContain('cwd=/app');
    expect(out).toContain('north,3');
    expect(out).toContain('uploads-read-only');
    expect(out).toContain('results-writable');
    expect(record.suite).toBe('runbook');
    expect(record.task_id).toBe('runbook');
    expect(record.seed.runbook).toEqual({
      name: 'inline',
      text: '# Probe runbook\n\nSay what you see.',
    });
    expect(record.seed.files).toEqual([{ name: 'data.csv', path: 'inputs/data.csv', size: 21 }]);
  }, 120_000);
});
