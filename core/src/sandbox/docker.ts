import { hostname } from 'node:os';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import Docker from 'dockerode';
import { processAlive } from '../util/temp.js';
import { DiskWatchdog } from './disk-watchdog.js';
import { boundedSink } from './output.js';
import type {
  ExecOptions,
  ExecResult,
  LimitHit,
  Sandbox,
  SandboxDriver,
  SandboxLimits,
  SandboxSpec,
} from './driver.js';

export const RUN_LABEL = 'gauntlet.run';
const OWNER_LABEL = 'gauntlet.owner';
/** Longest a run may legitimately live (max timeout 1800 s plus grading); older is a leftover. */
const STALE_MS = 2 * 60 * 60 * 1000;

const owner = () => `${hostname()}:${process.pid}`;

// The Engine API over its socket rather than the docker CLI: a CLI process per create, exec
// and remove cost ~50 ms of host CPU each, which is what capped concurrency on small runners.
// dockerode's modem honours DOCKER_HOST (unix, tcp with DOCKER_TLS_VERIFY/DOCKER_CERT_PATH, ssh).
let engine: Docker | undefined;
export const dockerEngine = () => (engine ??= new Docker());

/** The hardening every sandbox gets (DESIGN.md §3); not negotiable per run. */
export function hardenedHostConfig(spec: SandboxSpec): Docker.HostConfig {
  const bytes = spec.limits.memoryMb * 1024 * 1024;
  return {
    Init: true,
    NetworkMode: 'none',
    CapDrop: ['ALL'],
    SecurityOpt: ['no-new-privileges'],
    PidsLimit: spec.limits.pidsLimit,
    Memory: bytes,
    MemorySwap: bytes,
    NanoCpus: Math.round(spec.limits.cpus * 1e9),
    Ulimits: [{ Name: 'nofile', Soft: 4096, Hard: 4096 }],
    Mounts: spec.mounts.map((m) => ({
      Type: 'bind',
      Source: m.host,
      Target: m.container,
      ReadOnly: m.readonly,
    })),
    AutoRemove: true,
  };
}

/** A sandbox's disk budget when its config sets none. */
export const DEFAULT_DISK_MB = 2048;

/** A project's sandbox limits (gauntlet.yaml `sandbox:`), defaults filled in. */
export function sandboxLimits(p: {
  sandbox?: { memory_mb?: number; cpus?: number; pids_limit?: number; disk_mb?: number };
}): SandboxLimits {
  return {
    memoryMb: p.sandbox?.memory_mb ?? 1024,
    cpus: p.sandbox?.cpus ?? 1,
    pidsLimit: p.sandbox?.pids_limit ?? 256,
    diskMb: p.sandbox?.disk_mb ?? DEFAULT_DISK_MB,
  };
}

/**
 * Whether this engine's storage driver takes a size quota (`--storage-opt size`: overlay2 on
 * xfs with pquota, btrfs, zfs); learned from the first create that asks, once per process.
 */
let quotaSupported: boolean | undefined;

class DockerSandbox implements Sandbox {
  private watchdog?: DiskWatchdog;

  constructor(
    readonly id: string,
    private readonly container: Docker.Container,
  ) {}

  watch(limitMb: number, by: LimitHit['by'], everyMs: number) {
    this.watchdog = new DiskWatchdog(this.container, limitMb, by, everyMs).start();
  }

  limitHit(): LimitHit | undefined {
    return this.watchdog?.hit;
  }

