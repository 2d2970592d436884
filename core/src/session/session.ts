import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { posix } from 'node:path';
import { join } from 'node:path';
import type { ScenarioConfig } from '../config/types.js';
import type { RunBudget } from '../gateway/budget.js';
import { Gateway, type GatewayOptions } from '../gateway/server.js';
import type { ToolHandler } from '../gateway/tool-handler.js';
import type { ModelRelay } from '../models/relay.js';
import { failure } from '../results/run-failure.js';
import type { Sandbox, SandboxDriver, SandboxLimits } from '../sandbox/driver.js';
import { readSandboxFile, readSandboxText, writeSandboxFiles } from '../sandbox/files.js';
import { packageRoot } from '../util/paths.js';
import { ownedTempDir } from '../util/temp.js';
import type { AgentAdapter, Mount } from './adapter.js';
import type { Turn, TurnInput, WorkspaceDiff } from './types.js';

/** Where a seeded workspace lives in every sandbox. */
export const WORKSPACE = '/home/user/workspace';
/**
 * A runbook run's working directory (seed 002): the task's uploads in `uploads/` (root-owned,
 * read-only to the agent), and `results/`, the agent's to fill, collected after the run.
 */
export const APP = '/app';
export const APP_UPLOADS = `${APP}/uploads`;
export const APP_RESULTS = `${APP}/results`;
const WORKSPACE_SH = '/gauntlet/runtime/workspace.sh';
/** Root-owned: what the workspace phases leave for the host, out of the agent's reach. */
const WS_OUT = '/var/lib/gauntlet/out';
/** How much of a diff is kept; the rest is counted and named. */
export const DIFF_MAX_BYTES = 1024 * 1024;

export interface SessionSpec {
  runId: string;
  /** The session's gateway bearer token (revoked at close). */
  token: string;
  relay: ModelRelay;
  /** The platform tools behind the gateway's /tools (a run's ToolDesk); none by default. */
  tools?: ToolHandler;
  /** The run's budget, shared by the gateway and the tool desk. */
  budget?: RunBudget;
  /** Sees the first model request (whether it carries the registered tools). */
  onFirstModelRequest?: GatewayOptions['onFirstModelRequest'];
  /** Sees each model call the gateway relayed, as it is recorded (live progress). */
  onModelCall?: GatewayOptions['onModelCall'];
  /** Absent when no agent of the session needs a sandbox (an HTTP endpoint). */
  sandbox?: {
    driver: SandboxDriver;
    image: string;
    limits: SandboxLimits;
    mounts: Mount[];
  };
  /** Cancels the session: its sandbox is killed. */
  signal?: AbortSignal;
}

/**
 * What a session is seeded with before its first turn: a coding scenario's workspace (a tar of
 * it and its setup) and/or a runbook run's /app with its uploads.
 */
export interface SeedSpec {
  /** Host dir holding code.tar, mounted at /gauntlet/workspace when the session opens. */
  packDir?: string;
  platformSetup?: { command: string; timeoutS: number };
  /** A runbook run: /app, its uploads (base name -> host file) and its results folder. */
  app?: { uploads: { name: string; host: string }[] };
}

/** A scenario's seed: its packed workspace, and its setup when the platform runs it. */
export function seedSpec(scenario: ScenarioConfig, packDir: string): SeedSpec {
  const setup = scenario.setup;
  return {
    packDir,
    platformSetup:
      setup && setup.mode !== 'agent'
        ? { command: setup.command, timeoutS: setup.timeout ?? 600 }
        : undefined,
  };
}

/**
 * One sandbox, its gateway session, the workspace baseline and the turns taken in it: the
 * resource every run is, whether it takes one turn or fifty, with one agent or several. Its
 * lifetime is close()'s; operations (an agent's turn, a scorer) receive it.
 */
export class Session {
  readonly turns: Turn[] = [];
  private seeded = false;
  private appDir = false;
  private closed = false;

