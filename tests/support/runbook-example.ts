import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { packageRoot } from '../../core/src/util/paths.js';

/** The Claude Code binary scripts/install-tools.sh puts in .cache/. */
export const CLAUDE = '.cache/claude/node_modules/@anthropic-ai/claude-code-linux-x64/claude';

/** Whether the real Claude Code is here; under CI=true its absence is a failure, never a skip. */
export function claudeReady(): boolean {
  if (existsSync(join(packageRoot(), CLAUDE))) return true;
  if (process.env.CI === 'true')
    throw new Error(`missing Claude Code (${CLAUDE}): scripts/install-tools.sh installs it`);
  console.warn('!!! Claude Code not installed (.cache/): the runbook example tests are skipped');
  return false;
}

/**
 * A private copy of examples/runbook (results stay out of the repository): its CLI path made
 * absolute, and a slow runbook's rule added to its script for the cancel tests (`# Slow
 * runbook` as the mission makes Claude Code run `sleep 600`).
 */
export async function runbookExampleCopy(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'runbook-example-'));
  await cp(join(packageRoot(), 'examples/runbook'), root, { recursive: true });
  const cfg = join(root, '.gauntlet');
  const project = parse(await readFile(join(cfg, 'gauntlet.yaml'), 'utf8'));
  project.clis['claude-code'].cli_from_host = join(packageRoot(), CLAUDE);
  await writeFile(join(cfg, 'gauntlet.yaml'), stringify(project));
  const script = parse(await readFile(join(cfg, 'models/scripted.yaml'), 'utf8'));
  script.rules.unshift({
    when: { system: '# Slow runbook', turn: 0 },
    reply: { tool_use: { name: 'Bash', input: { command: 'sleep 600', description: 'Wait' } } },
  });
  await writeFile(join(cfg, 'models/scripted.yaml'), stringify(script));
  return root;
}

/** The containers a run left behind (none, once its sandbox is torn down). */
export const containersOf = (runId: string) =>
  execFileSync('docker', ['ps', '-aq', '--filter', `label=gauntlet.run=${runId}`], {
    encoding: 'utf8',
  }).trim();
