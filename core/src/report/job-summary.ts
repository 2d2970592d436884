import type { RunRecord, SuiteManifest } from '../results/record.js';
import { renderMarkdownReport } from './markdown.js';

/** GitHub's limit on one step's job summary. */
export const JOB_SUMMARY_LIMIT = 1024 * 1024;

export interface SummaryPart {
  manifest: SuiteManifest;
  records: RunRecord[];
  /** Where this suite run's full records live (a results-branch tree URL, say). */
  fullRecordsAt?: string;
}

/**
 * The job summary of one Action step: each suite's report, sharing GitHub's 1 MiB budget so a
 * huge suite cannot push the others out. A suite's share is cut with a pointer to its records.
 * The rule between suites has a blank line above it, or it would underline the line above.
 */
export function renderJobSummary(
  parts: SummaryPart[],
  extra: string[] = [],
  limit = JOB_SUMMARY_LIMIT,
): string {
  const intro = extra.length ? `${extra.join('\n')}\n\n` : '';
  const budget = Math.floor((limit - Buffer.byteLength(intro) - 1024) / Math.max(1, parts.length));
  const reports = parts.map((p) =>
    renderMarkdownReport(p.manifest, p.records, { limit: budget, fullRecordsAt: p.fullRecordsAt }),
  );
  return intro + reports.join('\n\n---\n\n');
}
