import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG_DIR } from '../config/load.js';
import { claudeCodeScaffold } from './templates/claude-code.js';
import { codexScaffold } from './templates/codex.js';
import { HTTP_PORT, httpScaffold } from './templates/http.js';
import { pythonScaffold } from './templates/python.js';
import { DEFAULT_ACTION, startEndpointStep, workflowYaml } from './templates/workflow.js';

export const AGENT_KINDS = ['python', 'claude-code', 'codex', 'http'] as const;
export type AgentKind = (typeof AGENT_KINDS)[number];

export const WORKFLOW_FILE = '.github/workflows/gauntlet.yml';

/** What each kind scaffolds, and what its workflow needs. */
interface Kind {
  files: () => Record<string, string>;
  /** The provider keys a real-model setup needs, shown commented in the workflow. */
  keys: ('anthropic' | 'openai')[];
}
const KINDS: Record<AgentKind, Kind> = {
  python: { files: pythonScaffold, keys: ['anthropic'] },
  'claude-code': { files: claudeCodeScaffold, keys: ['anthropic'] },
  codex: { files: codexScaffold, keys: ['anthropic', 'openai'] },
  http: { files: httpScaffold, keys: ['anthropic'] },
};

/** Nothing is written when any file of the scaffold, or a config directory, is there already. */
export class InitConflict extends Error {
  constructor(
    readonly root: string,
    readonly conflicts: string[],
  ) {
    super(`${root} already has ${conflicts.join(', ')}`);
  }
}

/** The default branch: origin's HEAD, else the checked-out branch, else main. */
export function defaultBranch(root: string): string {
  for (const ref of ['refs/remotes/origin/HEAD', 'HEAD']) {
    try {
      const name = execFileSync('git', ['-C', root, 'symbolic-ref', '--quiet', '--short', ref], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
      if (name) return name.replace(/^origin\//, '');
    } catch {
      // not a git repository, or a detached HEAD: try the next source
    }
  }
  return 'main';
}

/** Every file a scaffold writes, by path relative to the repository root. */
export function scaffoldFiles(
  kind: AgentKind,
  o: { action?: string; branch: string; workflow: boolean },
): Record<string, string> {
  const files = KINDS[kind].files();
  if (o.workflow) {
    files[WORKFLOW_FILE] = workflowYaml({
      action: o.action ?? DEFAULT_ACTION,
      branch: o.branch,
      keys: KINDS[kind].keys,
      before: kind === 'http' ? startEndpointStep(HTTP_PORT) : undefined,
    });
  }
  return files;
}

/** What is in the way: an existing config directory, and every file that would be overwritten. */
export function conflicts(root: string, files: Record<string, string>): string[] {
  const found = existsSync(join(root, DEFAULT_CONFIG_DIR)) ? [`${DEFAULT_CONFIG_DIR}/`] : [];
  for (const rel of Object.keys(files)) if (existsSync(join(root, rel))) found.push(rel);
  return found;
}

/** Writes the scaffold, or nothing at all: every file is created new (never overwritten). */
export async function writeScaffold(
  root: string,
  files: Record<string, string>,
): Promise<string[]> {
  const found = conflicts(root, files);
  if (found.length) throw new InitConflict(root, found);
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await writeFile(join(root, rel), text, { flag: 'wx' });
  }
  return Object.keys(files);
}

const NEXT: Record<AgentKind, string[]> = {
  python: [],
  'claude-code': [
    'The first run builds the Claude Code image layer (npm install -g @anthropic-ai/claude-code,',
    'from the npm registry; behind a TLS-intercepting proxy set GAUNTLET_BUILD_CA_CERTS). In CI',
    'the Action caches it across jobs.',
  ],
  codex: [
    'The first run builds the Codex image layer (npm install -g @openai/codex, from the npm',
    'registry; behind a TLS-intercepting proxy set GAUNTLET_BUILD_CA_CERTS). In CI the Action',
    'caches it across jobs.',
  ],
  http: [
    'Start the stand-in endpoint first (the workflow does the same):',
    `  python3 .gauntlet/agents/support-bot/server.py ${HTTP_PORT} &`,
  ],
};

/** `gauntlet init [ROOT] [--agent KIND] [--action OWNER/REPO@REF] [--no-workflow]` */
export async function initCommand(
  args: string[],
  out: (s: string) => void,
  err: (s: string) => void,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      agent: { type: 'string' },
      action: { type: 'string' },
      'no-workflow': { type: 'boolean' },
    },
  });
  const kind = (values.agent ?? 'python') as AgentKind;
  if (!AGENT_KINDS.includes(kind)) {
    const msg = `--agent ${JSON.stringify(values.agent)} is not one of ${AGENT_KINDS.join(', ')}`;
    throw Object.assign(new Error(msg), { code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' });
  }
  const root = resolve(positionals[0] ?? '.');
  const workflow = !values['no-workflow'];
  const branch = defaultBranch(root);
  const files = scaffoldFiles(kind, { action: values.action, branch, workflow });
  let written: string[];
  try {
    written = await writeScaffold(root, files);
  } catch (e) {
    if (!(e instanceof InitConflict)) throw e;
    err(`gauntlet init: nothing was written; ${root} already has:`);
    for (const c of e.conflicts) err(`  ${c}`);
    const wf = e.conflicts.includes(WORKFLOW_FILE);
    const skip = wf ? ` (--no-workflow skips ${WORKFLOW_FILE})` : '';
    const byHand = `to add to an existing ${DEFAULT_CONFIG_DIR}/, write an agent and suite by hand`;
    err(`fix: init into another folder, or move these aside first${skip};`);
    err(`  ${byHand} (README: Configuration)`);
    return 2;
  }
  const here = relative(process.cwd(), root);
  const at = here ? ` ${here}` : '';
  out(`gauntlet init: a ${kind} agent, a suite and ${written.length} files in ${root}:`);
  for (const f of written) out(`  ${f}`);
  out('');
  out('Next:');
  for (const line of NEXT[kind]) out(`  ${line}`);
  out(`  gauntlet validate${at}   checks the config`);
  out(`  gauntlet run${at}        runs the suite offline: the scripted model answers, no key`);
  out(`  gauntlet doctor${at}     when something fails: Docker, images, disk, keys`);
  if (written.includes(WORKFLOW_FILE)) {
    out(`Commit ${DEFAULT_CONFIG_DIR}/ and ${WORKFLOW_FILE}: pull requests then run the suite.`);
  }
  return 0;
}