  private constructor(
    readonly spec: SessionSpec,
    readonly runDir: string,
    readonly gateway: Gateway,
    readonly sandbox: Sandbox | null,
  ) {}

  /** Host mounts a session's sandbox needs for an agent kind's turns and a workspace seed. */
  static mountsFor(adapters: AgentAdapter[], seed?: SeedSpec): Mount[] {
    const all = adapters.flatMap((a) => a.mounts);
    if (seed?.packDir)
      all.push({ host: seed.packDir, container: '/gauntlet/workspace', readonly: true });
    const seen = new Set<string>();
    return all.filter((m) => !seen.has(m.container) && seen.add(m.container));
  }

  static async open(spec: SessionSpec): Promise<Session> {
    const runDir = await ownedTempDir('run');
    await chmod(runDir, 0o755);
    let gateway: Gateway | undefined;
    try {
      gateway = await new Gateway({
        listen: { socket: join(runDir, 'gw.sock') },
        token: spec.token,
        relay: spec.relay,
        tools: spec.tools,
        budget: spec.budget,
        onFirstModelRequest: spec.onFirstModelRequest,
        onModelCall: spec.onModelCall,
      }).start();
      const sb = spec.sandbox;
      const sandbox = sb
        ? await sb.driver.create({
            image: sb.image,
            runId: spec.runId,
            limits: sb.limits,
            mounts: [
              { host: runDir, container: '/gauntlet/run', readonly: true },
              {
                host: join(packageRoot(), 'core/runtime'),
                container: '/gauntlet/runtime',
                readonly: true,
              },
              ...sb.mounts,
            ],
          })
        : null;
      return new Session(spec, runDir, gateway, sandbox);
    } catch (e) {
      await gateway?.close();
      await rm(runDir, { recursive: true, force: true });
      throw failure('internal_error', 'sandbox_start_failed', (e as Error).message);
    }
  }

  get runId(): string {
    return this.spec.runId;
  }

  /** The sandbox, for operations that need one; a session without one cannot give it. */
  requireSandbox(): Sandbox {
    if (!this.sandbox) throw new Error(`session ${this.runId} has no sandbox`);
    return this.sandbox;
  }

  /** Writes a file the sandbox sees read-only under /gauntlet/run (a turn's task file). */
  async writeRunFile(name: string, text: string): Promise<string> {
    await writeFile(join(this.runDir, name), text, { mode: 0o644 });
    return `/gauntlet/run/${name}`;
  }

  /**
   * Seeds the session once, at turn 0: a runbook run's /app, then a scenario's workspace.
   */
  async seed(seed: SeedSpec): Promise<void> {
    if (seed.app) await this.seedApp(seed.app.uploads);
    if (seed.packDir) await this.seedWorkspace(seed);
  }

  /**
   * /app for a runbook run, through the engine's archive upload (which sets owners as the tar
   * says; the sandbox's root has no CAP_CHOWN): /app and /app/results the agent's, /app/uploads
   * and the uploads root's and read-only, so the task's inputs stay as they were given.
   */
  private async seedApp(uploads: { name: string; host: string }[]): Promise<void> {
    const sb = this.requireSandbox();
    // Read first (their sizes were capped at load): the tar is then written in one go.
    const files = await Promise.all(
      uploads.map(async (u) => [u.name, await readFile(u.host)] as const),
    );
    const p = pack();
    const at = { mtime: new Date(), mode: 0o755 };
    p.entry({ ...at, name: 'app', type: 'directory', uid: 1000, gid: 1000 });
    p.entry({ ...at, name: 'app/results', type: 'directory', uid: 1000, gid: 1000 });
    p.entry({ ...at, name: 'app/uploads', type: 'directory', uid: 0, gid: 0 });
    for (const [name, data] of files)
      p.entry({ ...at, name: `app/uploads/${name}`, mode: 0o444, uid: 0, gid: 0 }, data);
    p.finalize();
    await sb.putFiles('/', p as unknown as Readable);
    this.appDir = true;
  }

