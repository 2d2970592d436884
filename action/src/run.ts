import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, posix, resolve } from 'node:path';
import * as core from '@actions/core';
import * as github from '@actions/github';
import {
  actionsLogLine,
  applyExtraGates,
  baseEntries,
  chip,
  COMMENT_MARKER,
  compareRuns,
  comparisonLinks,
  renderPrComment,
  viewerLinks,
  viewerSiteFiles,
  ViewerNotBuilt,
  type ViewerLinks,
  suiteView,
  type SuiteComparison,
  type SuiteView,
  GitBranchStore,
  mergeShards,
  Redactor,
  renderJobSummary,
  runSuites,
  type BranchIndex,
  type RunEvent,
  type RunRecord,
  type ShardResult,
  type SuiteManifest,
  type SuiteResult,
  type SummaryPart,
} from '../../core/src/index.js';
import { writeJobReport } from './html-report.js';
import { provenanceFrom, repositoryUrl, type EventPayload } from './context.js';
import { parseInputs, type ActionInputs } from './inputs.js';
import { outputsOf } from './outputs.js';
import { checkTrigger, needsPermissionCheck, permissionsWarning } from './triggers.js';
import { imageNotes, restoreImagesForJob, saveImagesForJob } from './image-cache.js';

/** GitHub shows at most 10 error annotations per step; the rest are in the summary. */
const MAX_ANNOTATIONS = 10;

