import { realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';

/**
 * Maps a URL path under a served root to a regular file inside that root, or undefined. The
 * path is untrusted: each segment is percent-decoded once and must then be a plain name (no
 * empty, `.` or `..` segment, no slash, backslash or NUL inside one: `%2e%2e` and `%2f` decode
 * to those and are refused like their literal forms). The file's real path (symlinks resolved)
 * must lie inside the root's real path, so a symlink pointing outside is never followed; a
 * directory is not a file (no listings).
 */
export async function fileUnder(root: string, segments: string[]): Promise<string | undefined> {
  const names: string[] = [];
  for (const raw of segments) {
    let name: string;
    try {
      name = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (!name || name === '.' || name === '..' || /[/\\\0]/.test(name)) return undefined;
    names.push(name);
  }
  if (!names.length) return undefined;
  try {
    const base = await realpath(root);
    const real = await realpath(join(base, ...names));
    if (!real.startsWith(base + sep)) return undefined;
    return (await stat(real)).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Content types by extension. What the results hold beside records (artifacts, reports) is
 * someone else's bytes: anything not listed is served as a download, never as a page.
 */
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.xml': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
};

/** Pages and scripts only from the viewer; results files are data, text or images. */
const RESULT_TYPES = new Set(['.json', '.md', '.txt', '.log', '.xml', '.png', '.jpg', '.jpeg']);

export function contentType(file: string, from: 'viewer' | 'results'): string {
  const ext = extname(file).toLowerCase();
  if (from === 'results' && !RESULT_TYPES.has(ext)) return 'application/octet-stream';
  return TYPES[ext] ?? 'application/octet-stream';
}
