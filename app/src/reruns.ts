import { RERUN_ALL, RERUN_FAILED } from '../../core/src/index.js';
import { ApiResultsSource } from './results-source.js';
import type { AppSettings, Octokit } from './types.js';

interface CheckRunLike {
  id: number;
  name: string;
  external_id: string | null;
  head_sha: string;
  output?: { title?: string | null; summary?: string | null };
}

export type RerunOutcome =
  | { kind: 'dispatched'; tasks: string[]; ref: string }
  | { kind: 'rerun'; workflowRun: number }
  | { kind: 'refused'; reason: string }
  | { kind: 'ignored' };

/** Marks the check run so the PR shows a re-run is on its way. */
async function mark(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  check: CheckRunLike,
  note: string,
) {
  await octokit.rest.checks.update({
    ...repo,
    check_run_id: check.id,
    output: {
      title: `Re-run requested · ${check.output?.title ?? ''}`.slice(0, 255),
      summary: `> [!NOTE]\n> ${note}\n\n${check.output?.summary ?? ''}`.slice(0, 65_000),
    },
  });
}

/**
 * A button on a gauntlet check run. "Re-run failed" dispatches the eval workflow on the PR's
 * branch with a task filter; "Re-run all" (and the Re-run link) re-runs the workflow run itself.
 * The new results arrive as a new workflow_run and replace the view; the branch keeps history.
 */
export async function handleRerun(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  check: CheckRunLike,
  action: string,
  actor: string,
  settings: AppSettings,
): Promise<RerunOutcome> {
  const m = /^(\d+):(.+)$/.exec(check.external_id ?? '');
  if (!m || !check.name.startsWith('gauntlet: ')) return { kind: 'ignored' };
  const [, runId, suite] = m;
  const run = (await octokit.rest.actions.getWorkflowRun({ ...repo, run_id: Number(runId) })).data;
  if (action === RERUN_ALL) {
    await octokit.rest.actions.reRunWorkflow({ ...repo, run_id: run.id });
    await mark(
      octokit,
      repo,
      check,
      `@${actor} asked to re-run every task (workflow run ${run.id}, attempt ${(run.run_attempt ?? 1) + 1}).`,
    );
    return { kind: 'rerun', workflowRun: run.id };
  }
  if (action !== RERUN_FAILED) return { kind: 'ignored' };
  const fork =
    run.head_repository?.full_name &&
    run.head_repository.full_name !== `${repo.owner}/${repo.repo}`;
  if (fork || !run.head_branch) {
    const reason =
      'Re-run failed dispatches the workflow on the PR branch, which lives in a fork; use "Re-run all" instead';
    await mark(octokit, repo, check, reason);
    return { kind: 'refused', reason };
  }
  const src = new ApiResultsSource(octokit, repo, settings.resultsBranch);
  const index = await src.index();
  const entries = (index?.suite_runs ?? []).filter(
    (e) => e.workflow_run === runId && e.suite === suite,
  );
  const failed = new Set<string>();
  for (const e of entries) {
    // The manifest lists every run's verdict; the records themselves are not needed.
    for (const r of (await src.manifest(e.id))?.runs ?? [])
      if (r.verdict !== 'PASS') failed.add(r.task_id);
  }
  if (!failed.size) {
    await mark(octokit, repo, check, `@${actor} asked to re-run failed tasks, but none failed.`);
    return { kind: 'refused', reason: 'no failed tasks' };
  }
  const tasks = [...failed].sort();
  // A dispatch carries no pull request: the base to confirm flips against travels as inputs.
  const base = run.pull_requests?.[0]?.base;
  const confirm =
    settings.rerunConfirm && base
      ? { confirm: String(settings.rerunConfirm), 'base-sha': base.sha, 'base-ref': base.ref }
      : {};
  await octokit.rest.actions.createWorkflowDispatch({
    ...repo,
    workflow_id: run.workflow_id,
    ref: run.head_branch,
    inputs: { tasks: tasks.join(','), suites: suite, ...confirm },
  });
  await mark(
    octokit,
    repo,
    check,
    `@${actor} asked to re-run ${tasks.length} failed task(s) on \`${run.head_branch}\`: ${tasks.slice(0, 30).join(', ')}${tasks.length > 30 ? ', …' : ''}${'confirm' in confirm ? ` (flips confirmed with ${settings.rerunConfirm} extra trials against \`${base!.ref}\`)` : ''}`,
  );
  return { kind: 'dispatched', tasks, ref: run.head_branch };
}
