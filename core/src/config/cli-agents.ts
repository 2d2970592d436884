import type { AgentConfig, CliAgentName, ConfigTree, Loaded, ProjectConfig } from './types.js';

/**
 * The agents a suite may name by a short name without declaring them: each is the coding CLI's
 * headless command reading the brief from $GAUNTLET_TASK_FILE, exactly what a declared
 * `kind: agent` with `command:` would say, so the command presets (flags, relay, transcript,
 * install line) apply unchanged. A declared agent of the same name always wins.
 */
export const CLI_AGENTS: Record<CliAgentName, { command: string; description: string }> = {
  'claude-code': {
    command: 'claude -p "$(cat $GAUNTLET_TASK_FILE)"',
    description: 'Claude Code in headless mode (the claude-code short name)',
  },
  codex: {
    command: 'codex exec "$(cat $GAUNTLET_TASK_FILE)"',
    description: 'OpenAI Codex in exec mode (the codex short name)',
  },
  'gemini-cli': {
    command: 'gemini -p "$(cat $GAUNTLET_TASK_FILE)"',
    description: 'Gemini CLI in headless mode (the gemini-cli short name)',
  },
};

export const isCliAgentName = (n: string): n is CliAgentName => Object.hasOwn(CLI_AGENTS, n);

/**
 * The agent a short name stands for. It is placed in gauntlet.yaml (its `clis.<name>` entry is
 * where the CLI comes from on this runner, relative to that file); without an entry, the
 * preset's documented install line becomes an image layer.
 */
export function cliAgent(name: CliAgentName, project: Loaded<ProjectConfig>): Loaded<AgentConfig> {
  const from = project.value.clis?.[name]?.cli_from_host;
  const value: AgentConfig = {
    kind: 'agent',
    name,
    description: CLI_AGENTS[name].description,
    command: CLI_AGENTS[name].command,
    ...(from ? { environment: { cli_from_host: from } } : {}),
  };
  const entry = project.value.clis?.[name] ? ['clis', name] : [];
  return {
    value,
    file: project.file,
    dir: project.dir,
    // Its only written field is cli_from_host; anything else points at its entry.
    pos: (p) =>
      project.pos(p.at(-1) === 'cli_from_host' && from ? [...entry, 'cli_from_host'] : entry),
  };
}

/**
 * Adds the short-named agents the given names refer to and the tree does not declare; returns
 * the names it added. Unknown names are left for the reference check to report.
 */
export function addCliAgents(tree: ConfigTree, names: Iterable<string>): string[] {
  const added: string[] = [];
  for (const n of names) {
    if (tree.agents.has(n) || !isCliAgentName(n)) continue;
    tree.agents.set(n, cliAgent(n, tree.project));
    added.push(n);
  }
  return added;
}
