import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A static loopback server in the viewer's site layout: a results directory at / and the built
 * viewer at /viewer/. No test framework here: the bench (bench/viewer.ts) serves with it too.
 */

/** The repository root: the first folder up from this module with a package.json (src or build). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
/** The built viewer (scripts/build-viewer.mjs writes it). */
export const VIEWER_DIST = join(repoRoot(), 'viewer', 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};

export interface Served {
  /** http://127.0.0.1:<port>/ (with the trailing slash). */
  url: string;
  /** The viewer's page: `${url}viewer/index.html`. */
  viewerUrl: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * Serves `dir` at / and the viewer assets (default viewer/dist) at /viewer/, on 127.0.0.1 and a
 * free port: the site layout of the viewer contract. A path that resolves outside its root is a
 * 404 (no `..` escape); a directory serves its index.html.
 */
export async function serveDir(dir: string, opts: { viewerDir?: string } = {}): Promise<Served> {
  const roots = { site: resolve(dir), viewer: resolve(opts.viewerDir ?? VIEWER_DIST) };
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      const [root, rest] =
        path === '/viewer' || path.startsWith('/viewer/')
          ? [roots.viewer, path.slice('/viewer'.length)]
          : [roots.site, path];
      let file = resolve(root, '.' + rest);
      if (file !== root && !file.startsWith(root + sep)) throw new Error('outside the root');
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    viewerUrl: `${url}viewer/index.html`,
    server,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