/** All of the Action's platform I/O; everything it decides is in core or the pure modules beside it. */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    const inputs = parseInputs((n) => core.getInput(n));
    for (const v of [...Object.values(inputs.keys), inputs.githubToken]) if (v) core.setSecret(v);
    const eventName = env.GITHUB_EVENT_NAME ?? '';
    const payload = (
      env.GITHUB_EVENT_PATH && existsSync(env.GITHUB_EVENT_PATH)
        ? JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8'))
        : {}
    ) as EventPayload;

    const decision = checkTrigger(eventName, payload, {
      allowDangerous: inputs.allowDangerousTriggers,
      actor: env.GITHUB_ACTOR,
      actorPermission: await actorPermission(inputs, env, eventName),
    });
    if (!decision.ok) return core.setFailed(decision.reason);
    warnOnPermissions(env);

    const workspace = resolve(env.GITHUB_WORKSPACE ?? process.cwd(), inputs.workingDirectory);
    const redactor = new Redactor(
      [...Object.values(inputs.keys), inputs.githubToken].filter((v): v is string => !!v),
    );
    const branch = branchStore(inputs, env, redactor);
    if (inputs.mode === 'merge') return await merge(inputs, env, branch);

    const resultsDir = join(env.RUNNER_TEMP ?? workspace, 'gauntlet-results');
    const log = (line: string) => core.info(actionsLogLine(line));
    const images = await restoreImagesForJob({ ...inputs, root: workspace }, env, log);
    let firstTask = true;
    const progress = (e: RunEvent) => {
      if (e.type === 'run_start' && firstTask) {
        firstTask = false;
        core.info(`first task started ${process.uptime().toFixed(1)} s after the step began`);
      }
      if (e.type === 'suite_start')
        core.info(
          `suite ${e.suite}: ${e.runs} run(s), concurrency ${e.concurrency}${inputs.shard ? `, shard ${inputs.shard.index}/${inputs.shard.total}` : ''}`,
        );
      // Record text is untrusted: a line of it must not be read as a workflow command.
      if (e.type === 'run_end')
        core.info(
          actionsLogLine(
            `  ${e.record.verdict.padEnd(14)} ${e.record.task_id} · ${e.record.agent.name} #${e.record.trial}${chip(e.record) ? ` · ${chip(e.record)}` : ''} · ${e.record.latency_ms} ms`,
          ),
        );
      if (e.type === 'log') core.info(actionsLogLine(e.message));
    };
    // The base runs (the latency gate's, the comparison's, the confirmation's) come from the
    // results branch, read before the suites run so everything is settled before any manifest,
    // report or JUnit file is written.
    const pr = payload.pull_request;
    const prBase =
      pr?.base?.sha && pr.base.ref
        ? { baseSha: pr.base.sha, baseRef: pr.base.ref }
        : inputs.base && { baseSha: inputs.base.sha, baseRef: inputs.base.ref };
    if (inputs.confirm && !(branch && prBase))
      core.warning(
        'confirm re-runs tasks that flipped against the base branch: it needs results-branch and a pull_request event (or base-sha and base-ref); nothing will be confirmed',
      );
    const tip =
      branch && (inputs.gates.maxLatencyRegressionPct !== undefined || prBase)
        ? await branch.fetchTip()
        : undefined;
    const index = tip && branch ? await branch.readIndex(tip) : undefined;
    const bases = new Map<string, Promise<SuiteView | undefined>>();
    const baseOf = (suite: string) => {
      if (!bases.has(suite))
        bases.set(
          suite,
          index && tip && branch && prBase
            ? suiteView(
                baseEntries(index, suite, prBase),
                (id) => readSuiteRun(branch, tip, id),
                `base-${suite}`,
              )
            : Promise.resolve(undefined),
        );
      return bases.get(suite)!;
    };
    const suites = inputs.suites.length ? inputs.suites : [undefined];
    const results: SuiteResult[] = [];
    // A cancelled job gets SIGINT, then SIGTERM: stop, record what finished, remove sandboxes.
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
    for (const suite of suites) {
      if (stop.signal.aborted) break;
      results.push(
        ...(await runSuites({
          root: workspace,
          configDir: inputs.configDir,
          suite,
          resultsDir,
          concurrency: inputs.concurrency,
          trials: inputs.trials,
          judgeModel: inputs.judgeModel,
          tasks: inputs.tasks,
          shard: inputs.shard,
          env: { ...env, ...definedKeys(inputs) },
          onEvent: progress,
          provenance: {
            ...provenanceFrom(env, eventName, payload),
            config_root: posix.normalize(inputs.workingDirectory),
          },
          extraGates: extraGates(inputs),
          ...(inputs.pagesUrl ? { viewerUrl: inputs.pagesUrl } : {}),
          baselineFor: (m) => baselineFor(index, m),
          ...(inputs.confirm && prBase
            ? {
                confirm: {
                  trials: inputs.confirm,
                  maxCostUsd: inputs.confirmMaxCostUsd,
                  base: async (suite: string) => {
                    const v = await baseOf(suite);
                    return v && { records: v.records, suiteRunIds: v.suiteRunIds };
                  },
                },
              }
            : {}),
          signal: stop.signal,
        })),
      );
    }
    const sharded = !!inputs.shard && inputs.shard.total > 1;
    const notes = results.flatMap((r) => r.notes);
    notes.push(...imageNotes(images));

    let resultsRef: string | undefined;
    if (branch) {
      for (const r of results) {
        const pushed = await branch.append(
          r.manifest,
          r.dir,
          `gauntlet: ${r.manifest.suite} ${r.manifest.id}${r.manifest.provenance.pr ? ` (PR #${r.manifest.provenance.pr})` : ''}${sharded ? ` shard ${r.manifest.provenance.shard}` : ''}`,
        );
        resultsRef = pushed.commit;
        core.info(
          `results: ${inputs.resultsBranch}@${pushed.commit.slice(0, 12)} runs/${r.manifest.id}/${pushed.attempts > 1 ? ` (after ${pushed.attempts} attempts)` : ''}`,
        );
      }
    }
    // The comparison with the base (the PR comment's body, confirmations included), in the
    // job summary and a file, so it is there even without the App.
    const links = branch ? viewerLinks(inputs.pagesUrl) : undefined;
    const comparisons: SuiteComparison[] = [];
    for (const r of results) {
      const base = await baseOf(r.manifest.suite);
      comparisons.push({
        suite: r.manifest.suite,
        head: r.manifest,
        base: base?.manifest ?? null,
        comparison: base ? compareRuns(base.records, r.records) : null,
        ...(links
          ? {
              viewer: comparisonLinks(links, {
                baseSuiteRunId: base?.latestId,
                headSuiteRunId: r.manifest.id,
                headRecords: r.records,
              }),
            }
          : {}),
      });
    }
    if (links) notes.push(...viewerNotes(links, comparisons));
    let comparison: { text: string; path: string } | undefined;
    if (prBase && comparisons.some((c) => c.base)) {
      const text = renderPrComment(comparisons, {
        headSha: pr?.head?.sha ?? env.GITHUB_SHA ?? '',
        baseLabel: prBase.baseRef,
        fullRecordsAt: recordsUrl(inputs, env, results[0].manifest.id) ?? results[0].dir,
      });
      const path = join(resultsDir, 'comparison.md');
      await writeFile(path, text);
      comparison = { text, path };
    }
    if (pr?.number)
      notes.unshift(
        `PR #${pr.number}: ${escapeMarkdown(pr.title ?? '')} (${(pr.head?.sha ?? '').slice(0, 7)} against ${(pr.base?.sha ?? '').slice(0, 7)})`,
      );
    await report(
      results.map((r) => ({
        ...r,
        fullRecordsAt: recordsUrl(inputs, env, r.manifest.id) ?? r.dir,
      })),
      inputs,
      env,
      {
        notes,
        sharded,
        resultsRef,
        reportPath: results[0]?.dir,
        comparison,
        htmlReport: await writeJobReport(
          resultsDir,
          results.map((r) => r.manifest.id),
        ),
      },
    );
    const saved = await saveImagesForJob(images, log, { cancelled: stop.signal.aborted });
    const savedLines = `\n${saved.map((l) => `- ${l}`).join('\n')}\n`;
    if (saved.length && env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(savedLines).write();
  } catch (e) {
    core.setFailed((e as Error).message);
  }
}

