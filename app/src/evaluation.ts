import { posix } from 'node:path';
import {
  baseEntries,
  compareRuns,
  comparisonLinks,
  renderCheckRun,
  renderPrComment,
  suiteView,
  viewerLinks,
  type SuiteComparison,
  type SuiteView,
} from '../../core/src/index.js';
import { ApiResultsSource } from './results-source.js';
import { upsertStickyComment } from './sticky-comment.js';
import type { AppSettings, Octokit } from './types.js';

export interface WorkflowRunLike {
  id: number;
  head_sha: string;
  head_branch: string | null;
  event: string;
  html_url?: string;
  pull_requests?: ({ number: number } | null)[];
}

export interface Repo {
  owner: string;
  repo: string;
}

/** The open PR whose head is this commit: `pull_requests` is empty for forks and dispatches. */
async function findPr(octokit: Octokit, repo: Repo, run: WorkflowRunLike) {
  const number = run.pull_requests?.[0]?.number;
  if (number) return (await octokit.rest.pulls.get({ ...repo, pull_number: number })).data;
  const open = await octokit.paginate(octokit.rest.pulls.list, {
    ...repo,
    state: 'open',
    per_page: 100,
  });
  return open.find((p) => p.head.sha === run.head_sha);
}

/** workflow_run.completed: one check run per suite, and the sticky comparison comment. */
export async function publishEvaluation(
  octokit: Octokit,
  repo: Repo,
  run: WorkflowRunLike,
  settings: AppSettings,
  botLogin: () => Promise<string>,
): Promise<{ suites: string[] }> {
  const src = new ApiResultsSource(octokit, repo, settings.resultsBranch);
  const index = await src.index();
  const read = (id: string) => src.suiteRun(id);
  const suites = [
    ...new Set(
      (index?.suite_runs ?? [])
        .filter((e) => e.workflow_run === String(run.id))
        .map((e) => e.suite),
    ),
  ].sort();
  if (!index || !suites.length) return { suites: [] };
  const pr = await findPr(octokit, repo, run);
  const comparisons: SuiteComparison[] = [];
  for (const suite of suites) {
    const head = await suiteView(
      index.suite_runs.filter((e) => e.suite === suite && e.commit === run.head_sha),
      read,
      `${run.id}-${suite}`,
    );
    if (!head) continue;
    const root = head.manifest.provenance.config_root ?? '.';
    const fullRecordsAt = src.treeUrl(settings.serverUrl, head.latestId);
    // The Action recorded where Pages serves the branch; a manifest is untrusted, so links are
    // made only from a plain https URL (viewerLinks), else none.
    const links = viewerLinks(head.manifest.viewer_url);
    const view = renderCheckRun(head.manifest, head.records, {
      fullRecordsAt,
      ...(links ? { viewer: { links, suiteRunId: head.latestId } } : {}),
      repoPath: (f) => {
        const p = posix.normalize(posix.join(root, f));
        return p.startsWith('..') || p.startsWith('/') ? undefined : p;
      },
    });
    const [first, ...rest] = view.annotationBatches;
    const created = await octokit.rest.checks.create({
      ...repo,
      name: view.name,
      head_sha: run.head_sha,
      status: 'completed',
      conclusion: view.conclusion,
      external_id: `${run.id}:${suite}`,
      ...(run.html_url ? { details_url: run.html_url } : {}),
      output: { title: view.title, summary: view.summary, text: view.text, annotations: first },
      actions: view.actions,
    });
    // GitHub takes 50 annotations a request; later batches are appended by updates.
    for (const batch of rest)
      await octokit.rest.checks.update({
        ...repo,
        check_run_id: created.data.id,
        output: { title: view.title, summary: view.summary, annotations: batch },
      });
    let base: SuiteView | undefined;
    if (pr) {
      base = await suiteView(
        baseEntries(index, suite, { baseSha: pr.base.sha, baseRef: pr.base.ref }),
        read,
        `base-${suite}`,
      );
    }
    comparisons.push({
      suite,
      head: head.manifest,
      base: base?.manifest ?? null,
      comparison: base ? compareRuns(base.records, head.records) : null,
      checkRunUrl: created.data.html_url ?? undefined,
      ...(links
        ? {
            viewer: comparisonLinks(links, {
              baseSuiteRunId: base?.latestId,
              headSuiteRunId: head.latestId,
              headRecords: head.records,
            }),
          }
        : {}),
    });
  }
  if (pr && comparisons.length) {
    const body = renderPrComment(comparisons, {
      headSha: run.head_sha,
      baseLabel: pr.base.ref,
      fullRecordsAt: `${settings.serverUrl}/${repo.owner}/${repo.repo}/tree/${settings.resultsBranch}`,
    });
    await upsertStickyComment(octokit, repo, pr.number, body, await botLogin());
  }
  return { suites };
}
