import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { PreparedAgent } from '../agents/kind.js';
import { agentKindOf } from '../agents/registry.js';
import { loadConfig } from '../config/load.js';
import { SecretResolver } from '../config/secrets.js';
import type { ConfigTree, ToolDecl } from '../config/types.js';
import { ModelEnvironment } from '../models/environment.js';
import { prepareAgent } from '../pipeline/prepare.js';
import type { ModelCall } from '../models/wire.js';
import { Redactor } from '../results/redact.js';
import type { RunError, TrajectoryStep } from '../results/record.js';
import { RunFailure } from '../results/run-failure.js';
import { DockerDriver, sandboxLimits } from '../sandbox/docker.js';
import type { SandboxDriver, SandboxLimits } from '../sandbox/driver.js';
import { DEFAULT_BASE_IMAGE, ImageManager } from '../sandbox/images.js';
import type { AgentAdapter } from '../session/adapter.js';
import { seedSpec, Session } from '../session/session.js';
import type { MemoryMode, Turn } from '../session/types.js';
import { newId } from '../util/hash.js';
import { seedWorkspace, type SeededWorkspace } from '../workspace/seed.js';
import { seedLedger } from '../world/initial-state.js';
import { ToolDesk, type ResolvedEndpoint } from '../tools/tool-desk.js';
import { commitToBranch, repositoryOf } from './branch.js';

export interface RunnerOptions {
  /** The repository root holding the config directory. */
  root: string;
  configDir?: string;
  /** Where secrets and provider keys come from (default: this process's environment). */
  env?: NodeJS.ProcessEnv;
  driver?: SandboxDriver;
  cassette?: { mode: 'record' | 'replay'; file: string };
}

export interface OpenSandboxOptions {
  /** Agents (by name in the config tree) that will take turns here; they share one image. */
  agents: string[];
  /** A coding scenario: its workspace is seeded once and its baseline kept for diffs. */
  scenario?: string;
  /**
   * Give this sandbox's changes their own branch in the workspace's repository (a local git
   * path), so agents writing the same repository each leave their own diff.
   */
  branch?: string;
}

export interface RunTurnOptions {
  sandbox: RunnerSandbox;
  prompt: string;
  /** Continue the agent's own session (a CLI's id from an earlier result). */
  resumeSessionId?: string | null;
  /** `stateful` keeps a Python agent's process for the sandbox's later turns. */
  memory?: MemoryMode;
}

/** What one turn produced. */
export interface TurnResult {
  output: string | null;
  /** The agent's own session id, to resume with; null when it has none. */
  sessionId: string | null;
  status: 'completed' | 'failed' | 'cancelled';
  error: RunError | null;
  trajectory: TrajectoryStep[];
  modelCalls: ModelCall[];
  /** Coding sandboxes: what this turn changed (against the previous turn). */
  diff: string | null;
  turn: number;
}

/**
 * The runner API (seed 003): compose agent workflows in code. Open a sandbox for agents of a
 * config tree, run turns with prompts, resume a CLI's session by id, hand files between
 * sandboxes, and keep a branch per agent. Every turn goes through the same Session, gateway
 * and redaction as a suite run.
 */
export class Runner {
  private readonly prepared = new Map<string, Promise<PreparedAgent>>();
  private readonly sandboxes = new Set<RunnerSandbox>();
  private readonly workspaces: SeededWorkspace[] = [];

  private constructor(
    readonly tree: ConfigTree,
    private readonly models: ModelEnvironment,
    private readonly secrets: SecretResolver,
    readonly redactor: Redactor,
    private readonly images: ImageManager,
    private readonly driver: SandboxDriver,
    readonly limits: SandboxLimits,
  ) {}