  async exec(cmd: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const started = Date.now();
    const hasStdin = opts.stdin !== undefined;
    const exec = await this.container.exec({
      Cmd: cmd,
      // Values travel in the API request body, never in any process's argv.
      Env: Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`),
      User: opts.user ?? '1000:1000',
      WorkingDir: opts.cwd,
      AttachStdin: hasStdin,
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = await exec.start({ hijack: true, stdin: hasStdin });
    const out = boundedSink();
    const err = boundedSink();
    dockerEngine().modem.demuxStream(stream, out.sink, err.sink);
    if (hasStdin) {
      // Ending our side half-closes the connection, which the engine turns into EOF on stdin.
      const src =
        typeof opts.stdin === 'string' || Buffer.isBuffer(opts.stdin)
          ? Readable.from([Buffer.from(opts.stdin)])
          : (opts.stdin as Readable);
      src.on('error', () => stream.end());
      src.pipe(stream);
    }
    let timedOut = false;
    let killed: Promise<unknown> | undefined;
    const kill = () => (killed ??= this.container.kill().catch(() => undefined));
    const user = opts.user ?? '1000:1000';
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          // Every process of the exec's user (setsid cannot escape a uid); the sandbox stays.
          if (/^0(:|$)/.test(user)) kill();
          else killed ??= this.killUser(user);
        }, opts.timeoutMs)
      : undefined;
    const onAbort = () => kill();
    if (opts.signal?.aborted) kill();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    await finished(stream).catch(() => undefined);
    if (timer) clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    await killed;
    const info = await exec.inspect().catch(() => undefined);
    return {
      exitCode: info?.ExitCode ?? -1,
      stdout: out.text(),
      stderr: err.text(),
      timedOut,
      durationMs: Date.now() - started,
    };
  }

  /** `kill -9 -1` as that user: all of its processes but the killer's own. */
  private async killUser(user: string) {
    const exec = await this.container
      .exec({
        Cmd: ['sh', '-c', 'kill -9 -1'],
        User: user,
        AttachStdout: false,
        AttachStderr: false,
      })
      .catch(() => undefined);
    await exec?.start({ Detach: true }).catch(() => undefined);
  }

  async putFiles(dir: string, tar: Readable): Promise<void> {
    await this.container.putArchive(tar, { path: dir });
  }

  async getFiles(path: string): Promise<Readable> {
    return (await this.container.getArchive({ path })) as unknown as Readable;
  }

  async oomKilled(): Promise<boolean> {
    const info = await this.container.inspect().catch(() => undefined);
    return info?.State.OOMKilled === true;
  }

  async destroy() {
    this.watchdog?.stop();
    // AutoRemove races this after a kill: 404 means gone, 409 means going, and destroy()
    // returns only once it is gone (a large writable layer takes a while to delete).
    await this.container
      .remove({ force: true, v: true })
      .catch(async (e: { statusCode?: number }) => {
        if (e.statusCode === 409)
          await this.container.wait({ condition: 'removed' }).catch(() => undefined);
      });
  }
}

export interface DockerDriverOptions {
  /** How often the disk watchdog looks at a sandbox's writable layer. */
  diskPollMs?: number;
}

export class DockerDriver implements SandboxDriver {
  constructor(private readonly o: DockerDriverOptions = {}) {}

  async create(spec: SandboxSpec): Promise<Sandbox> {
    const d = dockerEngine();
    const diskMb = spec.limits.diskMb ?? DEFAULT_DISK_MB;
    const make = (quota: boolean) =>
      d.createContainer({
        name: `gauntlet-${spec.runId}`,
        Image: spec.image,
        Cmd: ['sleep', 'infinity'],
        // The keep-alive runs as nobody, so the agent's user can kill all of its own processes
        // (`kill -9 -1` before grading) without stopping the sandbox.
        User: '65534:65534',
        Labels: {
          [RUN_LABEL]: spec.runId,
          [OWNER_LABEL]: owner(),
          'gauntlet.created': String(Date.now()),
        },
        HostConfig: {
          ...hardenedHostConfig(spec),
          ...(quota ? { StorageOpt: { size: `${diskMb}M` } } : {}),
        },
      });
    let container: Docker.Container;
    try {
      if (quotaSupported !== false) {
        try {
          container = await make(true);
          quotaSupported = true;
        } catch (e) {
          if (!/storage-?opt|quota|not supported/i.test((e as Error).message)) throw e;
          quotaSupported = false;
          container = await make(false);
        }
      } else container = await make(false);
      await container.start();
    } catch (e) {
      throw new Error(`docker could not start the sandbox: ${(e as Error).message}`);
    }
    const sb = new DockerSandbox(container.id, container);
    // The quota makes writes fail at the budget; the watchdog is what names it in the record.
    sb.watch(diskMb, quotaSupported ? 'storage_opt' : 'watchdog', this.o.diskPollMs ?? 1000);
    return sb;
  }

  /** How this engine enforces disk budgets, asked of it with a throwaway container. */
  static async diskEnforcement(image: string): Promise<LimitHit['by']> {
    if (quotaSupported === undefined) {
      const sb = await new DockerDriver({ diskPollMs: 60_000 }).create({
        image,
        runId: `probe-${process.pid}-${Date.now()}`,
        mounts: [],
        limits: { memoryMb: 64, cpus: 0.1, pidsLimit: 16, diskMb: 64 },
      });
      await sb.destroy();
    }
    return quotaSupported ? 'storage_opt' : 'watchdog';
  }

  async sweep(): Promise<number> {
    const d = dockerEngine();
    const list = await d
      .listContainers({ all: true, filters: { label: [RUN_LABEL] } })
      .catch(() => []);
    const host = hostname();
    const stale = list.filter((c) => {
      const own = c.Labels[OWNER_LABEL] ?? '';
      if (!own) return true;
      const [h, pid] = own.split(':');
      return h === host
        ? !processAlive(Number(pid))
        : Date.now() - Number(c.Labels['gauntlet.created'] ?? 0) > STALE_MS;
    });
    await Promise.all(
      stale.map((c) =>
        d
          .getContainer(c.Id)
          .remove({ force: true, v: true })
          .catch(() => undefined),
      ),
    );
    return stale.length;
  }
}

/** Throws a clear error when no engine answers. */
export async function checkDocker(): Promise<void> {
  try {
    await dockerEngine().version();
  } catch (e) {
    throw new Error(
      `no Docker engine answers (${(e as Error).message.split('\n')[0]}); start Docker, or run scripts/setup.sh to start one`,
    );
  }
}
