import { statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { inspectImage } from '../sandbox/image-archive.js';
import { dockerEngine, DockerDriver } from '../sandbox/docker.js';
import { BASE_LABEL, isOwnBase, wantedBaseVersion } from '../sandbox/images.js';
import type { SandboxNeeds } from './doctor-config.js';
import type { Finding } from './doctor.js';

const DEFAULT_SOCKET = '/var/run/docker.sock';
/** An engine that has not answered by then is as good as absent (a blackholed DOCKER_HOST). */
const ENGINE_TIMEOUT_MS = 10_000;
const GB = 1024;

function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    const why = `${what} did not answer within ${ENGINE_TIMEOUT_MS / 1000} s`;
    timer = setTimeout(() => reject(new Error(why)), ENGINE_TIMEOUT_MS);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** The fix for an engine that does not answer, from where it was looked for and how it failed. */
function engineFix(e: NodeJS.ErrnoException, env: NodeJS.ProcessEnv): string {
  if (env.DOCKER_HOST) {
    return (
      'start the engine DOCKER_HOST points at, or correct it; ' +
      `unset DOCKER_HOST to use the local socket ${DEFAULT_SOCKET}`
    );
  }
  if (e.code === 'EACCES') {
    return `let this user use ${DEFAULT_SOCKET}: sudo usermod -aG docker $USER, then log in again`;
  }
  return (
    'start Docker (sudo systemctl start docker; as root on a fresh Debian/Ubuntu box, ' +
    'npm run setup installs and starts one), or point DOCKER_HOST at an engine'
  );
}

interface EngineInfo {
  Driver?: string;
  DockerRootDir?: string;
  DriverStatus?: [string, string][];
}

const backingFs = (info: EngineInfo) =>
  info.DriverStatus?.find(([k]) => k === 'Backing Filesystem')?.[1];

/**
 * The Docker engine (where, version, storage driver), the docker CLI image builds use, the
 * base image and its version, how disk budgets are enforced, and free disk.
 */
export async function engineFindings(
  needs: SandboxNeeds,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Finding[]> {
  const where = env.DOCKER_HOST ? `DOCKER_HOST=${env.DOCKER_HOST}` : `unix://${DEFAULT_SOCKET}`;
  let version: { Version?: string; ApiVersion?: string; Os?: string; Arch?: string };
  let info: EngineInfo;
  try {
    version = await within(dockerEngine().version(), `the Docker engine at ${where}`);
    info = (await within(dockerEngine().info(), `the Docker engine at ${where}`)) as EngineInfo;
  } catch (e) {
    const why = (e as Error).message.split('\n')[0];
    const fix = engineFix(e as NodeJS.ErrnoException, env);
    const detail = `no Docker engine answers at ${where} (${why})`;
    return [{ check: 'docker', level: 'blocker', detail, fix }];
  }
  const fs = backingFs(info);
  const driver = `${info.Driver ?? 'unknown'}${fs ? ` on ${fs}` : ''}`;
  const platform = `${version.Os}/${version.Arch}`;
  const engine = `Docker ${version.Version} (API ${version.ApiVersion}, ${platform})`;
  const remote = !!env.DOCKER_HOST && !env.DOCKER_HOST.startsWith('unix://');
  return [
    { check: 'docker', level: 'ok', detail: `${engine} at ${where}; storage driver ${driver}` },
    await cliFinding(),
    await baseFinding(needs),
    ...(await diskFindings(needs, info, remote)),
  ];
}

async function cliFinding(): Promise<Finding> {
  const r = await execa('docker', ['--version'], { reject: false });
  const detail = String(r.stdout).trim();
  if (r.exitCode === 0) return { check: 'docker cli', level: 'ok', detail };
  return {
    check: 'docker cli',
    level: 'warn',
    detail: 'the docker CLI is not on PATH: image builds (base and agent environments) use it',
    fix: 'install the Docker CLI (Debian/Ubuntu: apt-get install docker.io, or docker-ce-cli)',
  };
}

async function baseFinding(needs: SandboxNeeds): Promise<Finding> {
  const tag = needs.image;
  const facts = await inspectImage(tag);
  const wanted = wantedBaseVersion();
  const base = (level: Finding['level'], detail: string, fix?: string): Finding => ({
    check: 'base image',
    level,
    detail,
    fix,
  });
  if (!facts && !isOwnBase(tag)) {
    const fix = `docker pull ${tag}, or build it`;
    return base('blocker', `${tag} (gauntlet.yaml image:) is not on this engine`, fix);
  }
  if (!facts) {
    return base(
      'warn',
      `${tag} is not built yet; the first run builds it (about a minute)`,
      'gauntlet image build builds it and every agent image now ' +
        '(GAUNTLET_BASE_FROM=debian:trixie-slim builds it from the registry, not debootstrap)',
    );
  }
  if (!isOwnBase(tag)) return base('ok', `${tag} is present (your own image, not gauntlet's)`);
  const have = facts.labels[BASE_LABEL];
  if (have !== wanted) {
    const detail = `${tag} is version ${have ?? '(unlabelled)'}; this gauntlet builds ${wanted}`;
    return base(
      'warn',
      detail,
      `docker rmi ${tag} && gauntlet image build (npm run setup does the same)`,
    );
  }
  return base('ok', `${tag}, version ${have} (what this gauntlet builds)`);
}

async function budgetFinding(needs: SandboxNeeds, info: EngineInfo): Promise<Finding> {
  const budget = `sandbox.disk_mb (${needs.diskMb} MB a sandbox)`;
  const disk = (level: Finding['level'], detail: string, fix?: string): Finding => ({
    check: 'disk budget',
    level,
    detail,
    fix,
  });
  if (!(await inspectImage(needs.image))) {
    return disk(
      'note',
      `${budget}: how it is enforced is checked once the base image exists`,
      'run gauntlet doctor again after the first run',
    );
  }
  try {
    if ((await DockerDriver.diskEnforcement(needs.image)) === 'storage_opt') {
      return disk('ok', `${budget} is a hard quota (--storage-opt size): writes past it fail`);
    }
  } catch (e) {
    return disk(
      'warn',
      `a probe sandbox did not start (${(e as Error).message.split('\n')[0]})`,
      `docker run --rm --network none ${needs.image} true shows the engine's own error`,
    );
  }
  const on = `${info.Driver} on ${backingFs(info) ?? 'this filesystem'}`;
  return disk(
    'note',
    `${budget} is enforced by a watchdog: ${on} takes no per-container quota, so each sandbox's ` +
      'writable layer is measured every second and a run past the budget is stopped ' +
      '(sandbox_disk_limit); a burst can overshoot between two looks',
    `for a hard quota, put Docker's data root (${info.DockerRootDir}) on xfs mounted with pquota`,
  );
}

async function diskFindings(
  needs: SandboxNeeds,
  info: EngineInfo,
  remote: boolean,
): Promise<Finding[]> {
  const out = [await budgetFinding(needs, info)];
  // Images (the base is ~0.3 GB, a CLI layer ~0.2 GB) plus what sandboxes may write at once.
  const wantMb = needs.concurrency * needs.diskMb + 2 * GB;
  if (remote) {
    const want = `${(wantMb / GB).toFixed(1)} GB`;
    const detail = `the engine is remote: its free disk is not visible here (want ~${want})`;
    out.push({ check: 'free disk', level: 'note', detail });
  } else if (info.DockerRootDir) {
    const root = info.DockerRootDir;
    out.push(await freeDisk(`Docker's data root ${root}`, root, wantMb));
  }
  out.push(await freeDisk(`temp dir ${tmpdir()} (workspaces, records)`, tmpdir(), GB / 2));
  return out;
}

async function freeDisk(what: string, path: string, wantMb: number): Promise<Finding> {
  const free = (level: Finding['level'], detail: string, fix?: string): Finding => ({
    check: 'free disk',
    level,
    detail: `${what}: ${detail}`,
    fix,
  });
  let freeMb: number;
  try {
    const s = await statfs(path);
    freeMb = (s.bavail * s.bsize) / (1024 * 1024);
  } catch (e) {
    return free('note', `cannot be measured from here (${(e as NodeJS.ErrnoException).code})`);
  }
  const gb = `${(freeMb / GB).toFixed(1)} GB free`;
  const prune = 'docker system prune removes unused images and containers';
  if (freeMb < GB / 2) {
    return free('blocker', `${gb}; builds and sandboxes will fail`, `free some space (${prune})`);
  }
  if (freeMb < wantMb) {
    const want = `${(wantMb / GB).toFixed(1)} GB`;
    return free(
      'warn',
      `${gb}, under the ~${want} images and sandboxes may take at once`,
      `free some space (${prune}), or lower concurrency or sandbox.disk_mb`,
    );
  }
  return free('ok', gb);
}
