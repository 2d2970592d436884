import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { emptyOutcome, type AgentOutcome } from '../session/outcome.js';
import { loadConfig } from '../config/load.js';
import { SecretResolver } from '../config/secrets.js';
import { loadTasks, type Task, type TaskScenario } from '../config/tasks.js';
import type { ConfigTree, Loaded, SuiteConfig } from '../config/types.js';
import type { JudgeTarget } from '../grading/judge.js';
import { ModelEnvironment, ModelUnresolved } from '../models/environment.js';
import type {
  ConfirmationRun,
  Provenance,
  RunError,
  RunRecord,
  SuiteManifest,
  TrajectoryStep,
} from '../results/record.js';
import { Redactor } from '../results/redact.js';
import { fitRecord } from '../results/record-size.js';
import { DirectoryStore } from '../results/store.js';
import { summarise } from '../results/summary.js';
import { planConfirmation, type ConfirmOptions } from './confirm.js';
import { applyExtraGates, type ExtraGates } from '../results/gates.js';
import { renderJunit } from '../report/junit.js';
import { renderMarkdownReport } from '../report/markdown.js';
import { checkDocker, DockerDriver, sandboxLimits } from '../sandbox/docker.js';
import type { SandboxDriver } from '../sandbox/driver.js';
import { DEFAULT_BASE_IMAGE, ImageManager } from '../sandbox/images.js';
import { newId, sha256, stableStringify } from '../util/hash.js';
import { mapPool } from '../util/pool.js';
import { sweepTempDirs } from '../util/temp.js';
import { prepareAgent, type PreparedAgent } from './prepare.js';
import { selectRuns, type Shard } from './select.js';
import { seedWorkspace, type SeededWorkspace } from '../workspace/seed.js';
import { disposeCode } from '../agents/python/source.js';
import { buildRecord, provenance as makeProvenance } from './record.js';
import { runLifecycle, type RunPlan } from './lifecycle.js';
import { addInMemorySuite } from '../config/suite-in-memory.js';
import type { PhaseName } from './phases.js';
import { createUserSimulator } from '../users/index.js';
import { agentKindOf } from '../agents/registry.js';
import { artifactCaps } from '../workspace/artifacts.js';

export type RunEvent =
  | { type: 'suite_start'; suite: string; suiteRunId: string; runs: number; concurrency: number }
  | { type: 'log'; message: string }
  | { type: 'run_start'; runId: string; task: string; agent: string; trial: number }
  | { type: 'run_end'; record: RunRecord }
  /**
   * A run's live progress: its phases as they start and end (`phase`), and each model call
   * the gateway relays as it is recorded (`step`, a trajectory step).
   */
  | { type: 'progress'; runId: string; phase?: PhaseName; step?: TrajectoryStep; message: string }
  | { type: 'suite_end'; manifest: SuiteManifest };

export interface RunOptions {
  root: string;
  configDir?: string;
  suite?: string;
  resultsDir?: string;
  concurrency?: number;
  trials?: number;
  judgeModel?: string;
  cassette?: { mode: 'record' | 'replay'; file: string };
  env?: NodeJS.ProcessEnv;
  driver?: SandboxDriver;
  provenance?: Partial<Provenance>;
  /** Task ids or globs to run; a filter matching nothing is an error. */
  tasks?: string[];
  /** This process's share of a job matrix. */
  shard?: Shard;
  /** Gates a caller adds to every suite (the Action's inputs), applied before anything is written. */
  extraGates?: ExtraGates;
  /** Re-run the tasks that flipped against the base with extra trials (the Action's `confirm`). */
  confirm?: ConfirmOptions;
  /** Where the viewer is published (the Action's `pages-url`), recorded as manifest.viewer_url. */
  viewerUrl?: string;
  /**
   * A suite built in memory (a programmatic launch: runRunbook), run instead of the config
   * tree's suites; it is checked like a suite file (schema, agents, runbooks and uploads).
   */
  suiteInMemory?: Loaded<SuiteConfig>;
  /** The base run to compare p95 latency with, for the latency-regression gate. */
  baselineFor?: (m: SuiteManifest) => { p95_ms: number; id: string } | undefined;
  onEvent?: (e: RunEvent) => void;
  /**
   * Aborting stops dispatch, cancels the runs in flight (their sandboxes are killed, their
   * records say cancelled), and still writes what finished: records, manifest, report, JUnit.
   */
  signal?: AbortSignal;
}