  /**
   * The workspace: the seed unpacked and the platform setup run as the agent's user, then the
   * baseline committed as root where the agent cannot write.
   */
  private async seedWorkspace(seed: SeedSpec): Promise<void> {
    const sb = this.requireSandbox();
    const setup = seed.platformSetup;
    const s = await sb.exec(['sh', WORKSPACE_SH, 'seed'], {
      env: setup
        ? {
            GAUNTLET_PLATFORM_SETUP: setup.command,
            GAUNTLET_SETUP_TIMEOUT: String(setup.timeoutS),
          }
        : {},
      timeoutMs: ((setup?.timeoutS ?? 600) + 60) * 1000,
      signal: this.spec.signal,
    });
    const st = await this.phaseStatus('/tmp/.gauntlet/ws/seed.json');
    if (st?.status !== 'ok') {
      if (st?.status === 'setup_failed')
        throw failure(
          'contract_error',
          'workspace_setup_failed',
          `the setup command exited ${st.exit_code}`,
          st.log,
        );
      throw failure(
        'contract_error',
        'workspace_seed_failed',
        'the workspace could not be unpacked in the sandbox',
        st?.log ?? (s.stderr || s.stdout).slice(-2000),
      );
    }
    const b = await sb.exec(['sh', WORKSPACE_SH, 'baseline'], {
      user: '0:0',
      timeoutMs: 300_000,
      signal: this.spec.signal,
    });
    const bs = await this.phaseStatus(`${WS_OUT}/baseline.json`);
    if (bs?.status !== 'ok')
      throw failure(
        'contract_error',
        'workspace_setup_failed',
        'the baseline commit failed (files the setup left unreadable?)',
        bs?.log ?? b.stderr.slice(-2000),
      );
    this.seeded = true;
  }

  get hasWorkspace(): boolean {
    return this.seeded;
  }

  /** Where the agent works: a seeded workspace, else a runbook run's /app. */
  get workdir(): string {
    return this.seeded || !this.appDir ? WORKSPACE : APP;
  }

  /**
   * One turn of one agent. The gateway's records made during the turn are its own; a coding
   * session then stops the agent's processes and snapshots the workspace, so the turn carries
   * its own diff (against the previous turn).
   */
  async turn(adapter: AgentAdapter, input: TurnInput, signal?: AbortSignal): Promise<Turn> {
    if (this.closed) throw new Error(`session ${this.runId} is closed`);
    const gw = this.gateway;
    const mark = [gw.modelCalls.length, gw.toolCalls.length, gw.traceEvents.length];
    const t0 = Date.now();
    const cancel = signal ?? this.spec.signal;
    const outcome = await adapter.runTurn(this, input, cancel);
    const turn: Turn = {
      index: input.turn,
      agent: adapter.name,
      input,
      outcome,
      model_calls: gw.modelCalls.slice(mark[0]),
      tool_calls: gw.toolCalls.slice(mark[1]),
      trace_events: gw.traceEvents.slice(mark[2]),
      diff: null,
      started_at: new Date(t0).toISOString(),
      latency_ms: 0,
    };
    if (this.seeded && !cancel?.aborted) {
      try {
        turn.diff = await this.snapshot(input.turn);
      } catch (e) {
        turn.eval_error = `diff capture failed: ${(e as Error).message.slice(-500)}`;
      }
    }
    adapter.afterTurn?.(turn);
    turn.latency_ms = Date.now() - t0;
    this.turns.push(turn);
    return turn;
  }

  /** Stops every process of the agent's user in the sandbox (what a turn left running). */
  async stopAgentProcesses(): Promise<void> {
    await this.sandbox?.exec(['sh', WORKSPACE_SH, 'stop'], { timeoutMs: 30_000 });
  }

