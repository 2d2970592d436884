import { execFileSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A bare repository on disk that serves partial clones, as GitHub does; returns its file:// URL. */
export async function bareRemote(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'results-remote-'));
  execFileSync('git', ['init', '-q', '--bare', dir]);
  execFileSync('git', ['--git-dir', dir, 'config', 'uploadpack.allowFilter', 'true']);
  return `file://${dir}`;
}

/** Runs git against a bare remote created by bareRemote. */
export const gitIn = (remote: string, ...args: string[]) =>
  execFileSync('git', ['--git-dir', remote.slice('file://'.length), ...args])
    .toString()
    .trim();
