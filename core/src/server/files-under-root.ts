import { realpath, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { invalid } from './errors.js';

/**
 * A request's path to a file under the served root, checked: it must resolve (symlinks
 * followed) to a regular file inside the root's real path. `param` names the request field in
 * the 400 that refuses it. Returns the real path.
 */
export async function fileUnderRoot(root: string, path: string, param: string): Promise<string> {
  const base = await realpath(root);
  let real: string;
  try {
    real = await realpath(resolve(base, path));
  } catch {
    throw invalid(`${param}: no file "${path}" under the served root`, param, 'file_not_found');
  }
  if (!real.startsWith(base + sep))
    throw invalid(
      `${param}: "${path}" is outside the served root (paths are relative to ROOT and stay in it)`,
      param,
      'path_outside_root',
    );
  if (!(await stat(real)).isFile())
    throw invalid(`${param}: "${path}" is not a regular file`, param, 'not_a_file');
  return real;
}
