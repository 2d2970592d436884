import { createReadStream, existsSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkViewerDir, viewerDir as findViewer } from './assets.js';
import { contentType, fileUnder } from './safe-path.js';

/**
 * `gauntlet view`: the viewer over a local results directory, on loopback. The results
 * directory is served at / (index.json and runs/** only) and the built viewer at /viewer/, so
 * the site has the layout of the results branch and the viewer's relative fetches
 * (`../index.json`) work unchanged. Read-only: GET and HEAD; nothing else is answered.
 */

export interface ViewServerOptions {
  resultsDir: string;
  /** The built viewer; found by viewerDir() when absent. */
  viewerDir?: string;
  /** 0 (the default) takes a free port. */
  port?: number;
}

export interface ViewServer {
  /** The viewer's page: http://127.0.0.1:PORT/viewer/ */
  url: string;
  origin: string;
  port: number;
  close(): Promise<void>;
}

export class ResultsDirMissing extends Error {
  constructor(readonly dir: string) {
    super(
      `no results directory at ${dir}: run \`gauntlet run\` first, or pass the directory (gauntlet view RESULTS_DIR)`,
    );
  }
}

/**
 * The viewer page's policy: its own scripts and styles only, data fetched from this origin.
 * A record's text the viewer fails to keep inert still cannot load or run anything.
 */
export const VIEWER_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data: blob:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Results files are data: opened directly they render in a sandbox with nothing allowed. */
const RESULTS_CSP = "sandbox; default-src 'none'";

const COMMON_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export async function serveViewer(o: ViewServerOptions): Promise<ViewServer> {
  if (!existsSync(o.resultsDir) || !statSync(o.resultsDir).isDirectory())
    throw new ResultsDirMissing(o.resultsDir);
  const viewer = o.viewerDir ? checkViewerDir(o.viewerDir) : findViewer();
  let port = 0;

  const send = (
    res: ServerResponse,
    status: number,
    text: string,
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(status, {
      ...COMMON_HEADERS,
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(text)),
      ...headers,
    });
    res.end(res.req.method === 'HEAD' ? undefined : text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    // A page elsewhere that rebinds its name to 127.0.0.1 sends its own Host: refused.
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`)
      return send(res, 421, 'misdirected request\n');
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
    const raw = req.url ?? '';
    if (!raw.startsWith('/')) return send(res, 400, 'bad request\n');
    const path = raw.split(/[?#]/)[0];
    if (path === '/') return send(res, 302, 'see /viewer/\n', { Location: '/viewer/' });
    if (path === '/viewer') return send(res, 301, 'see /viewer/\n', { Location: '/viewer/' });
    // Browsers ask for it on their own; nothing, rather than a 404 in the console.
    if (path === '/favicon.ico') return send(res, 204, '');
    const segments = path.split('/').slice(1);
    let file: string | undefined;
    let from: 'viewer' | 'results' = 'results';
    if (segments[0] === 'viewer') {
      from = 'viewer';
      const rest = segments.slice(1);
      file = await fileUnder(viewer, rest.length === 1 && rest[0] === '' ? ['index.html'] : rest);
    } else if (path === '/index.json' || (segments[0] === 'runs' && segments.length > 1)) {
      file = await fileUnder(o.resultsDir, segments);
    }
    if (!file) return send(res, 404, 'not found\n');
    const st = await stat(file);
    res.writeHead(200, {
      ...COMMON_HEADERS,
      'Content-Type': contentType(file, from),
      'Content-Length': String(st.size),
      'Content-Security-Policy': from === 'viewer' ? VIEWER_CSP : RESULTS_CSP,
      ...(contentType(file, from) === 'application/octet-stream'
        ? { 'Content-Disposition': 'attachment' }
        : {}),
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'internal error\n');
      else res.destroy();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(o.port ?? 0, '127.0.0.1', () => ok());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/viewer/`,
    origin,
    port,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}
