import { hostname } from 'node:os';
import { execa } from 'execa';
import type { ExecOptions, ExecResult, Sandbox, SandboxDriver, SandboxSpec } from './driver.js';

export const RUN_LABEL = 'gauntlet.run';
const OWNER_LABEL = 'gauntlet.owner';
/** Longest a run may legitimately live (max timeout 1800 s plus grading); older is a leftover. */
const STALE_MS = 2 * 60 * 60 * 1000;

const owner = () => `${hostname()}:${process.pid}`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function docker(args: string[], opts: { input?: string; env?: Record<string, string>; reject?: boolean } = {}) {
  return execa('docker', args, { input: opts.input, env: opts.env, reject: opts.reject ?? true, stripFinalNewline: true });
}

/** The hardening flags every sandbox gets (DESIGN.md §3). Exported so tests can pin them. */
export function hardeningArgs(spec: SandboxSpec): string[] {
  return [
    '--init',
    '--network', 'none',
    '--cap-drop', 'ALL',
    '--security-opt', 'no-new-privileges',
    '--pids-limit', String(spec.limits.pidsLimit),
    '--memory', `${spec.limits.memoryMb}m`,
    '--memory-swap', `${spec.limits.memoryMb}m`,
    '--cpus', String(spec.limits.cpus),
    '--user', '1000:1000',
    '--ulimit', 'nofile=4096:4096',
  ];
}

class DockerSandbox implements Sandbox {
  constructor(readonly id: string) {}

  async exec(cmd: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const started = Date.now();
    const args = ['exec'];
    if (opts.stdin !== undefined) args.push('-i');
    if (opts.user) args.push('-u', opts.user);
    if (opts.cwd) args.push('-w', opts.cwd);
    for (const k of Object.keys(opts.env ?? {})) args.push('-e', k);
    args.push(this.id, ...cmd);
    const child = execa('docker', args, {
      env: { ...process.env, ...opts.env },
      input: typeof opts.stdin === 'string' || Buffer.isBuffer(opts.stdin) ? opts.stdin : undefined,
      stdin: opts.stdin && typeof opts.stdin === 'object' && !Buffer.isBuffer(opts.stdin) ? opts.stdin : undefined,
      reject: false,
      stripFinalNewline: false,
      maxBuffer: 64 * 1024 * 1024,
    });
    let timedOut = false;
    let killed: Promise<unknown> | undefined;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          // Killing the container ends every process the agent started, not just the exec.
          killed = docker(['kill', this.id], { reject: false });
        }, opts.timeoutMs)
      : undefined;
    const r = await child;
    if (timer) clearTimeout(timer);
    await killed;
    return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), timedOut, durationMs: Date.now() - started };
  }

  async oomKilled(): Promise<boolean> {
    const r = await docker(['inspect', '-f', '{{.State.OOMKilled}}', this.id], { reject: false });
    return r.stdout.trim() === 'true';
  }

  async destroy() {
    await docker(['rm', '-f', '-v', this.id], { reject: false });
  }
}

export class DockerDriver implements SandboxDriver {
  async create(spec: SandboxSpec): Promise<Sandbox> {
    const args = ['run', '-d', '--rm', ...hardeningArgs(spec), '--label', `${RUN_LABEL}=${spec.runId}`, '--label', `${OWNER_LABEL}=${owner()}`, '--label', `gauntlet.created=${Date.now()}`];
    for (const m of spec.mounts) args.push('--mount', `type=bind,source=${m.host},target=${m.container}${m.readonly ? ',readonly' : ''}`);
    args.push('--name', `gauntlet-${spec.runId}`, spec.image, 'sleep', 'infinity');
    const r = await docker(args, { reject: false });
    if (r.exitCode !== 0) throw new Error(`docker run failed: ${String(r.stderr).trim()}`);
    return new DockerSandbox(String(r.stdout).trim());
  }

  async sweep(): Promise<number> {
    const r = await docker(['ps', '-a', '--filter', `label=${RUN_LABEL}`, '--format', `{{.ID}}\t{{.Label "${OWNER_LABEL}"}}\t{{.Label "gauntlet.created"}}`], { reject: false });
    if (r.exitCode !== 0) return 0;
    const host = hostname();
    const stale: string[] = [];
    for (const line of String(r.stdout).split('\n').filter(Boolean)) {
      const [id, own = '', created = '0'] = line.split('\t');
      const [h, pid] = own.split(':');
      const ownerGone = h === host ? !alive(Number(pid)) : Date.now() - Number(created) > STALE_MS;
      if (ownerGone || !own) stale.push(id);
    }
    if (stale.length) await docker(['rm', '-f', '-v', ...stale], { reject: false });
    return stale.length;
  }
}

/** Throws a clear error when no engine answers. */
export async function checkDocker(): Promise<void> {
  const r = await docker(['version', '--format', '{{.Server.Version}}'], { reject: false });
  if (r.exitCode !== 0) throw new Error(`no Docker engine answers (${String(r.stderr).trim().split('\n')[0]}); start Docker, or run scripts/setup.sh to start one`);
}
