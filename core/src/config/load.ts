import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { isScalar } from 'yaml';
import { didYouMean } from '../util/suggest.js';
import { checkDockerfileBody } from './dockerfile.js';
import { ConfigError, type ConfigIssue } from './errors.js';
import { ungradedSuite } from './grading.js';
import type { Kind } from './schemas.js';
import { taskWorldIssues } from './task-world.js';
import { expectIssues } from './expect.js';
import { loadTasks } from './tasks.js';
import { addCliAgents, CLI_AGENTS } from './cli-agents.js';
import { runbookAgentIssues } from './runbook.js';
import { resolveAgentTools } from './tools.js';
import type {
  AgentConfig,
  ConfigTree,
  Loaded,
  ProjectConfig,
  ScenarioConfig,
  SuiteConfig,
} from './types.js';
import { validateAgainstSchema } from './validate.js';
import { YamlFile } from './yaml-file.js';

export const DEFAULT_CONFIG_DIR = '.gauntlet';
const PROJECT_FILES = new Set(['gauntlet.yaml', 'gauntlet.yml']);
const MAX_FILE_BYTES = 1024 * 1024;

/** Folders of .gauntlet/ that hold data, not config: results, model scripts, cassettes. */
const DATA_DIRS = ['results', 'models', 'cassettes'];

async function yamlFiles(dir: string, skip: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!e.name.startsWith('.') && !skip.includes(p)) out.push(...(await yamlFiles(p, skip)));
    } else if (e.isFile() && /\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

/**
 * Loads and validates every file under ROOT/.gauntlet. Collects all issues across files
 * before failing, so one `gauntlet validate` shows everything to fix.
 */
export async function loadConfig(
  root: string,
  opts: { configDir?: string; checkTasks?: boolean } = {},
): Promise<ConfigTree> {
  const absRoot = resolve(root);
  const configDir = resolve(absRoot, opts.configDir ?? DEFAULT_CONFIG_DIR);
  const issues: ConfigIssue[] = [];
  const fail = (file: string, message: string, fix: string, code = 'config_dir') =>
    new ConfigError([{ file, line: 1, column: 1, code, field: '', message, fix }]);
  if (!(await stat(configDir).catch(() => null))?.isDirectory()) {
    throw fail(
      relative(process.cwd(), configDir) || configDir,
      `no config directory at ${configDir}`,
      `create ${DEFAULT_CONFIG_DIR}/ with a gauntlet.yaml, agents and suites (see README)`,
    );
  }
  const display = (p: string) => relative(process.cwd(), p) || p;
  const tree: ConfigTree = {
    root: absRoot,
    configDir,
    project: emptyProject(join(configDir, 'gauntlet.yaml')),
    agents: new Map(),
    suites: new Map(),
    scenarios: new Map(),
  };
  const names = new Map<string, string>();
  const invalid = new Set<string>();

  for (const path of await yamlFiles(
    configDir,
    DATA_DIRS.map((d) => join(configDir, d)),
  )) {
    const file = display(path);
    const size = (await stat(path)).size;
    if (size > MAX_FILE_BYTES) {
      issues.push({
        file,
        line: 1,
        column: 1,
        code: 'file_too_large',
        field: '',
        message: `${size} bytes; config files are capped at ${MAX_FILE_BYTES}`,
        fix: 'move task lists into a CSV',
      });
      continue;
    }
    const yf = new YamlFile(file, await readFile(path, 'utf8'));
    if (yf.issues.length) {
      issues.push(...yf.issues);
      continue;
    }
    const value = yf.value() ?? {};
    const isProject = PROJECT_FILES.has(basename(path)) && dirname(path) === configDir;
    let kind: Kind;
    if (isProject) kind = 'project';
    else {
      const k = (value as { kind?: unknown }).kind;
      if (k !== 'agent' && k !== 'suite' && k !== 'scenario') {
        const guess =
          typeof k === 'string' ? didYouMean(k, ['agent', 'suite', 'scenario']) : undefined;
        issues.push({
          ...yf.pos(['kind']),
          code: 'unknown_kind',
          field: 'kind',
          message:
            k === undefined
              ? 'missing `kind`'
              : `unknown kind ${JSON.stringify(k)}${guess ? `; did you mean "${guess}"?` : ''}`,
          fix: 'set kind: agent, suite or scenario (project defaults live in gauntlet.yaml)',
        });
        continue;
      }
      kind = k;
    }
    const schemaIssues = validateAgainstSchema(kind, yf, value);
    issues.push(...schemaIssues);
    if (schemaIssues.length) {
      // Its own errors are reported; references to it must not add a misleading "no agent named".
      const n = (value as { name?: unknown }).name;
      if (typeof n === 'string') invalid.add(`${kind}:${n}`);
      continue;
    }
    const loaded: Loaded<any> = { value, file, dir: dirname(path), pos: (p) => yf.pos(p) };
    if (kind === 'project') {
      tree.project = loaded as Loaded<ProjectConfig>;
      continue;
    }
    const name = (value as { name: string }).name;
    const key = `${kind}:${name}`;
    if (names.has(key)) {
      issues.push({
        ...yf.pos(['name']),
        code: 'duplicate_name',
        field: 'name',
        message: `${kind} "${name}" is already defined in ${names.get(key)}`,
        fix: 'give each agent, suite and scenario a unique name',
      });
      continue;
    }
    names.set(key, file);
    if (kind === 'agent') {
      issues.push(...agentChecks(loaded as Loaded<AgentConfig>, yf));
      issues.push(...(await resolveAgentTools(loaded as Loaded<AgentConfig>, absRoot)));
      tree.agents.set(name, loaded as Loaded<AgentConfig>);
    } else if (kind === 'suite') tree.suites.set(name, loaded as Loaded<SuiteConfig>);
    else tree.scenarios.set(name, loaded as Loaded<ScenarioConfig>);
  }

  // A suite may name a coding CLI by its short name; a declared (even invalid) agent wins.
  addCliAgents(
    tree,
    [...tree.suites.values()]
      .flatMap((s) => suiteAgents(s.value))
      .filter((n) => !invalid.has(`agent:${n}`)),
  );
  for (const suite of tree.suites.values())
    issues.push(...(await suiteIssues(suite, tree, invalid, opts.checkTasks !== false)));
  if (issues.length) throw new ConfigError(issues);
  return tree;
}

/**
 * What is wrong with one suite of a tree: its references (agents, scenario) and, with
 * `checkTasks`, its expanded tasks (CSV rows, runbooks and uploads, worlds, checks, grading).
 * `invalid` holds the kind:name of files that failed their own schema (reported already).
 */
export async function suiteIssues(
  suite: Loaded<SuiteConfig>,
  tree: ConfigTree,
  invalid: ReadonlySet<string>,
  checkTasks: boolean,
): Promise<ConfigIssue[]> {
  const issues = referenceChecks(suite, tree, invalid);
  if (!checkTasks) return issues;
  try {
    const tasks = await loadTasks(suite, tree.scenarios, tree.root);
    const agents = suiteAgents(suite.value)
      .map((n) => tree.agents.get(n)?.value)
      .filter((a): a is AgentConfig => !!a);
    issues.push(...taskWorldIssues(suite, tasks, agents));
    issues.push(...expectIssues(suite, tasks, agents));
    issues.push(...runbookAgentIssues(suite, tasks, agents));
    const ungraded = ungradedSuite({ suite, tasks, scenarios: tree.scenarios });
    if (ungraded) issues.push(ungraded);
  } catch (e) {
    if (e instanceof ConfigError) issues.push(...e.issues);
    else throw e;
  }
  return issues;
}

export const suiteAgents = (s: SuiteConfig): string[] => s.agents ?? (s.agent ? [s.agent] : []);

function emptyProject(file: string): Loaded<ProjectConfig> {
  return { value: {}, file, dir: dirname(file), pos: () => ({ file, line: 1, column: 1 }) };
}

function agentChecks(agent: Loaded<AgentConfig>, yf: YamlFile): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const body = agent.value.environment?.dockerfile;
  if (body !== undefined) {
    const start = yf.pos(['environment', 'dockerfile']);
    // Block scalars start on the line after the indicator.
    const node = yf.doc.getIn(['environment', 'dockerfile'], true);
    const offset =
      isScalar(node) && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') ? 1 : 0;
    for (const p of checkDockerfileBody(body)) {
      out.push({
        file: agent.file,
        line: start.line + offset + p.line,
        column: offset ? 1 : start.column,
        code: 'dockerfile_invalid',
        field: 'environment.dockerfile',
        message: p.message,
        fix: 'use only RUN, ENV and WORKDIR lines (with sudo for system installs)',
      });
    }
  }
  if (agent.value.command !== undefined || agent.value.http !== undefined) {
    if (agent.value.environment?.python_requirements?.length) {
      out.push({
        ...agent.pos(['environment', 'python_requirements']),
        code: 'invalid_shape',
        field: 'environment.python_requirements',
        message: 'python_requirements apply to python agents only',
        fix: 'install packages with environment.dockerfile instead',
      });
    }
  }
  return out;
}