  static async load(o: RunnerOptions): Promise<Runner> {
    const tree = await loadConfig(o.root, { configDir: o.configDir });
    const secrets = new SecretResolver(o.env ?? process.env);
    const redactor = new Redactor();
    const models = await ModelEnvironment.start(tree.project, secrets, {
      cassette: o.cassette,
      redact: (t) => redactor.text(t),
    });
    const p = tree.project.value;
    return new Runner(
      tree,
      models,
      secrets,
      redactor,
      new ImageManager(p.image ?? DEFAULT_BASE_IMAGE),
      o.driver ?? new DockerDriver(),
      sandboxLimits(tree.project.value),
    );
  }

  private agent(name: string): Promise<PreparedAgent> {
    const loaded = this.tree.agents.get(name);
    if (!loaded)
      throw new Error(
        `no agent named "${name}" in ${this.tree.configDir} (agents: ${[...this.tree.agents.keys()].join(', ') || 'none'})`,
      );
    if (!this.prepared.has(name))
      this.prepared.set(
        name,
        prepareAgent(loaded, this.tree.project, this.secrets, this.images, {
          hasScenario: true,
          providers: new Set(Object.keys(this.models.providers)),
        }).then((p) => {
          for (const v of this.secrets.values()) this.redactor.add(v);
          if (p.error) throw new RunFailure(p.error);
          return p;
        }),
      );
    return this.prepared.get(name)!;
  }

  /** Opens one sandbox (one container, one gateway session) for the named agents. */
  async openSandbox(o: OpenSandboxOptions): Promise<RunnerSandbox> {
    if (!o.agents.length) throw new Error('openSandbox needs at least one agent');
    const scenario = o.scenario ? this.tree.scenarios.get(o.scenario) : undefined;
    if (o.scenario && !scenario)
      throw new Error(
        `no scenario named "${o.scenario}" (scenarios: ${[...this.tree.scenarios.keys()].join(', ') || 'none'})`,
      );
    const prepared = await Promise.all(o.agents.map((a) => this.agent(a)));
    const adapters = new Map<string, AgentAdapter>();
    for (const p of prepared) {
      const kind = agentKindOf(p.config);
      if (kind.needsWorkspace && !scenario)
        throw new Error(
          `agent "${p.config.name}" needs a workspace: pass scenario: to openSandbox`,
        );
      adapters.set(
        p.config.name,
        kind.adapter(p, { scenario: scenario?.value, limits: this.limits }),
      );
    }
    const images = new Set([...adapters.values()].filter((a) => a.sandboxed).map((a) => a.image));
    if (images.size > 1)
      throw new Error(
        `agents ${o.agents.join(', ')} need different images (their environments differ); one sandbox runs one image: give them the same environment, or open one sandbox each`,
      );
    const workspace = scenario
      ? await seedWorkspace(scenario.value.workspace, scenario.dir, this.secrets, {
          allowHosts: this.tree.project.value.allow_private_git_hosts,
        })
      : undefined;
    if (workspace) this.workspaces.push(workspace);
    const seed = workspace ? seedSpec(scenario!.value, workspace.packDir) : undefined;
    const token = `gt_${randomBytes(24).toString('hex')}`;
    this.redactor.add(token);
    const [image] = images;
    const session = await Session.open({
      runId: newId('s'),
      token,
      relay: this.models.relay,
      tools: runnerTools(prepared),
      sandbox: image
        ? {
            driver: this.driver,
            image,
            limits: this.limits,
            mounts: Session.mountsFor([...adapters.values()], seed),
          }
        : undefined,
    });
    if (seed) await session.seed(seed);
    const repo =
      o.branch && scenario?.value.workspace.path !== undefined
        ? await repositoryOf(scenario.dir, scenario.value.workspace.path)
        : undefined;
    if (o.branch && !repo)
      throw new Error(
        `branch: needs a scenario whose workspace is a local path inside a git repository`,
      );
    const sb = new RunnerSandbox(this, session, adapters, o.branch, repo);
    this.sandboxes.add(sb);
    return sb;
  }

  /** One turn of `agent` in a sandbox opened for it. */
  async run(agent: string, o: RunTurnOptions): Promise<TurnResult> {
    return o.sandbox.turn(agent, o);
  }