  private async snapshot(n: number): Promise<WorkspaceDiff> {
    const sb = this.requireSandbox();
    await this.stopAgentProcesses();
    const r = await sb.exec(['sh', WORKSPACE_SH, 'snapshot', String(n)], {
      user: '0:0',
      timeoutMs: 300_000,
      env: { GAUNTLET_DIFF_MAX: String(DIFF_MAX_BYTES) },
    });
    const st = await this.phaseStatus(`${WS_OUT}/turn-${n}.json`);
    if (st?.status !== 'ok') throw new Error(st?.log ?? (r.stderr || `exit ${r.exitCode}`));
    return this.readDiff(`${WS_OUT}/turn-${n}`, Number(st.diff_bytes) || 0);
  }

  /** Everything the session's turns changed, against the baseline (after the last snapshot). */
  async cumulativeDiff(): Promise<WorkspaceDiff | null> {
    if (!this.seeded || !this.turns.length) return null;
    const last = this.turns[this.turns.length - 1];
    const st = await this.phaseStatus(`${WS_OUT}/turn-${last.index}.json`);
    if (st?.status !== 'ok') return null;
    return this.readDiff(`${WS_OUT}/cumulative`, Number(st.cumulative_bytes) || 0);
  }

  private async readDiff(base: string, bytes: number): Promise<WorkspaceDiff> {
    const sb = this.requireSandbox();
    const paths = (await readSandboxText(sb, `${base}.paths`, 4 * 1024 * 1024)) ?? '';
    const text = (await readSandboxText(sb, `${base}.diff`, DIFF_MAX_BYTES)) ?? '';
    let diff: string | null = text.trim() ? text : null;
    if (diff && bytes > text.length + 1)
      diff += `\n[diff truncated: ${bytes} bytes in all; the first ${text.length} are shown]\n`;
    return { diff, paths: paths.split('\0').filter(Boolean), bytes };
  }

  private async phaseStatus(path: string): Promise<Record<string, any> | undefined> {
    const text = await readSandboxText(this.requireSandbox(), path, 64 * 1024).catch(
      () => undefined,
    );
    try {
      const v = text ? JSON.parse(text) : undefined;
      return v && typeof v === 'object' ? v : undefined;
    } catch {
      return undefined;
    }
  }

  /** A file's bytes from the sandbox; a relative path is taken from the workspace. */
  async getFile(path: string, maxBytes = 64 * 1024 * 1024): Promise<Buffer> {
    const f = await readSandboxFile(this.requireSandbox(), this.resolve(path), maxBytes);
    if (!f) throw new Error(`no file ${path} in the sandbox`);
    if (f.size > f.data.length) throw new Error(`${path} is over ${maxBytes} bytes`);
    return f.data;
  }

  /** Puts a file into the sandbox (its directory made as needed), owned by the agent's user. */
  async putFile(path: string, content: string | Buffer): Promise<void> {
    const sb = this.requireSandbox();
    const abs = this.resolve(path);
    const dir = posix.dirname(abs);
    const mk = await sb.exec(['mkdir', '-p', dir], { timeoutMs: 30_000 });
    if (mk.exitCode !== 0) throw new Error(`cannot make ${dir} in the sandbox: ${mk.stderr}`);
    await writeSandboxFiles(sb, dir, { [posix.basename(abs)]: content });
  }

  private resolve(path: string): string {
    const abs = posix.isAbsolute(path) ? path : posix.join(this.workdir, path);
    return posix.normalize(abs);
  }

  /** Ends the session: the adapters' live processes, the gateway, then the sandbox. */
  async close(
    adapters: AgentAdapter[] = [],
    deferTeardown?: (p: Promise<unknown>) => void,
  ): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const a of adapters) await a.close?.(this).catch(() => undefined);
    await this.gateway.close();
    const teardown = Promise.all([
      this.sandbox?.destroy(),
      rm(this.runDir, { recursive: true, force: true }),
    ]);
    if (deferTeardown) deferTeardown(teardown);
    else await teardown;
  }
}
