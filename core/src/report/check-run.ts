import type { RunRecord, SuiteManifest } from '../results/record.js';
import { clipHead, plainLine, plainText, urlPart } from '../util/untrusted-text.js';
import { chip, EXPLORER_HEADER, explorerRows, markdownTable, pct } from './format.js';
import {
  completionCallout,
  failureSection,
  fitSections,
  MARKDOWN_LIMIT,
  reportHead,
} from './markdown.js';
import type { ViewerLinks } from './viewer-links.js';

/** GitHub's limits on check runs (REST "Create a check run"). */
export const CHECK_LIMITS = {
  summary: MARKDOWN_LIMIT,
  text: MARKDOWN_LIMIT,
  annotationsPerRequest: 50,
  actions: 3,
  label: 20,
  description: 40,
  identifier: 20,
  title: 255,
} as const;

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  title: string;
  message: string;
}

export interface CheckAction {
  label: string;
  description: string;
  identifier: string;
}

export interface CheckRunView {
  name: string;
  conclusion: 'success' | 'failure' | 'neutral';
  title: string;
  summary: string;
  text: string;
  actions: CheckAction[];
  /** Batches of at most 50: the first goes with the create call, the rest with updates. */
  annotationBatches: CheckAnnotation[][];
}

export const RERUN_FAILED = 'rerun_failed';
export const RERUN_ALL = 'rerun_all';

export function checkActions(): CheckAction[] {
  const actions = [
    {
      label: 'Re-run failed',
      description: 'Re-run the tasks that did not pass',
      identifier: RERUN_FAILED,
    },
    { label: 'Re-run all', description: 'Re-run every task of this suite', identifier: RERUN_ALL },
  ];
  for (const a of actions)
    if (
      a.label.length > CHECK_LIMITS.label ||
      a.description.length > CHECK_LIMITS.description ||
      a.identifier.length > CHECK_LIMITS.identifier
    )
      throw new Error(`check-run action ${a.identifier} is over GitHub's 20/40/20 limits`);
  return actions.slice(0, CHECK_LIMITS.actions);
}

export function batches<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out.length ? out : [[]];
}

export interface CheckRunOptions {
  /** Link to the suite run's records, for truncation notes. */
  fullRecordsAt: string;
  /** Maps a record's task origin (absolute or repository path) to a repository path, or undefined. */
  repoPath: (file: string) => string | undefined;
  /** Shown above the summary, e.g. that a re-run was requested. */
  banner?: string;
  /**
   * The published viewer (manifest.viewer_url): the summary links the suite run's explorer and
   * each failure links its run's trace beside the raw record.
   */
  viewer?: { links: ViewerLinks; suiteRunId: string };
}

/** One suite run as a check run: conclusion from the gates, summary, per-failure text, annotations, buttons. */
export function renderCheckRun(
  m: SuiteManifest,
  records: RunRecord[],
  o: CheckRunOptions,
): CheckRunView {
  const failing = records.filter((r) => r.verdict !== 'PASS');
  const conclusion = !m.gates.length
    ? failing.length
      ? 'neutral'
      : 'success'
    : m.gates_passed
      ? 'success'
      : 'failure';
  const title =
    `${pct(m.pass_rate)} pass (${m.counts.pass}/${m.counts.runs})${m.gates.length ? (m.gates_passed ? ' · gates passed' : ' · gates failed') : ''}${m.counts.failed ? ` · ${m.counts.failed} errored` : ''}${m.counts.uncertain ? ` · ${m.counts.uncertain} uncertain` : ''}`.slice(
      0,
      CHECK_LIMITS.title,
    );
  // The completion warning is a banner: above the table, as on the trace tab.
  const callout = completionCallout(records);
  const explorer = o.viewer
    ? `[Open in the viewer](${o.viewer.links.explorer(o.viewer.suiteRunId)})\n\n`
    : '';
  const head =
    `${o.banner ? `> [!NOTE]\n> ${o.banner}\n\n` : ''}${reportHead(m)}\n${explorer}` +
    (callout ? `${callout}\n` : '');
  const summary = fitSections(
    head,
    [markdownTable(EXPLORER_HEADER, explorerRows(records)) + '\n'],
    CHECK_LIMITS.summary,
    o.fullRecordsAt,
    'table',
  );
  const record = (r: RunRecord) =>
    `[Full record](${o.fullRecordsAt}/${urlPart(clipHead(r.id, 200))}.json)`;
  // Each record lives in its own suite run (a view over re-runs spans several).
  const link = (r: RunRecord) =>
    o.viewer ? `[Trace](${o.viewer.links.trace(r.suite_run_id, r.id)}) · ${record(r)}` : record(r);
  const sections = failing.map((r) => failureSection(r, link(r)));
  const text = fitSections('', sections, CHECK_LIMITS.text, o.fullRecordsAt);
  const annotations: CheckAnnotation[] = [];
  const why = (r: RunRecord) => (chip(r) ? ` (${chip(r)})` : '');
  for (const r of failing) {
    const origin = r.seed.origin as { file?: string; line?: number } | undefined;
    const path = origin?.file ? o.repoPath(origin.file) : undefined;
    if (!path || !origin?.line) continue;
    // Annotations are plain text on GitHub: inert, one-line titles, within the limits.
    const title = plainLine(`${r.task_id} · ${r.agent.name} #${r.trial}: ${r.verdict}${why(r)}`);
    annotations.push({
      path,
      start_line: origin.line,
      end_line: origin.line,
      annotation_level: r.status === 'failed' ? 'failure' : 'warning',
      title: clipHead(title, CHECK_LIMITS.title),
      message: clipHead(plainText(r.error?.message ?? r.judge?.reasoning ?? r.verdict), 4000),
    });
  }
  return {
    name: clipHead(plainLine(`gauntlet: ${m.suite}`), CHECK_LIMITS.title),
    conclusion,
    title,
    summary,
    text: text || '_Every run passed._',
    actions: checkActions(),
    annotationBatches: batches(annotations, CHECK_LIMITS.annotationsPerRequest),
  };
}
