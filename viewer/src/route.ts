/**
 * The viewer's routes live in the URL fragment, so a deep link works on any static host
 * (Pages, a file:// report) with no server-side routing:
 *   #/  #/explorer/<suite run>?mode=&q=&sort=  #/trace/<suite run>/<run>
 *   #/compare/<base suite run>/<head suite run>  #/trends[/<suite>]
 */
export type Route =
  | { page: 'explorer'; suiteRun: string | null; params: URLSearchParams }
  | { page: 'trace'; suiteRun: string; run: string; params: URLSearchParams }
  | { page: 'compare'; base: string; head: string; params: URLSearchParams }
  | { page: 'trends'; suite: string | null; params: URLSearchParams }
  | { page: 'not-found'; hash: string };

export function parseRoute(hash: string): Route {
  const [path, query = ''] = hash.replace(/^#/, '').split('?', 2);
  const params = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean).map(decode);
  const [page, a, b] = parts;
  if (!page || (page === 'explorer' && parts.length <= 2))
    return { page: 'explorer', suiteRun: a ?? null, params };
  if (page === 'trace' && a && b && parts.length === 3)
    return { page: 'trace', suiteRun: a, run: b, params };
  if (page === 'compare' && a && b && parts.length === 3)
    return { page: 'compare', base: a, head: b, params };
  if (page === 'trends' && parts.length <= 2) return { page: 'trends', suite: a ?? null, params };
  return { page: 'not-found', hash };
}

function decode(s: string) {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const seg = encodeURIComponent;
const withQuery = (path: string, params?: Record<string, string | undefined>) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
};

/** Fragment links, the same grammar parseRoute reads. */
export const href = {
  explorer: (suiteRun: string, params?: Record<string, string | undefined>) =>
    withQuery(`#/explorer/${seg(suiteRun)}`, params),
  trace: (suiteRun: string, run: string) => `#/trace/${seg(suiteRun)}/${seg(run)}`,
  compare: (base: string, head: string) => `#/compare/${seg(base)}/${seg(head)}`,
  trends: (suite?: string) => (suite ? `#/trends/${seg(suite)}` : '#/trends'),
};