export interface SuiteResult {
  manifest: SuiteManifest;
  records: RunRecord[];
  dir: string;
  /** What the extra gates had to say (a baseline compared, or none found). */
  notes: string[];
}

/** Runs every selected suite of a config tree; the CLI, the Action and tests all come here. */
export async function runSuites(opts: RunOptions): Promise<SuiteResult[]> {
  const tree = await loadConfig(opts.root, { configDir: opts.configDir });
  if (opts.suiteInMemory) await addInMemorySuite(tree, opts.suiteInMemory);
  const names = opts.suiteInMemory
    ? [opts.suiteInMemory.value.name]
    : opts.suite
      ? [opts.suite]
      : [...tree.suites.keys()];
  for (const n of names)
    if (!tree.suites.has(n))
      throw new Error(
        `no suite named "${n}" in ${tree.configDir} (suites: ${[...tree.suites.keys()].join(', ') || 'none'})`,
      );
  const secrets = new SecretResolver(opts.env ?? process.env);
  // One redactor for everything stored or sent on: records, cassettes, the judge's prompt.
  const redactor = new Redactor();
  const models = await ModelEnvironment.start(tree.project, secrets, {
    cassette: opts.cassette,
    redact: (t) => redactor.text(t),
  });
  const resultsDir = resolve(
    tree.root,
    opts.resultsDir ?? tree.project.value.results_dir ?? '.gauntlet/results',
  );
  const store = new DirectoryStore(resultsDir, redactor);
  const emit = (e: RunEvent) => opts.onEvent?.(e);
  const images = new ImageManager(tree.project.value.image ?? DEFAULT_BASE_IMAGE, (m) =>
    emit({ type: 'log', message: m }),
  );
  const driver = opts.driver ?? new DockerDriver();
  const out: SuiteResult[] = [];
  try {
    const swept = await sweepTempDirs();
    if (swept)
      emit({
        type: 'log',
        message: `swept ${swept} leftover temp dir(s) of runs whose process is gone`,
      });
    for (const name of names) {
      if (opts.signal?.aborted) break;
      out.push(
        await runSuite(tree, tree.suites.get(name)!, {
          opts,
          secrets,
          models,
          redactor,
          store,
          images,
          driver,
          emit,
          teardowns: [],
        }),
      );
    }
  } finally {
    await models.close();
  }
  return out;
}

interface Ctx {
  opts: RunOptions;
  secrets: SecretResolver;
  models: ModelEnvironment;
  redactor: Redactor;
  store: DirectoryStore;
  images: ImageManager;
  driver: SandboxDriver;
  emit: (e: RunEvent) => void;
  teardowns: Promise<unknown>[];
}