/** The job summary's links into the published viewer: each suite run, and its comparison. */
function viewerNotes(links: ViewerLinks, comparisons: SuiteComparison[]): string[] {
  return comparisons.map(
    (c) =>
      `${escapeMarkdown(c.suite)}: [open in the viewer](${links.explorer(c.head.id)})` +
      (c.viewer?.compare ? ` · [compare with the base](${c.viewer.compare})` : ''),
  );
}

/** Event text is someone else's: shown as text, never as markup. */
function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]<>()#+!|~&]/g, (c) => `&#${c.charCodeAt(0)};`).slice(0, 300);
}

function definedKeys(inputs: ActionInputs): Record<string, string> {
  return Object.fromEntries(Object.entries(inputs.keys).filter(([, v]) => v)) as Record<
    string,
    string
  >;
}

function extraGates(inputs: ActionInputs) {
  return {
    minPassRate: inputs.gates.minPassRate,
    maxCostUsd: inputs.gates.maxCostUsd,
    maxLatencyRegressionPct: inputs.gates.maxLatencyRegressionPct,
  };
}

/** The newest unsharded or merged run of the same suite on the PR's base commit. */
function baselineFor(index: BranchIndex | undefined, m: SuiteManifest) {
  if (!index || !m.provenance.base_sha) return undefined;
  const e = index.suite_runs.find(
    (x) => x.suite === m.suite && x.commit === m.provenance.base_sha && !x.shard && x.id !== m.id,
  );
  return e ? { p95_ms: e.p95_ms, id: e.id } : undefined;
}

async function actorPermission(
  inputs: ActionInputs,
  env: NodeJS.ProcessEnv,
  eventName: string,
): Promise<string | undefined> {
  if (
    inputs.allowDangerousTriggers ||
    !needsPermissionCheck(eventName) ||
    !env.GITHUB_ACTOR ||
    !env.GITHUB_REPOSITORY
  )
    return undefined;
  if (!inputs.githubToken) return undefined;
  const [owner, repo] = env.GITHUB_REPOSITORY.split('/');
  const octokit = github.getOctokit(inputs.githubToken, {
    baseUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
  });
  try {
    const r = await octokit.rest.repos.getCollaboratorPermissionLevel({
      owner,
      repo,
      username: env.GITHUB_ACTOR,
    });
    return r.data.permission;
  } catch {
    return 'none';
  }
}

