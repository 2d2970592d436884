import { createReadStream } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import { ARTIFACTS_DIR, isPlainRelative, storedName } from '../results/artifact-files.js';
import { contentType, fileUnder } from '../viewer/safe-path.js';
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

/** The URL path of a run's stored artifact: each segment encoded. */
export const artifactPath = (runId: string, path: string) =>
  `/v1/runs/${encodeURIComponent(runId)}/artifacts/${path.split('/').map(encodeURIComponent).join('/')}`;

const noArtifact = (id: string, path: string) =>
  new ApiError(
    404,
    'invalid_request_error',
    `run "${id.slice(0, 140)}" has no stored artifact "${path.slice(0, 300)}"`,
    'artifact_not_found',
    'path',
  );

/**
 * GET /v1/runs/{id}/artifacts/{path}: a file the run left in /app/results, as stored beside its
 * record. Only a path the record lists as stored is served, from the run's own artifacts
 * folder (no traversal, links not followed: fileUnder); it is someone else's bytes, so it goes
 * out as data (a download unless text, JSON or an image), never as a page.
 */
export async function getArtifact(
  ctx: ServeContext,
  { res, params: [rawId, rawPath] }: RouteContext,
) {
  let id: string;
  let path: string;
  try {
    id = decodeURIComponent(rawId);
    path = rawPath.split('/').map(decodeURIComponent).join('/');
  } catch {
    throw notFound(rawId);
  }
  const file = await findRecord(ctx.resultsDir, id);
  if (!file) throw notFound(id);
  const record = JSON.parse(await readFile(file, 'utf8')) as { artifacts?: unknown };
  const listed = (Array.isArray(record.artifacts) ? record.artifacts : []).some(
    (a) => isObject(a) && a.path === path && a.stored === true,
  );
  if (!listed || !isPlainRelative(path)) throw noArtifact(id, path);
  const folder = join(dirname(file), ARTIFACTS_DIR, id);
  // fileUnder decodes each segment: the path is decoded already, so it goes in encoded again.
  const stored = await fileUnder(folder, storedName(path).split('/').map(encodeURIComponent));
  if (!stored) throw noArtifact(id, path);
  const type = contentType(stored, 'results');
  const st = await stat(stored);
  res.writeHead(200, {
    'content-type': type,
    'content-length': String(st.size),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "sandbox; default-src 'none'",
    ...(type === 'application/octet-stream'
      ? {
          'content-disposition': `attachment; filename="${basename(path).replace(/[^\w.-]/g, '_')}"`,
        }
      : {}),
  });
  createReadStream(stored)
    .on('error', () => res.destroy())
    .pipe(res);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