async function runSuite(
  tree: ConfigTree,
  suite: Loaded<SuiteConfig>,
  ctx: Ctx,
): Promise<SuiteResult> {
  const s = suite.value;
  const started = Date.now();
  const suiteRunId = newId();
  const tasks = await loadTasks(suite, tree.scenarios, tree.root);
  const trials = ctx.opts.trials ?? s.trials ?? 1;
  const concurrency = ctx.opts.concurrency ?? s.concurrency ?? tree.project.value.concurrency ?? 2;
  const agentNames = s.agents ?? [s.agent!];
  const configHash = sha256(
    stableStringify({
      suite: s,
      agents: agentNames.map((a) => tree.agents.get(a)!.value),
      project: tree.project.value,
    }),
  ).slice(0, 16);
  const prov = makeProvenance(configHash, {
    ...ctx.opts.provenance,
    ...(ctx.opts.shard && ctx.opts.shard.total > 1
      ? { shard: `${ctx.opts.shard.index}/${ctx.opts.shard.total}` }
      : {}),
  });

  // Fail early, before any sandbox: judge model, secrets, agent code, images.
  let judgeTarget: JudgeTarget | null = null;
  let judgeError: string | undefined;
  let judgeCode: string | undefined;
  if (s.judge !== 'none') {
    try {
      judgeTarget = {
        ...ctx.models.judgeTarget(
          ctx.opts.judgeModel ?? (typeof s.judge === 'object' ? s.judge.model : undefined),
          tree.project.value.judge_model,
        ),
        samples: (typeof s.judge === 'object' && s.judge.samples) || 1,
      };
    } catch (e) {
      if (!(e instanceof ModelUnresolved)) throw e;
      judgeError = e.message;
      judgeCode = e.code;
    }
  }
  // Persona sessions and simulated tools outside coding runs need the simulator's model;
  // scripted sessions and passthrough tools do not, and run regardless.
  const simulates = (agent: string) =>
    (tree.agents.get(agent)!.value.tools ?? []).some((t) => t.mode !== 'passthrough');
  const needsSimulator = (task: Task, agent: string) =>
    task.multi_turn?.simulator_mode === 'persona' || (!task.scenario && simulates(agent));
  let simulatorTarget: JudgeTarget | null = null;
  let simulatorError: RunError | undefined;
  if (tasks.some((t) => agentNames.some((a) => needsSimulator(t, a)))) {
    try {
      simulatorTarget = ctx.models.simulatorTarget(
        s.simulator?.model,
        tree.project.value.simulator_model,
      );
    } catch (e) {
      if (!(e instanceof ModelUnresolved)) throw e;
      simulatorError = { class: 'contract_error', code: e.code, message: e.message };
    }
  }
  /** A session's shape: its user side (a fresh simulator per run), cap and memory. */
  const sessionOf = (task: Task): RunPlan['multi'] => {
    const mt = task.multi_turn;
    if (!mt || (mt.simulator_mode === 'persona' && simulatorError)) return null;
    return {
      simulator_mode: mt.simulator_mode,
      max_turns: mt.max_turns,
      memory_mode: mt.memory_mode,
      termination_keyword: mt.termination_keyword,
      user: createUserSimulator(mt, simulatorTarget),
    };
  };
  const all: { task: Task; agent: string; trial: number }[] = [];
  for (const task of tasks)
    for (const agent of agentNames)
      for (let t = 1; t <= trials; t++) all.push({ task, agent, trial: t });
  const runs = selectRuns(all, { tasks: ctx.opts.tasks, shard: ctx.opts.shard });
  ctx.emit({ type: 'suite_start', suite: s.name, suiteRunId, runs: runs.length, concurrency });

  const prepared = new Map<string, PreparedAgent>();
  // Seeded once per distinct workspace of the suite run, shared by every task that uses it.
  const workspaces = new Map<string, Promise<SeededWorkspace>>();
  const workspaceFor = (sc: TaskScenario) => {
    const key = stableStringify({ seed: sc.config.workspace, dir: sc.dir });
    if (!workspaces.has(key))
      workspaces.set(
        key,
        seedWorkspace(sc.config.workspace, sc.dir, ctx.secrets, {
          allowHosts: tree.project.value.allow_private_git_hosts,
        }),
      );
    return workspaces.get(key)!;
  };
  if (!judgeError) {
    const needsDocker = agentNames.some((a) => agentKindOf(tree.agents.get(a)!.value).needsSandbox);
    if (needsDocker) {
      await checkDocker();
      const swept = await ctx.driver.sweep();
      if (swept) ctx.emit({ type: 'log', message: `swept ${swept} leftover sandbox container(s)` });
    }
    for (const a of agentNames)
      prepared.set(
        a,
        await prepareAgent(tree.agents.get(a)!, tree.project, ctx.secrets, ctx.images, {
          hasScenario: !!s.scenario || tasks.some((t) => t.scenario || t.mission),
          providers: new Set(Object.keys(ctx.models.providers)),
        }),
      );
  }
  for (const v of ctx.secrets.values()) ctx.redactor.add(v);

  const limits = sandboxLimits(tree.project.value);

  /** One run, start to record; a confirmation re-run is marked so before it is written. */
  const execute = async (run: (typeof runs)[number], confirmation = false) => {
    const runId = newId('r');
    const t0 = Date.now();
    ctx.emit({ type: 'run_start', runId, task: run.task.id, agent: run.agent, trial: run.trial });
    const agent = prepared.get(run.agent) ?? {
      config: tree.agents.get(run.agent)!.value,
      kind: 'python' as const,
      version: tree.agents.get(run.agent)!.value.version ?? 'unresolved',
      env: {},
      headers: {},
      timeoutMs: 0,
      mounts: [],
      endpoints: new Map(),
    };
    const task = {
      ...run.task,
      origin: {
        ...run.task.origin,
        file: relative(tree.root, run.task.origin.file).split(sep).join('/'),
      },
    };
    const base = {
      id: runId,
      suiteRunId,
      suite: s.name,
      task,
      trial: run.trial,
      agent,
      started: t0,
      provenance: prov,
    };
    let record: RunRecord;
    try {
      record = await runOne(run, agent, runId, base);
    } catch (e) {
      // Whatever one run does ends as that run's own error: the suite goes on and reports.
      const message = `gauntlet failed on this run and went on with the suite: ${String((e as Error)?.message ?? e).slice(0, 500)}`;
      const outcome: AgentOutcome = {
        ...emptyOutcome(),
        status: 'failed',
        error: {
          class: 'internal_error',
          code: 'run_crashed',
          message,
          detail: String((e as Error)?.stack ?? '').slice(0, 4000),
        },
      };
      record = ctx.redactor.value(fitRecord(buildRecord({ ...base, outcome, judge: null })));
    }
    if (confirmation) record.confirmation = true;
    await ctx.store.writeRun(record);
    ctx.emit({ type: 'run_end', record });
    return record;
  };
  const records = await mapPool(runs, concurrency, (run) => execute(run), ctx.opts.signal);
  const confirmation = await confirm();

  /**
   * The confirm phase (the Action's `confirm`): flipped tasks against the base, re-run with
   * extra trials after every first run, within the cost cap, in the same suite run.
   */
  async function confirm(): Promise<ConfirmationRun | undefined> {
    const o = ctx.opts.confirm;
    if (!o || ctx.opts.signal?.aborted) return undefined;
    const base = await o.base(s.name);
    if (!base?.records.length) {
      ctx.emit({
        type: 'log',
        message: `confirm: no base results of ${s.name}; nothing to confirm`,
      });
      return undefined;
    }
    const plan = planConfirmation(base, records, { trials: o.trials, maxCostUsd: o.maxCostUsd });
    const capped = plan.run.not_rerun.filter((t) => t.reason === 'cost_cap').length;
    ctx.emit({
      type: 'log',
      message: `confirm: re-running ${plan.rerun.length} flipped task(s) × ${o.trials} trial(s)${capped ? `; ${capped} left out by the cost cap` : ''}`,
    });
    const extra = plan.rerun.flatMap((t) => {
      const first = runs.find((r) => r.task.id === t.task_id && r.agent === t.agent);
      const done = records.filter((r) => r.task_id === t.task_id && r.agent.name === t.agent);
      const after = Math.max(0, ...done.map((r) => r.trial));
      return first
        ? Array.from({ length: o.trials }, (_, i) => ({ ...first, trial: after + i + 1 }))
        : [];
    });
    const more = await mapPool(extra, concurrency, (run) => execute(run, true), ctx.opts.signal);
    records.push(...more);
    plan.run.cost_usd = more.reduce((n, r) => n + r.cost.total_usd, 0);
    return plan.run;
  }

  async function runOne(
    run: (typeof runs)[number],
    agent: PreparedAgent,
    runId: string,
    base: Omit<Parameters<typeof buildRecord>[0], 'outcome' | 'judge'>,
  ): Promise<RunRecord> {
    const r = await runLifecycle(
      {
        runId,
        task: run.task,
        agent,
        multi: sessionOf(run.task),
        // The failure rules' generator: the same suite, task and trial fire the same rules.
        seed: `${s.name}/${run.task.id}/${run.trial}`,
        ...(needsSimulator(run.task, run.agent) && simulatorError ? { error: simulatorError } : {}),
      },
      {
        driver: ctx.driver,
        relay: ctx.models.relay,
        limits,
        judge: judgeTarget,
        simulator: simulatorTarget,
        ...(judgeError
          ? {
              suiteError: {
                class: 'contract_error' as const,
                code: judgeCode,
                message: judgeError,
              },
            }
          : {}),
        workspaceFor,
        newToken: () => {
          const token = `gt_${randomBytes(24).toString('hex')}`;
          ctx.secrets.track(token);
          ctx.redactor.add(token);
          return token;
        },
        signal: ctx.opts.signal,
        deferTeardown: (p) => ctx.teardowns.push(p),
        // Live progress leaves the engine (gauntlet serve streams it): redacted like the record,
        // since a model call's preview can hold a secret the run resolved.
        onProgress: (p) => ctx.emit(ctx.redactor.value({ type: 'progress', runId, ...p })),
        artifacts: { caps: artifactCaps(s.artifacts), redactor: ctx.redactor },
      },
    );
    await storeArtifacts(runId, r.outcome);
    return ctx.redactor.value(
      fitRecord(buildRecord({ ...base, outcome: r.outcome, judge: r.judge, multi: r.multi })),
    );
  }

  /**
   * A run's collected artifacts, written beside its record before the record: an entry the
   * store could not write says so (stored: false, the reason), never points at nothing.
   */
  async function storeArtifacts(runId: string, o: AgentOutcome) {
    const a = o.artifacts;
    if (!a?.files.size) return;
    const failed = await ctx.store
      .writeArtifacts(suiteRunId, runId, a.files)
      .catch(
        (e) =>
          new Map(
            [...a.files.keys()].map((p) => [
              p,
              `could not be written: ${String((e as Error)?.message ?? e).slice(0, 200)}`,
            ]),
          ),
      );
    for (const e of a.entries) {
      const why = failed.get(e.path);
      if (why) Object.assign(e, { stored: false, note: why });
    }
    if (failed.size)
      o.soft_warnings.push(
        `${failed.size} artifact(s) could not be written to the results directory: listed, not stored`,
      );
  }

  await Promise.allSettled(ctx.teardowns.splice(0));
  await Promise.all([...prepared.values()].map((p) => disposeCode(p.code)));
  for (const w of workspaces.values())
    await w.then(
      (x) => rm(x.root, { recursive: true, force: true }),
      () => undefined,
    );
  const manifest = summarise(suiteRunId, s.name, records, trials, s.gates ?? {}, started, prov);
  if (confirmation) manifest.confirmation = confirmation;
  if (ctx.opts.viewerUrl) manifest.viewer_url = ctx.opts.viewerUrl;
  const firstRuns = records.filter((r) => !r.confirmation).length;
  if (firstRuns < runs.length) manifest.counts.not_run = runs.length - firstRuns;
  const notes = ctx.opts.extraGates
    ? applyExtraGates(manifest, ctx.opts.extraGates, ctx.opts.baselineFor?.(manifest))
    : [];
  await ctx.store.writeManifest(manifest, {
    'report.md': renderMarkdownReport(manifest, records),
    'junit.xml': renderJunit(manifest, records),
  });
  ctx.emit({ type: 'suite_end', manifest });
  return { manifest, records, dir: ctx.store.suiteDir(suiteRunId), notes };
}
