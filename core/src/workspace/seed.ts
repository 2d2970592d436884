import { cp, lstat, mkdir, rm } from 'node:fs/promises';
import { join, normalize, resolve, sep } from 'node:path';
import type { SecretResolver } from '../config/secrets.js';
import type { WorkspaceSeed } from '../config/types.js';
import { cloneAgentCode, GitFetchError } from '../agents/python/git.js';
import { packCode } from '../agents/python/source.js';
import { ArchiveRejected, extractZip } from '../agents/python/zip.js';
import { UrlRefused } from '../util/ssrf.js';
import { ownedTempDir } from '../util/temp.js';

/** The repository a coding run starts from, materialised and packed on the host before any sandbox. */
export interface SeededWorkspace {
  root: string;
  /** Directory holding code.tar, mounted read-only into each run's sandbox. */
  packDir: string;
  provenance: Record<string, string>;
  /** Shown on the run's report: e.g. a ref that fell back to the default branch. */
  warnings: string[];
}

export class WorkspaceSeedError extends Error {
  readonly code = 'workspace_seed_failed';
}

/** Seeds are resolved relative to the scenario file's folder. */
export async function seedWorkspace(
  seed: WorkspaceSeed,
  baseDir: string,
  secrets: SecretResolver,
  opts: { allowHosts?: string[] } = {},
): Promise<SeededWorkspace> {
  const root = await ownedTempDir('ws');
  let dir = join(root, 'src');
  await mkdir(dir);
  const provenance: Record<string, string> = {};
  const warnings: string[] = [];
  try {
    if (seed.path !== undefined) {
      const from = resolve(baseDir, seed.path);
      if (!(await lstat(from).catch(() => undefined))?.isDirectory())
        throw new WorkspaceSeedError(
          `workspace.path ${seed.path} is not a directory (resolved to ${from})`,
        );
      // Symlinks are copied as links (they resolve inside the sandbox, not on the host); .git is not copied.
      await cp(from, dir, {
        recursive: true,
        verbatimSymlinks: true,
        filter: (s) => !s.split(sep).includes('.git'),
      });
      provenance.workspace = `path:${seed.path}`;
    } else if (seed.zip !== undefined) {
      try {
        await extractZip(resolve(baseDir, seed.zip), dir);
      } catch (e) {
        if (e instanceof ArchiveRejected)
          throw new WorkspaceSeedError(`workspace.zip ${seed.zip} refused: ${e.message}`);
        if ((e as NodeJS.ErrnoException).code === 'ENOENT')
          throw new WorkspaceSeedError(`workspace.zip ${seed.zip} not found`);
        throw e;
      }
      provenance.workspace = `zip:${seed.zip}`;
    } else if (seed.git) {
      const token = seed.git.token
        ? secrets.resolve(seed.git.token, 'workspace.git.token')
        : undefined;
      try {
        const r = await cloneAgentCode({
          url: seed.git.url,
          ref: seed.git.ref,
          token,
          dest: join(dir, 'repo'),
          allowHosts: opts.allowHosts,
          refFallback: true,
        });
        provenance.workspace = `git:${seed.git.url}`;
        provenance.workspace_commit = r.commit;
        if (r.fellBack)
          warnings.push(
            `workspace ref ${JSON.stringify(seed.git.ref)} was not found in ${seed.git.url}; the run used the default branch (${r.commit.slice(0, 12)})`,
          );
      } catch (e) {
        if (e instanceof GitFetchError || e instanceof UrlRefused)
          throw new WorkspaceSeedError(`workspace git seed failed: ${e.message}`);
        throw e;
      }
      dir = join(dir, 'repo');
      if (seed.git.subdirectory) {
        const sub = normalize(seed.git.subdirectory);
        if (sub.startsWith('..') || sub.startsWith(sep))
          throw new WorkspaceSeedError(
            `workspace.git.subdirectory ${seed.git.subdirectory} must stay inside the repository`,
          );
        dir = join(dir, sub);
        if (!(await lstat(dir).catch(() => undefined))?.isDirectory())
          throw new WorkspaceSeedError(
            `workspace.git.subdirectory ${seed.git.subdirectory} does not exist in the repository`,
          );
      }
    } else provenance.workspace = 'empty';
    const packDir = join(root, 'pack');
    await packCode(dir, packDir);
    return { root, packDir, provenance, warnings };
  } catch (e) {
    await rm(root, { recursive: true, force: true });
    throw e;
  }
}
