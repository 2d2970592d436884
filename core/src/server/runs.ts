import { createReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { ServeContext } from './context.js';
import { ApiError } from './errors.js';
import type { RouteContext } from './routes.js';

/** A run id as the engine makes them: a plain name, nothing a path could be built from. */
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

const notFound = (id: string) =>
  new ApiError(
    404,
    'invalid_request_error',
    `no run "${id.slice(0, 140)}" in this server's results`,
    'run_not_found',
    'id',
  );

/**
 * The stored record of a run: `<results>/runs/<suite run>/<id>.json`, found by exact id (no
 * prefixes, no manifest), its real path inside the results directory.
 */
export async function findRecord(resultsDir: string, id: string): Promise<string | undefined> {
  if (!RUN_ID.test(id) || id === 'manifest') return undefined;
  let base: string;
  try {
    base = await realpath(join(resultsDir, 'runs'));
  } catch {
    return undefined;
  }
  for (const d of (await readdir(base).catch(() => [])).sort().reverse()) {
    if (!RUN_ID.test(d)) continue;
    try {
      const real = await realpath(join(base, d, `${id}.json`));
      if (real.startsWith(base + sep) && (await stat(real)).isFile()) return real;
    } catch {
      /* not in this suite run */
    }
  }
  return undefined;
}

/** GET /v1/runs/{id}: the record as stored (already redacted when it was written). */
export async function getRun(ctx: ServeContext, { res, params: [raw] }: RouteContext) {
  let id: string;
  try {
    id = decodeURIComponent(raw);
  } catch {
    throw notFound(raw);
  }
  const file = await findRecord(ctx.resultsDir, id);
  if (!file) throw notFound(id);
  const st = await stat(file);
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': String(st.size),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}