function referenceChecks(
  suite: Loaded<SuiteConfig>,
  tree: ConfigTree,
  invalid: ReadonlySet<string>,
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const s = suite.value;
  const refs: [string, (string | number)[]][] = s.agents
    ? s.agents.map((a, i) => [a, ['agents', i]])
    : s.agent
      ? [[s.agent, ['agent']]]
      : [];
  if (refs.length === 0)
    out.push({
      ...suite.pos([]),
      code: 'missing_field',
      field: 'agent',
      message: 'a suite needs `agent` or `agents`',
      fix: 'add agent: <name of an agent>',
    });
  for (const [name, path] of refs) {
    if (!tree.agents.has(name) && !invalid.has(`agent:${name}`)) {
      const guess = didYouMean(name, [...tree.agents.keys(), ...Object.keys(CLI_AGENTS)]);
      out.push({
        ...suite.pos(path),
        code: 'unknown_agent',
        field: path.join('.'),
        message: `no agent named "${name}"${guess ? `; did you mean "${guess}"?` : ''}`,
        fix: guess
          ? `use "${guess}"`
          : `define it in ${DEFAULT_CONFIG_DIR}/ with kind: agent, or name a coding CLI: ${Object.keys(CLI_AGENTS).join(', ')}`,
      });
    }
  }
  if (s.scenario && !tree.scenarios.has(s.scenario) && !invalid.has(`scenario:${s.scenario}`)) {
    const guess = didYouMean(s.scenario, [...tree.scenarios.keys()]);
    out.push({
      ...suite.pos(['scenario']),
      code: 'unknown_scenario',
      field: 'scenario',
      message: `no scenario named "${s.scenario}"${guess ? `; did you mean "${guess}"?` : ''}`,
      fix: 'define it with kind: scenario',
    });
  }
  return out;
}