function warnOnPermissions(env: NodeJS.ProcessEnv) {
  // GITHUB_WORKFLOW_REF: owner/repo/.github/workflows/file.yml@ref
  const ref = env.GITHUB_WORKFLOW_REF;
  const path = ref ? ref.split('@')[0].split('/').slice(2).join('/') : undefined;
  const file = path && env.GITHUB_WORKSPACE ? join(env.GITHUB_WORKSPACE, path) : undefined;
  if (!file || !existsSync(file)) return;
  const w = permissionsWarning(readFileSync(file, 'utf8'), env.GITHUB_JOB);
  if (w) core.warning(w, { title: 'gauntlet: workflow permissions', file: path });
}

function branchStore(
  inputs: ActionInputs,
  env: NodeJS.ProcessEnv,
  redactor: Redactor,
): GitBranchStore | undefined {
  if (!inputs.resultsBranch) {
    if (inputs.pagesUrl)
      core.warning(
        'pages-url links into the results branch, but results-branch is empty: no links',
      );
    return undefined;
  }
  const remote = inputs.resultsRepository ?? repositoryUrl(env);
  if (!remote)
    throw new Error(
      'results-branch is set but there is no repository to push to (GITHUB_REPOSITORY is unset); set results-repository or results-branch: ""',
    );
  return new GitBranchStore({
    remote,
    branch: inputs.resultsBranch,
    workDir: join(env.RUNNER_TEMP ?? '/tmp', `gauntlet-results-git-${process.pid}`),
    token: remote.startsWith('http') ? inputs.githubToken : undefined,
    retention: inputs.retention,
    redactor,
    site: viewerSite(),
    author: {
      name: 'github-actions[bot]',
      email: '41898282+github-actions[bot]@users.noreply.github.com',
    },
  });
}

/** The built viewer, written into the results branch on every append; none if it is missing. */
function viewerSite(): { path: string; file: string }[] {
  try {
    return viewerSiteFiles();
  } catch (e) {
    if (!(e instanceof ViewerNotBuilt)) throw e;
    core.warning(`the results branch gets no viewer/: ${e.message}`);
    return [];
  }
}

function recordsUrl(inputs: ActionInputs, env: NodeJS.ProcessEnv, id: string): string | undefined {
  if (!inputs.resultsBranch || inputs.resultsRepository || !env.GITHUB_REPOSITORY) return undefined;
  return `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}/tree/${inputs.resultsBranch}/runs/${id}`;
}

/** Merge mode: every shard of this workflow run, read back from the results branch. */
async function merge(
  inputs: ActionInputs,
  env: NodeJS.ProcessEnv,
  branch: GitBranchStore | undefined,
) {
  if (!branch)
    throw new Error('mode: merge reads the shards from the results branch; set results-branch');
  const tip = await branch.fetchTip();
  const index = tip ? await branch.readIndex(tip) : undefined;
  const mine = (index?.suite_runs ?? []).filter(
    (e) =>
      e.workflow_run === env.GITHUB_RUN_ID &&
      (!inputs.suites.length || inputs.suites.includes(e.suite)),
  );
  if (!tip || !mine.length)
    throw new Error(
      `no shard results for workflow run ${env.GITHUB_RUN_ID} on ${inputs.resultsBranch}; did the shard jobs set results-branch: ${inputs.resultsBranch}?`,
    );
  const bySuite = new Map<string, ShardResult[]>();
  for (const e of mine) {
    const part = await readSuiteRun(branch, tip, e.id);
    if (part) bySuite.set(e.suite, [...(bySuite.get(e.suite) ?? []), part]);
  }
  const notes: string[] = [];
  const merged = [...bySuite.values()].map((parts) => {
    const m = mergeShards(parts);
    notes.push(...applyExtraGates(m.manifest, extraGates(inputs), baselineFor(index, m.manifest)));
    return m;
  });
  const dir = join(env.RUNNER_TEMP ?? '/tmp', 'gauntlet-merged');
  await mkdir(dir, { recursive: true });
  for (const m of merged)
    await writeFile(
      join(dir, `${m.manifest.suite}.manifest.json`),
      JSON.stringify(m.manifest, null, 2),
    );
  await report(
    merged.map((m) => ({
      ...m,
      fullRecordsAt: m.manifest.merged_from?.suite_run_ids
        .map((id) => recordsUrl(inputs, env, id) ?? `runs/${id}`)
        .join(', '),
    })),
    inputs,
    env,
    { notes, sharded: false, resultsRef: tip, reportPath: dir },
  );
}

