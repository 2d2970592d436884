import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { execa } from 'execa';

/** Git on the host's own repository, with no user or system config (hooks, filters) in play. */
const git = (
  repo: string,
  args: string[],
  o: { input?: string; env?: Record<string, string> } = {},
) =>
  execa('git', ['-C', repo, '-c', 'core.hooksPath=/dev/null', ...args], {
    input: o.input,
    env: { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', ...o.env },
    reject: false,
  });

/** The repository a local workspace path lives in, with the path's place inside it. */
export async function repositoryOf(scenarioDir: string, path: string): Promise<string | undefined> {
  const dir = resolve(scenarioDir, path);
  const r = await git(dir, ['rev-parse', '--show-toplevel']);
  return r.exitCode === 0 ? `${r.stdout.trim()}\0${relative(r.stdout.trim(), dir)}` : undefined;
}

/**
 * Commits a sandbox's diff (paths relative to the workspace) on `branch`, on top of the
 * repository's HEAD, through a temporary index: the host's work tree and index are never
 * touched, and git apply refuses paths that leave the repository. The diff is the agent's
 * work, so a truncated one is refused rather than committed in part.
 */
export async function commitToBranch(
  repoAndDir: string,
  branch: string,
  diff: string,
  message: string,
): Promise<string> {
  const [repo, sub] = repoAndDir.split('\0');
  if ((await git(repo, ['check-ref-format', '--branch', branch])).exitCode !== 0)
    throw new Error(`"${branch}" is not a valid branch name`);
  if (/\n\[diff truncated: /.test(diff))
    throw new Error('the diff was truncated (over 1 MiB); it cannot be committed in part');
  const tmp = await mkdtemp(join(tmpdir(), 'gauntlet-branch-'));
  const env = { GIT_INDEX_FILE: join(tmp, 'index') };
  try {
    const head = (await git(repo, ['rev-parse', 'HEAD'])).stdout.trim();
    const step = async (args: string[], input?: string) => {
      const r = await git(repo, args, { input, env });
      if (r.exitCode !== 0) throw new Error(`git ${args[0]}: ${r.stderr.trim().slice(0, 500)}`);
      return r.stdout.trim();
    };
    await step(['read-tree', head]);
    if (diff.trim())
      await step(
        ['apply', '--cached', '--binary', ...(sub ? [`--directory=${sub}`] : []), '-'],
        diff.endsWith('\n') ? diff : `${diff}\n`,
      );
    const tree = await step(['write-tree']);
    const commit = await step([
      '-c',
      'user.name=gauntlet',
      '-c',
      'user.email=gauntlet@localhost',
      'commit-tree',
      tree,
      '-p',
      head,
      '-m',
      message,
    ]);
    await step(['update-ref', `refs/heads/${branch}`, commit]);
    return commit;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
