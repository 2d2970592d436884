import { posix } from 'node:path';
import {
  compareRuns,
  mergeShards,
  renderCheckRun,
  renderPrComment,
  summarise,
  type IndexEntry,
  type RunRecord,
  type SuiteComparison,
  type SuiteManifest,
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

interface View {
  manifest: SuiteManifest;
  records: RunRecord[];
  latestId: string;
}

const key = (r: RunRecord) => `${r.task_id}\0${r.agent.name}\0${r.trial}`;

/**
 * Everything known about one suite at one commit: shards of each workflow run merged, then
 * later workflow runs (re-runs of failed tasks, say) laid over earlier ones task by task. The
 * newest result of each run replaces the old one in the view; the branch keeps them all.
 */
async function viewOf(
  src: ApiResultsSource,
  entries: IndexEntry[],
  id: string,
): Promise<View | undefined> {
  if (!entries.length) return undefined;
  const byRun = new Map<string, IndexEntry[]>();
  for (const e of [...entries].sort((a, b) => a.started_at.localeCompare(b.started_at)))
    byRun.set(e.workflow_run ?? e.id, [...(byRun.get(e.workflow_run ?? e.id) ?? []), e]);
  const overlay = new Map<string, RunRecord>();
  let last: SuiteManifest | undefined;
  for (const group of byRun.values()) {
    const parts = (await Promise.all(group.map((e) => src.suiteRun(e.id)))).filter(
      (p): p is NonNullable<typeof p> => !!p,
    );
    if (!parts.length) continue;
    const merged = group.some((e) => e.shard) ? mergeShards(parts) : parts[parts.length - 1];
    for (const r of merged.records) overlay.set(key(r), r);
    last = merged.manifest;
  }
  if (!last) return undefined;
  const records = [...overlay.values()].sort((a, b) => key(a).localeCompare(key(b)));
  const gates = Object.fromEntries(
    last.gates
      .filter((g) => g.name !== 'max_latency_regression_pct')
      .map((g) => [g.name, g.threshold]),
  );
  const manifest = summarise(
    id,
    last.suite,
    records,
    last.trials,
    gates,
    Date.parse(entries[0].started_at),
    last.provenance,
  );
  manifest.merged_from = last.merged_from;
  return { manifest, records, latestId: entries[entries.length - 1].id };
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
    const head = await viewOf(
      src,
      index.suite_runs.filter((e) => e.suite === suite && e.commit === run.head_sha),
      `${run.id}-${suite}`,
    );
    if (!head) continue;
    const root = head.manifest.provenance.config_root ?? '.';
    const fullRecordsAt = src.treeUrl(settings.serverUrl, head.latestId);
    const view = renderCheckRun(head.manifest, head.records, {
      fullRecordsAt,
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
    let base: View | undefined;
    if (pr) {
      const onBase = index.suite_runs.filter((e) => e.suite === suite && e.commit === pr.base.sha);
      // The PR's exact base commit if it was evaluated, else the newest run on the base branch.
      const onBranch = index.suite_runs
        .filter((e) => e.suite === suite && !e.pr && e.ref === `refs/heads/${pr.base.ref}`)
        .sort((a, b) => b.started_at.localeCompare(a.started_at));
      const baseCommit = onBase.length ? pr.base.sha : onBranch[0]?.commit;
      base = baseCommit
        ? await viewOf(
            src,
            index.suite_runs.filter((e) => e.suite === suite && e.commit === baseCommit),
            `base-${suite}`,
          )
        : undefined;
    }
    comparisons.push({
      suite,
      head: head.manifest,
      base: base?.manifest ?? null,
      comparison: base ? compareRuns(base.records, head.records) : null,
      checkRunUrl: created.data.html_url ?? undefined,
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
