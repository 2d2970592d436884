import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { checkFetchUrl } from '../../util/ssrf.js';
import { ownedTempDir } from '../../util/temp.js';

export class GitFetchError extends Error {}

/**
 * Clones agent code strictly: https only, SSRF-checked host pinned to the checked address,
 * no redirects, no hooks, no other protocols, the token sent as a header through the
 * environment (never argv or the URL), the exact ref or a hard error, the remote dropped.
 */
/**
 * Clones https-only, SSRF-checked, hooks off, token as a header, remote and .git dropped.
 * Agent code is strict about refs; a workspace seed falls back to the default branch
 * (`refFallback`, as the seeds specify) and says so.
 */
export async function cloneAgentCode(opts: {
  url: string;
  ref?: string;
  token?: string;
  dest: string;
  allowHosts?: string[];
  refFallback?: boolean;
}): Promise<{ commit: string; fellBack: boolean }> {
  const { url, host, port, address } = await checkFetchUrl(opts.url, {
    allowHosts: opts.allowHosts,
  });
  const home = await ownedTempDir('git');
  const cfg: [string, string][] = [
    ['protocol.allow', 'never'],
    ['protocol.https.allow', 'always'],
    ['http.followRedirects', 'false'],
    ['http.curloptResolve', `${host}:${port}:${address.includes(':') ? `[${address}]` : address}`],
    ['core.hooksPath', '/dev/null'],
    ['core.fsmonitor', 'false'],
    ['credential.helper', ''],
    ['submodule.recurse', 'false'],
  ];
  if (opts.token)
    cfg.push([
      'http.extraHeader',
      `Authorization: Basic ${Buffer.from(`x-access-token:${opts.token}`).toString('base64')}`,
    ]);
  const env: Record<string, string> = {
    HOME: home,
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_ASKPASS: '/bin/false',
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    GIT_CONFIG_COUNT: String(cfg.length),
    ...(process.env.GIT_SSL_CAINFO ? { GIT_SSL_CAINFO: process.env.GIT_SSL_CAINFO } : {}),
  };
  cfg.forEach(([k, v], i) =>
    Object.assign(env, { [`GIT_CONFIG_KEY_${i}`]: k, [`GIT_CONFIG_VALUE_${i}`]: v }),
  );
  const mask = (s: string) =>
    opts.token
      ? s
          .split(opts.token)
          .join('***')
          .split(Buffer.from(`x-access-token:${opts.token}`).toString('base64'))
          .join('***')
      : s;
  const git = async (args: string[], cwd?: string) => {
    const r = await execa('git', args, {
      cwd,
      env,
      extendEnv: false,
      reject: false,
      timeout: 300_000,
    });
    if (r.exitCode !== 0)
      throw new GitFetchError(
        mask(`git ${args[0]} failed: ${String(r.stderr).trim().split('\n').slice(-3).join(' ')}`),
      );
    return String(r.stdout).trim();
  };
  try {
    await git(['clone', '--no-checkout', '--quiet', url.toString(), opts.dest]);
    let commit: string;
    let fellBack = false;
    if (opts.ref) {
      const candidates = [
        `${opts.ref}^{commit}`,
        `origin/${opts.ref}^{commit}`,
        `refs/tags/${opts.ref}^{commit}`,
      ];
      let found: string | undefined;
      for (const c of candidates) {
        found = await git(['rev-parse', '--verify', '--quiet', c], opts.dest).catch(
          () => undefined,
        );
        if (found) break;
      }
      if (!found && !opts.refFallback)
        throw new GitFetchError(
          `ref ${JSON.stringify(opts.ref)} does not exist in ${url.host}${url.pathname}; agent code checkout is strict`,
        );
      fellBack = !found;
      commit = found ?? (await git(['rev-parse', 'HEAD'], opts.dest));
    } else commit = await git(['rev-parse', 'HEAD'], opts.dest);
    await git(
      ['-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', commit],
      opts.dest,
    );
    await git(['remote', 'remove', 'origin'], opts.dest);
    // Agents get source, not a repository.
    await rm(join(opts.dest, '.git'), { recursive: true, force: true });
    return { commit, fellBack };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