/** One suite run as the results branch holds it: its manifest and the records it lists. */
async function readSuiteRun(
  branch: GitBranchStore,
  tip: string,
  id: string,
): Promise<ShardResult | undefined> {
  const files = await branch.readSuiteRun(tip, id);
  const manifest = JSON.parse(files.get('manifest.json') ?? 'null') as SuiteManifest | null;
  if (!manifest) return undefined;
  const records = manifest.runs
    .map((r) => files.get(`${r.id}.json`))
    .filter((t): t is string => !!t)
    .map((t) => JSON.parse(t) as RunRecord);
  return { manifest, records };
}

async function report(
  parts: SummaryPart[],
  inputs: ActionInputs,
  env: NodeJS.ProcessEnv,
  o: {
    notes: string[];
    sharded: boolean;
    resultsRef?: string;
    reportPath?: string;
    comparison?: { text: string; path: string };
    htmlReport?: string;
  },
) {
  const manifests = parts.map((p) => p.manifest);
  const intro = [
    ...(o.sharded
      ? [
          `**Shard ${inputs.shard!.index}/${inputs.shard!.total}.** Gates are enforced by the \`mode: merge\` job over every shard.`,
        ]
      : []),
    ...o.notes.map((n) => `- ${n}`),
  ];
  if (env.GITHUB_STEP_SUMMARY) {
    await core.summary.addRaw(renderJobSummary(parts, intro)).write();
    if (o.comparison)
      await core.summary.addRaw(`\n${o.comparison.text.replace(COMMENT_MARKER, '')}\n`).write();
  }
  let annotated = 0;
  for (const p of parts) {
    for (const r of p.records.filter((x) => x.verdict !== 'PASS')) {
      if (annotated++ >= MAX_ANNOTATIONS) break;
      const origin = r.seed.origin as { file?: string; line?: number } | undefined;
      const file = origin?.file
        ? posix.normalize(posix.join(inputs.workingDirectory, origin.file))
        : undefined;
      core.error(
        actionsLogLine(
          `${r.verdict}${chip(r) ? ` · ${chip(r)}` : ''}: ${r.error?.message ?? r.judge?.reasoning ?? ''}`,
        ).slice(0, 1000),
        {
          title: actionsLogLine(`gauntlet ${p.manifest.suite}: ${r.task_id}`),
          ...(file && !file.startsWith('..') ? { file, startLine: origin?.line } : {}),
        },
      );
    }
  }
  if (annotated > MAX_ANNOTATIONS)
    core.notice(
      `${annotated - MAX_ANNOTATIONS} more non-passing run(s) are listed in the job summary`,
    );
  const outputs = {
    ...outputsOf(manifests),
    'results-ref': o.resultsRef ?? '',
    'report-path': o.reportPath ?? '',
    'comparison-path': o.comparison?.path ?? '',
    'html-report-path': o.htmlReport ?? '',
    'junit-path': o.reportPath ? join(o.reportPath, 'junit.xml') : '',
  };
  for (const [k, v] of Object.entries(outputs)) core.setOutput(k, v);
  const failed = manifests.filter((m) => !m.gates_passed);
  if (failed.length && !o.sharded)
    core.setFailed(
      `gauntlet gates failed: ${failed
        .map(
          (m) =>
            `${m.suite} (${m.gates
              .filter((g) => !g.passed)
              .map((g) => `${g.name} ${g.actual} vs ${g.threshold}`)
              .join(', ')})`,
        )
        .join('; ')}`,
    );
}
