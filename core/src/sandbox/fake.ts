import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { boundedSink } from './output.js';
import type {
  ExecOptions,
  ExecResult,
  LimitHit,
  Sandbox,
  SandboxDriver,
  SandboxSpec,
} from './driver.js';

/**
 * A sandbox driver without Docker, for lifecycle tests on machines without an engine: each
 * sandbox is a host temp dir standing in for the container's filesystem (absolute sandbox paths
 * map under it), and execs are host processes in their own process group. It isolates nothing;
 * it exists to pass the same conformance tests as the Docker driver (conformance.ts).
 */
export class FakeDriver implements SandboxDriver {
  async create(spec: SandboxSpec): Promise<Sandbox> {
    const root = await mkdtemp(join(tmpdir(), `gauntlet-fake-${spec.runId}-`));
    for (const d of ['tmp', 'home/user']) await mkdir(join(root, d), { recursive: true });
    return new FakeSandbox(`fake-${spec.runId}`, root);
  }

  async sweep(): Promise<number> {
    return 0;
  }
}

class FakeSandbox implements Sandbox {
  private readonly running = new Set<ChildProcess>();
  private destroyed = false;

  constructor(
    readonly id: string,
    private readonly root: string,
  ) {}

  private path(p: string): string {
    return join(this.root, p);
  }

  async exec(cmd: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    if (this.destroyed) throw new Error(`sandbox ${this.id} is destroyed`);
    const started = Date.now();
    const child = spawn(cmd[0], cmd.slice(1), {
      cwd: this.path(opts.cwd ?? '/tmp'),
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: this.path('/home/user'),
        ...opts.env,
      },
      detached: true,
      stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    this.running.add(child);
    if (opts.stdin !== undefined) {
      const src =
        typeof opts.stdin === 'string' || Buffer.isBuffer(opts.stdin)
          ? Readable.from([Buffer.from(opts.stdin)])
          : opts.stdin;
      child.stdin!.on('error', () => undefined);
      src.on('error', () => child.stdin!.end());
      src.pipe(child.stdin!);
    }
    const out = collect(child.stdout!);
    const err = collect(child.stderr!);
    let timedOut = false;
    const killGroup = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const timer = opts.timeoutMs
      ? setTimeout(() => ((timedOut = true), killGroup()), opts.timeoutMs)
      : undefined;
    opts.signal?.addEventListener('abort', killGroup, { once: true });
    const exitCode = await new Promise<number>((resolve) => {
      child.once('error', () => resolve(127));
      child.once('close', (code, sig) => resolve(code ?? (sig ? 128 + 9 : -1)));
    });
    if (timer) clearTimeout(timer);
    opts.signal?.removeEventListener('abort', killGroup);
    // What the exec left in its group (a background child) dies with it, as in a sandbox, and
    // the exec returns only once the group is gone (its members reaped).
    if (timedOut) {
      killGroup();
      for (let i = 0; i < 200 && groupAlive(child.pid!); i++)
        await new Promise((r) => setTimeout(r, 10));
    }
    this.running.delete(child);
    return {
      exitCode,
      stdout: await out,
      stderr: await err,
      timedOut,
      durationMs: Date.now() - started,
    };
  }

  async putFiles(dir: string, tar: Readable): Promise<void> {
    const child = spawn('tar', ['-x', '-C', this.path(dir)], { stdio: ['pipe', 'ignore', 'pipe'] });
    const err = collect(child.stderr!);
    const code = new Promise<number>((r) => child.once('close', (c) => r(c ?? -1)));
    await pipeline(tar, child.stdin!);
    if ((await code) !== 0) throw new Error(`putFiles ${dir}: ${await err}`);
  }

  async getFiles(path: string): Promise<Readable> {
    // Whole, then streamed: a missing path is an error here, as the Engine API's 404 is.
    const tar = await new Promise<Buffer>((resolve, reject) => {
      execFile(
        'tar',
        ['-c', '-C', dirname(this.path(path)), basename(path)],
        { encoding: 'buffer', maxBuffer: 1 << 30 },
        (e, out, err) =>
          e
            ? reject(new Error(`getFiles ${path}: ${String(err).trim() || e.message}`))
            : resolve(out),
      );
    });
    return Readable.from([tar]);
  }

  async oomKilled(): Promise<boolean> {
    return false;
  }

  limitHit(): LimitHit | undefined {
    return undefined;
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
    for (const c of this.running) {
      try {
        process.kill(-c.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await rm(this.root, { recursive: true, force: true });
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function collect(stream: Readable): Promise<string> {
  const { sink, text } = boundedSink();
  stream.pipe(sink);
  return finished(sink).then(text, text);
}