  /** Closes every sandbox still open and the model environment. */
  async close(): Promise<void> {
    for (const s of [...this.sandboxes]) await s.close();
    await this.models.close();
    for (const w of this.workspaces.splice(0)) await rm(w.root, { recursive: true, force: true });
  }

  /** @internal */
  forget(s: RunnerSandbox) {
    this.sandboxes.delete(s);
  }
}

/** A sandbox of the runner API: its turns, its files, its diff, its branch. */
export class RunnerSandbox {
  constructor(
    private readonly runner: Runner,
    readonly session: Session,
    private readonly adapters: Map<string, AgentAdapter>,
    readonly branch?: string,
    private readonly repo?: string,
  ) {}

  async turn(agent: string, o: Omit<RunTurnOptions, 'sandbox'>): Promise<TurnResult> {
    const a = this.adapters.get(agent);
    if (!a)
      throw new Error(
        `agent "${agent}" was not opened in this sandbox (it has: ${[...this.adapters.keys()].join(', ')})`,
      );
    const n = this.session.turns.length + 1;
    const t: Turn = await this.session.turn(a, {
      turn: n,
      message: o.prompt,
      messages: [{ role: 'user', content: o.prompt }],
      memory: o.memory ?? (o.resumeSessionId ? 'stateful' : 'replay'),
      resumeSessionId: o.resumeSessionId ?? null,
      task: { id: `turn-${n}`, behavior_instructions: null, initial_state: null },
    });
    const r = this.runner.redactor;
    return r.value({
      output: t.outcome.final_response,
      sessionId: t.outcome.agent_session_id ?? null,
      status: t.outcome.status,
      error: t.outcome.error,
      trajectory: t.outcome.steps,
      modelCalls: t.model_calls,
      diff: t.diff?.diff ?? null,
      turn: n,
    });
  }

  /** Everything this sandbox's turns changed, against the baseline. */
  async diff(): Promise<string | null> {
    return this.runner.redactor.value((await this.session.cumulativeDiff())?.diff ?? null);
  }

  getFile(path: string): Promise<Buffer> {
    return this.session.getFile(path);
  }

  putFile(path: string, content: string | Buffer): Promise<void> {
    return this.session.putFile(path, content);
  }

  /**
   * Commits this sandbox's cumulative diff on its branch in the workspace's repository (based
   * on that repository's HEAD), without touching its work tree; returns the commit.
   */
  async commitBranch(message = `gauntlet: ${this.branch}`): Promise<string> {
    if (!this.branch || !this.repo) throw new Error('this sandbox was opened without branch:');
    const diff = (await this.session.cumulativeDiff())?.diff ?? '';
    return commitToBranch(this.repo, this.branch, diff, message);
  }

  async close(): Promise<void> {
    this.runner.forget(this);
    await this.session.close([...this.adapters.values()]);
  }
}

/**
 * The tools of a runner sandbox: every agent's (the first declaration of a name wins), their
 * passthrough endpoints, an empty ledger. A runner sandbox is a coding workspace, so it never
 * simulates: simulated tools answer tool_not_executable, passthrough ones are forwarded.
 */
function runnerTools(prepared: PreparedAgent[]): ToolDesk | undefined {
  const tools = new Map<string, ToolDecl>();
  const endpoints = new Map<string, ResolvedEndpoint>();
  for (const p of prepared)
    for (const t of p.config.tools ?? [])
      if (!tools.has(t.name)) {
        tools.set(t.name, t);
        const ep = p.endpoints.get(t.name);
        if (ep) endpoints.set(t.name, ep);
      }
  if (!tools.size) return undefined;
  const schema = prepared.find((p) => p.config.ledger_schema)?.config.ledger_schema ?? null;
  return new ToolDesk({
    tools: [...tools.values()],
    endpoints,
    schema,
    initial: seedLedger(schema, {}),
    behavior: null,
    rules: [],
    seed: 'runner',
    coding: true,
    simulator: null,
  });
}
