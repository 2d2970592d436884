import { clipHead, urlPart } from '../util/untrusted-text.js';
import type { RunRecord } from '../results/record.js';
import { traceKey } from './pr-comment.js';

/**
 * Deep links into the published viewer (the results branch served by GitHub Pages), following
 * the viewer's fragment routes: `<base>/viewer/#/explorer/<suite run>`, `#/trace/<suite run>/
 * <run>`, `#/compare/<base suite run>/<head suite run>`. The base comes from the Action's
 * `pages-url` input by way of the manifest (`viewer_url`), so a manifest on the branch is
 * hostile input: only a plain https URL is ever turned into a link.
 */

export interface ViewerLinks {
  /** The viewer's root: `<base>/viewer/`. */
  home: string;
  explorer(suiteRunId: string): string;
  trace(suiteRunId: string, runId: string): string;
  compare(baseSuiteRunId: string, headSuiteRunId: string): string;
}

/** An https origin and path of plain characters: nothing a Markdown link or HTML could misread. */
const PLAIN_HTTPS = /^https:\/\/[a-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~%+-]*)*$/;

/**
 * The viewer base URL (no trailing slash) when `value` is an https URL without credentials,
 * query or fragment, and of plain characters; undefined for anything else (javascript:,
 * data:, http:, a URL with quotes or brackets, a non-string).
 */
export function viewerBase(value: unknown): string | undefined {
  // The text as written must already be plain: no character the URL parser would escape.
  if (typeof value !== 'string' || value.length > 500 || !PLAIN_HTTPS.test(value.toLowerCase()))
    return undefined;
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'https:' || u.username || u.password || u.search || u.hash) return undefined;
  const base = `${u.origin}${u.pathname}`.replace(/\/+$/, '');
  return PLAIN_HTTPS.test(base) ? base : undefined;
}

const id = (s: string) => urlPart(clipHead(s, 200));

/** Links into the viewer published at `base`; undefined when there is no valid base. */
export function viewerLinks(base: unknown): ViewerLinks | undefined {
  const b = viewerBase(base);
  if (!b) return undefined;
  const home = `${b}/viewer/`;
  return {
    home,
    explorer: (s) => `${home}#/explorer/${id(s)}`,
    trace: (s, r) => `${home}#/trace/${id(s)}/${id(r)}`,
    compare: (base, head) => `${home}#/compare/${id(base)}/${id(head)}`,
  };
}

/**
 * A suite's links for the PR comment: the comparison of the base and head suite runs (the
 * newest of each side), and the trace of head's last trial of each task.
 */
export function comparisonLinks(
  links: ViewerLinks,
  o: {
    baseSuiteRunId?: string;
    headSuiteRunId: string;
    headRecords: Pick<RunRecord, 'id' | 'suite_run_id' | 'task_id' | 'agent' | 'confirmation'>[];
  },
): { compare?: string; traces: Map<string, string> } {
  const traces = new Map<string, string>();
  for (const r of o.headRecords)
    if (!r.confirmation)
      traces.set(traceKey(r.task_id, r.agent.name), links.trace(r.suite_run_id, r.id));
  return {
    ...(o.baseSuiteRunId ? { compare: links.compare(o.baseSuiteRunId, o.headSuiteRunId) } : {}),
    traces,
  };
}
