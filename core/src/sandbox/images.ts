import {
  copyFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { AgentConfig } from '../config/types.js';
import { sha256 } from '../util/hash.js';
import { packageRoot } from '../util/paths.js';
import { docker } from './docker-cli.js';
import { ownedTempDirSync } from '../util/temp.js';

export const DEFAULT_BASE_IMAGE = 'gauntlet-base:latest';
/** Every environment image carries the content key it was built for; a restored one must too. */
export const KEY_LABEL = 'gauntlet.key';
/** The base image carries its recipe version (BASE_VERSION in images/base/build.sh). */
export const BASE_LABEL = 'gauntlet.base';

/**
 * Tags of the gauntlet-base repository are gauntlet's to build (build.sh takes the tag); any
 * other base image is the user's to pull or build.
 */
export const isOwnBase = (tag: string) => /^gauntlet-base:[\w][\w.-]{0,127}$/.test(tag);

const baseRecipe = () => join(packageRoot(), 'images/base/build.sh');

/** The base recipe version this checkout builds (BASE_VERSION in images/base/build.sh). */
export function wantedBaseVersion(): string {
  return /^BASE_VERSION=(\S+)$/m.exec(readFileSync(baseRecipe(), 'utf8'))?.[1] ?? 'unknown';
}

/**
 * The base image's content key: its recipe, what it starts from and the machine architecture.
 * Equal keys build equivalent bases, so a base saved under one can stand in for a build.
 */
export function baseImageKey(): string {
  const from = process.env.GAUNTLET_BASE_FROM ?? '';
  const parts = [readFileSync(baseRecipe(), 'utf8'), from, process.arch];
  return `base-v${wantedBaseVersion()}-${sha256(parts.join('\0')).slice(0, 16)}`;
}

export type ImageState = 'not_built' | 'building' | 'ready' | 'failed';

export interface ImageStatus {
  key: string;
  tag: string;
  state: ImageState;
  log?: string;
  error?: string;
  updated_at?: string;
  dockerfile?: string;
}

export class ImageError extends Error {
  constructor(
    readonly code: 'image_build_failed' | 'image_not_ready',
    message: string,
    readonly logTail?: string,
  ) {
    super(message);
  }
}

function cacheDir(): string {
  const dir = join(
    process.env.GAUNTLET_CACHE_DIR ??
      join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'gauntlet'),
    'images',
  );
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function imageId(tag: string): Promise<string | undefined> {
  const r = await docker(['image', 'inspect', '-f', '{{.Id}}', tag], { reject: false });
  return r.exitCode === 0 ? String(r.stdout).trim() : undefined;
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** pip settings passed from the host environment into builds that install requirements. */
export const PIP_BUILD_ARGS = ['PIP_INDEX_URL', 'PIP_EXTRA_INDEX_URL', 'PIP_TRUSTED_HOST'];

/**
 * A runner behind a TLS-intercepting proxy names its CA bundle here; environment builds then
 * trust it (appended to the system bundle, and NODE_EXTRA_CA_CERTS for npm). Opt-in, because it
 * changes the image: the bundle's hash is part of the image key.
 */
export const BUILD_CA_ENV = 'GAUNTLET_BUILD_CA_CERTS';
const CA_FILE = 'gauntlet-build-ca.pem';

/** The layers an agent adds on top of the base image, as a Dockerfile; undefined when none. */
export function environmentDockerfile(
  agent: AgentConfig,
  baseId: string,
  opts: { caSha?: string } = {},
): string | undefined {
  const env = agent.environment ?? {};
  const lines: string[] = [];
  if (env.system_packages?.length)
    lines.push(
      `RUN sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${env.system_packages.join(' ')} && sudo rm -rf /var/lib/apt/lists/*`,
    );
  if (env.python_requirements?.length) {
    // Into the user site (~/.local), which the harness keeps on sys.path. Index settings are
    // declared, not set: a mirror or private index comes from the builder's environment.
    lines.push(...PIP_BUILD_ARGS.map((a) => `ARG ${a}`));
    lines.push(
      `RUN python3 -m pip install --user --no-cache-dir --disable-pip-version-check ${env.python_requirements.map((r) => `'${r}'`).join(' ')}`,
    );
  }
  if (env.dockerfile?.trim()) lines.push(env.dockerfile.trim());
  if (!lines.length) return undefined;
  const ca = opts.caSha
    ? [
        `# ${BUILD_CA_ENV} sha256:${opts.caSha}`,
        `COPY ${CA_FILE} /etc/gauntlet/${CA_FILE}`,
        `RUN sudo sh -c 'cat /etc/gauntlet/${CA_FILE} >> /etc/ssl/certs/ca-certificates.crt'`,
        'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt',
      ]
    : [];
  // The body runs as the normal user; the user and working directory are restored after it.
  return [
    `FROM ${baseId}`,
    'USER user',
    'WORKDIR /home/user',
    ...ca,
    ...lines,
    'USER user',
    'WORKDIR /home/user',
    '',
  ].join('\n');
}

function lockAlive(lock: string): boolean {
  try {
    const pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Images are keyed by content: the base image id plus the environment Dockerfile. An
 * identical build is reused; a build in progress elsewhere or a failed one is a hard error at
 * dispatch, never a silent fallback to the base image.
 */
export class ImageManager {
  private readonly inflight = new Map<string, Promise<ImageStatus>>();

  constructor(
    readonly baseTag = DEFAULT_BASE_IMAGE,
    private readonly onLog?: (line: string) => void,
  ) {}

  /** Builds the base image when it is missing and it is ours to build. */
  async ensureBase(): Promise<string> {
    const id = await imageId(this.baseTag);
    if (id) return id;
    if (!isOwnBase(this.baseTag)) {
      const what = `image ${this.baseTag} (gauntlet.yaml image:) is not on this Docker engine`;
      throw new ImageError('image_not_ready', `${what}; pull or build it first`);
    }
    const log = join(cacheDir(), 'base.log');
    this.onLog?.(
      `building the base image ${this.baseTag} (first run only; about a minute), log: ${log}`,
    );
    const out = createWriteStream(log);
    const p = execa('bash', [join(packageRoot(), 'images/base/build.sh'), this.baseTag], {
      reject: false,
      all: true,
    });
    p.all?.pipe(out);
    const r = await p;
    out.end();
    if (r.exitCode !== 0)
      throw new ImageError(
        'image_build_failed',
        `building the base image failed (exit ${r.exitCode}); log: ${log}`,
        tail(log),
      );
    return (await imageId(this.baseTag))!;
  }

  /** The CA bundle builds must trust, when the runner names one. */
  private buildCa(): { file: string; sha: string } | undefined {
    const file = process.env[BUILD_CA_ENV];
    if (!file) return undefined;
    try {
      return { file, sha: sha256(readFileSync(file, 'utf8')) };
    } catch (e) {
      throw new ImageError(
        'image_build_failed',
        `${BUILD_CA_ENV}=${file} cannot be read (${(e as Error).message}); point it at a PEM bundle or unset it`,
      );
    }
  }

  async status(agent: AgentConfig): Promise<ImageStatus> {
    const baseId = (await imageId(this.baseTag)) ?? 'missing-base';
    const dockerfile = environmentDockerfile(agent, baseId, { caSha: this.buildCa()?.sha });
    if (!dockerfile)
      return {
        key: 'base',
        tag: this.baseTag,
        state: baseId === 'missing-base' ? 'not_built' : 'ready',
      };
    const key = sha256(dockerfile).slice(0, 16);
    const tag = `gauntlet-env:${key}`;
    const stateFile = join(cacheDir(), `${key}.json`);
    if (await imageId(tag)) return { key, tag, state: 'ready', dockerfile };
    if (existsSync(join(cacheDir(), `${key}.lock`)) && lockAlive(join(cacheDir(), `${key}.lock`)))
      return { key, tag, state: 'building', dockerfile, log: join(cacheDir(), `${key}.log`) };
    if (existsSync(stateFile)) {
      const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as ImageStatus;
      if (saved.state === 'failed') return { ...saved, dockerfile };
    }
    return { key, tag, state: 'not_built', dockerfile };
  }

  /** Builds (or reuses) the agent's image; concurrent callers share one build. */
  async build(agent: AgentConfig, opts: { force?: boolean } = {}): Promise<ImageStatus> {
    await this.ensureBase();
    const st = await this.status(agent);
    if (st.state === 'ready' && !opts.force) return st;
    if (st.state === 'building')
      throw new ImageError(
        'image_not_ready',
        `image ${st.tag} is being built by another process; run again when it is ready (log: ${st.log})`,
      );
    const running = this.inflight.get(st.key);
    if (running) return running;
    const p = this.doBuild(st).finally(() => this.inflight.delete(st.key));
    this.inflight.set(st.key, p);
    return p;
  }

  private async doBuild(st: ImageStatus): Promise<ImageStatus> {
    const dir = cacheDir();
    const lock = join(dir, `${st.key}.lock`);
    try {
      mkdirSync(lock);
    } catch {
      if (lockAlive(lock))
        throw new ImageError(
          'image_not_ready',
          `image ${st.tag} is being built by another process`,
        );
      rmSync(lock, { recursive: true, force: true });
      mkdirSync(lock);
    }
    writeFileSync(join(lock, 'pid'), String(process.pid));
    const log = join(dir, `${st.key}.log`);
    const save = (s: ImageStatus) =>
      writeFileSync(
        join(dir, `${st.key}.json`),
        JSON.stringify({ ...s, updated_at: new Date().toISOString() }, null, 2),
      );
    save({ ...st, state: 'building', log });
    this.onLog?.(`building image ${st.tag}, log: ${log}`);
    try {
      const out = createWriteStream(log);
      // Builds may use the host network (package installs); sandboxes never do.
      // `--build-arg NAME` without a value reads the value from the client's environment.
      const args = PIP_BUILD_ARGS.filter((a) => process.env[a]).flatMap((a) => ['--build-arg', a]);
      // The only file a build may see is the CA bundle: a context of one file, else none.
      const ca = this.buildCa();
      const context = ca ? ownedTempDirSync('build') : undefined;
      if (ca && context) copyFileSync(ca.file, join(context, CA_FILE));
      args.push('--label', `${KEY_LABEL}=${st.key}`);
      const p = execa(
        'docker',
        [
          'build',
          '--network',
          'host',
          ...args,
          '-t',
          st.tag,
          ...(context ? ['-f', '-', context] : ['-']),
        ],
        { input: st.dockerfile, reject: false, all: true, env: { DOCKER_BUILDKIT: '0' } },
      );
      p.all?.on('data', (d: Buffer) => {
        out.write(d);
        for (const line of d.toString().split('\n'))
          if (line.startsWith('Step ')) this.onLog?.(`  ${line.trim()}`);
      });
      const r = await p;
      if (context) rmSync(context, { recursive: true, force: true });
      await new Promise((res) => out.end(res));
      if (r.exitCode !== 0) {
        const failed: ImageStatus = {
          ...st,
          state: 'failed',
          log,
          error: `docker build exited ${r.exitCode}`,
        };
        save(failed);
        throw new ImageError(
          'image_build_failed',
          `building ${st.tag} failed; log: ${log}`,
          tail(log),
        );
      }
      const ready: ImageStatus = { ...st, state: 'ready', log };
      save(ready);
      return ready;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }

  /** Every image gauntlet knows of, with its state. */
  async list(): Promise<ImageStatus[]> {
    const r = await docker(
      ['images', '--format', '{{.Repository}}:{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}'],
      { reject: false },
    );
    const present = new Set(
      String(r.stdout)
        .split('\n')
        .map((l) => l.split('\t')[0]),
    );
    const out: ImageStatus[] = [
      { key: 'base', tag: this.baseTag, state: present.has(this.baseTag) ? 'ready' : 'not_built' },
    ];
    for (const f of readdirSync(cacheDir()).filter((f) => f.endsWith('.json'))) {
      const s = JSON.parse(readFileSync(join(cacheDir(), f), 'utf8')) as ImageStatus;
      out.push({
        ...s,
        state: present.has(s.tag) ? 'ready' : s.state === 'ready' ? 'not_built' : s.state,
      });
    }
    return out;
  }
}
