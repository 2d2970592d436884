import type { Readable } from 'node:stream';

/** What a run asks of its sandbox; the hardening itself is the driver's job and not optional. */
export interface SandboxSpec {
  image: string;
  runId: string;
  mounts: { host: string; container: string; readonly: boolean }[];
  limits: SandboxLimits;
}

export interface SandboxLimits {
  memoryMb: number;
  cpus: number;
  pidsLimit: number;
  /** What the sandbox may write (its writable layer), in MiB. */
  diskMb?: number;
}

/** A limit the driver enforced by stopping the sandbox; the run's error says which. */
export interface LimitHit {
  kind: 'disk';
  usedMb: number;
  limitMb: number;
  /** How the engine enforced it: a storage quota, or the driver's own watchdog. */
  by: 'storage_opt' | 'watchdog';
}

export interface ExecOptions {
  /** Values are handed to the engine through the client's environment, never argv. */
  env?: Record<string, string>;
  stdin?: string | Buffer | Readable;
  user?: string;
  cwd?: string;
  /**
   * On expiry every process of the exec's user in the sandbox is killed (what the exec started,
   * daemons that left its process group included); the sandbox itself lives on, so what the
   * exec left (a transcript, a diff) can still be read. A root exec's expiry kills the sandbox.
   */
  timeoutMs?: number;
  /** Aborting (Ctrl-C, a cancelled run) kills the whole sandbox. */
  signal?: AbortSignal;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

/** One container that outlives any exec; operations receive it, its lifetime is destroy()'s. */
export interface Sandbox {
  readonly id: string;
  exec(cmd: string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Unpacks a tar stream into `dir` (which must exist), as the Engine API's archive upload. */
  putFiles(dir: string, tar: Readable): Promise<void>;
  /** A tar stream of `path` (a file or a directory, named by its last component). */
  getFiles(path: string): Promise<Readable>;
  /** Whether the kernel's OOM killer fired in this sandbox (best effort). */
  oomKilled(): Promise<boolean>;
  /** Set once the driver stopped the sandbox for crossing a limit. */
  limitHit(): LimitHit | undefined;
  destroy(): Promise<void>;
}

export interface SandboxDriver {
  create(spec: SandboxSpec): Promise<Sandbox>;
  /** Removes leftovers of earlier runs whose owner is gone; returns how many. */
  sweep(): Promise<number>;
}
