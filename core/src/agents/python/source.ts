import { chmod, cp, lstat, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import { dirname, join, normalize, relative, resolve, sep } from 'node:path';
import type { AgentConfig, Loaded } from '../../config/types.js';
import type { SecretResolver } from '../../config/secrets.js';
import { sha256 } from '../../util/hash.js';
import { UrlRefused } from '../../util/ssrf.js';
import { cloneAgentCode, GitFetchError } from './git.js';
import { ArchiveRejected, extractZip } from './zip.js';
import { ownedTempDir } from '../../util/temp.js';

export const INLINE_MAX_BYTES = 200 * 1024;
export const FILES_MAX_BYTES = 1024 * 1024;

export class AgentCodeError extends Error {
  readonly code = 'agent_code_fetch_failed';
}

export interface AgentCode {
  /** Everything materialised for this agent; removed by disposeCode. */
  root: string;
  dir: string;
  /** Directory holding code.tar, packed once and mounted read-only into every run's sandbox. */
  packDir: string;
  entrypoint: string;
  entrypointFile: string;
  /** Content hash of the code, the default agent version. */
  hash: string;
  provenance: Record<string, string>;
}

async function walk(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p, base)));
    else if (e.isFile()) out.push(relative(base, p));
  }
  return out.sort();
}

export async function hashDir(dir: string): Promise<string> {
  const parts: string[] = [];
  for (const f of await walk(dir)) parts.push(f, sha256(await readFile(join(dir, f))));
  return sha256(parts.join('\0'));
}

function safeRelative(name: string): string {
  const n = normalize(name);
  if (n.startsWith('/') || n === '..' || n.startsWith(`..${sep}`) || n.split(sep).includes('.git'))
    throw new AgentCodeError(
      `file name ${JSON.stringify(name)} must be a relative path inside the agent, outside .git/`,
    );
  return n;
}

/**
 * Fetches and validates an agent's Python code into a host directory before any sandbox
 * boots, so a bad archive or ref costs nothing.
 */
export async function materialiseCode(
  agent: Loaded<AgentConfig>,
  secrets: SecretResolver,
  opts: { allowHosts?: string[] } = {},
): Promise<AgentCode> {
  const py = agent.value.python!;
  const src = py.source;
  const root = await ownedTempDir('code');
  let dir = join(root, 'src');
  await mkdir(dir);
  const entrypointFile = py.entrypoint_file ?? 'main.py';
  const provenance: Record<string, string> = {};
  try {
    if (src.inline !== undefined) {
      if (Buffer.byteLength(src.inline) > INLINE_MAX_BYTES)
        throw new AgentCodeError(
          `inline code is ${Buffer.byteLength(src.inline)} bytes; the limit is 200 KB (use files, a path or a zip)`,
        );
      await writeFile(join(dir, entrypointFile), src.inline);
      provenance.source = 'inline';
    } else if (src.files) {
      const total = Object.values(src.files).reduce((n, c) => n + Buffer.byteLength(c), 0);
      if (total > FILES_MAX_BYTES)
        throw new AgentCodeError(
          `files total ${total} bytes; the limit is 1 MB across files (use a zip)`,
        );
      for (const [name, content] of Object.entries(src.files)) {
        const p = join(dir, safeRelative(name));
        await mkdir(dirname(p), { recursive: true });
        await writeFile(p, content);
      }
      provenance.source = 'files';
    } else if (src.path !== undefined) {
      const from = resolve(agent.dir, src.path);
      const st = await lstat(from).catch(() => undefined);
      if (!st?.isDirectory())
        throw new AgentCodeError(
          `source.path ${src.path} is not a directory (resolved to ${from})`,
        );
      // Symlinks are not followed: they could point anywhere on the host.
      await cp(from, dir, {
        recursive: true,
        filter: async (s) =>
          !(await lstat(s)).isSymbolicLink() &&
          !s.split(sep).includes('.git') &&
          !s.split(sep).includes('__pycache__'),
      });
      provenance.source = `path:${src.path}`;
    } else if (src.zip !== undefined) {
      const from = resolve(agent.dir, src.zip);
      try {
        await extractZip(from, dir);
      } catch (e) {
        if (e instanceof ArchiveRejected)
          throw new AgentCodeError(`archive ${src.zip} refused: ${e.message}`);
        if ((e as NodeJS.ErrnoException).code === 'ENOENT')
          throw new AgentCodeError(`archive ${src.zip} not found (resolved to ${from})`);
        throw e;
      }
      provenance.source = `zip:${src.zip}`;
    } else if (src.git) {
      const token = secrets.optional(
        src.git.token,
        `agent ${agent.value.name} python.source.git.token`,
      );
      try {
        const { commit } = await cloneAgentCode({
          url: src.git.url,
          ref: src.git.ref,
          token,
          dest: join(dir, 'repo'),
          allowHosts: opts.allowHosts,
        });
        provenance.source = `git:${src.git.url}`;
        provenance.commit = commit;
      } catch (e) {
        if (e instanceof GitFetchError || e instanceof UrlRefused)
          throw new AgentCodeError(`git source refused or failed: ${e.message}`);
        throw e;
      }
      dir = join(dir, 'repo');
    }
    const packDir = join(root, 'pack');
    await packCode(dir, packDir);
    return {
      root,
      dir,
      packDir,
      entrypoint: py.entrypoint ?? 'run',
      entrypointFile,
      hash: await hashDir(dir),
      provenance,
    };
  } catch (e) {
    await rm(root, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Packs the code once as the host user, so every run untars a file instead of streaming a
 * tar process into the sandbox; the sandbox user can read the pack whatever the host modes.
 */
export async function packCode(dir: string, packDir: string) {
  await mkdir(packDir, { mode: 0o755 });
  await chmod(packDir, 0o755);
  const tarPath = join(packDir, 'code.tar');
  await execa('tar', ['-C', dir, '-cf', tarPath, '.']);
  await chmod(tarPath, 0o644);
}

export async function disposeCode(code: AgentCode | undefined) {
  if (code) await rm(code.root, { recursive: true, force: true });
}
