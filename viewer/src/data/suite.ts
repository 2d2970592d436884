import {
  comparableRow,
  compareRuns,
  type BranchIndex,
  type Comparison,
  type IndexEntry,
  type SuiteManifest,
} from '../../../core/src/index.js';
import { listedRuns, listedSuiteRuns, type ManifestRun } from './listed.js';
import { readIndex, readManifest, type DataSource } from './source.js';

/** One run as the manifest lists it, and the suite run it belongs to. */
export interface ListedRun {
  suiteRun: string;
  suiteStartedAt: string;
  run: ManifestRun;
}

/** A task x agent of a suite at one commit: every run of it, newest first. */
export interface TaskRuns {
  key: string;
  task_id: string;
  agent: string;
  runs: ListedRun[];
  latest: ListedRun;
}

/** A suite at one commit: the suite run asked for and the others that share its commit. */
export interface SuiteAtCommit {
  entry: IndexEntry;
  /** Every suite run of the suite at that commit (shards, re-runs), oldest first. */
  entries: IndexEntry[];
  manifests: SuiteManifest[];
  tasks: TaskRuns[];
}

const newestFirst = (a: ListedRun, b: ListedRun) =>
  b.suiteStartedAt.localeCompare(a.suiteStartedAt) || b.run.trial - a.run.trial;

/**
 * The suite runs that show together: those of the same suite at the same commit (a job
 * matrix's shards, re-runs of failed tasks). Without a commit (local runs) a suite run stands
 * alone.
 */
export function sameCommit(index: BranchIndex, entry: IndexEntry): IndexEntry[] {
  const group = entry.commit
    ? index.suite_runs.filter((e) => e.suite === entry.suite && e.commit === entry.commit)
    : [entry];
  return [...group].sort((a, b) => a.started_at.localeCompare(b.started_at));
}

/** The suite runs a suite run is compared with: its PR base if evaluated, else the one before. */
export function baseOf(index: BranchIndex, entry: IndexEntry): IndexEntry | undefined {
  const suite = index.suite_runs.filter((e) => e.suite === entry.suite && e.id !== entry.id);
  const newest = (es: IndexEntry[]) =>
    [...es].sort((a, b) => b.started_at.localeCompare(a.started_at))[0];
  if (entry.base_sha) {
    const onBase = suite.filter((e) => e.commit === entry.base_sha);
    if (onBase.length) return newest(onBase);
  }
  return newest(
    suite.filter(
      (e) =>
        e.started_at < entry.started_at &&
        (!entry.commit || !e.commit || e.commit !== entry.commit),
    ),
  );
}

export function groupTasks(entries: IndexEntry[], manifests: SuiteManifest[]): TaskRuns[] {
  const byKey = new Map<string, ListedRun[]>();
  manifests.forEach((m, i) => {
    for (const run of listedRuns(m)) {
      const key = `${run.task_id}\0${run.agent}`;
      // The suite run is the index line's id, the directory the manifest was read from (its
      // own `id` field is only what the file claims).
      const listed = { suiteRun: entries[i].id, suiteStartedAt: entries[i].started_at, run };
      const list = byKey.get(key);
      if (list) list.push(listed);
      else byKey.set(key, [listed]);
    }
  });
  return [...byKey].map(([key, runs]) => {
    runs.sort(newestFirst);
    return { key, task_id: runs[0].run.task_id, agent: runs[0].run.agent, runs, latest: runs[0] };
  });
}

export async function loadSuite(
  source: DataSource,
  suiteRunId: string | null,
): Promise<SuiteAtCommit> {
  const index = await readIndex(source);
  const entries = listedSuiteRuns(index);
  const entry = suiteRunId
    ? entries.find((e) => e.id === suiteRunId)
    : [...entries].sort((a, b) => b.started_at.localeCompare(a.started_at))[0];
  if (!entry)
    throw new Error(
      suiteRunId ? `no suite run ${suiteRunId} in index.json` : 'index.json lists no suite runs',
    );
  const group = sameCommit({ ...index, suite_runs: entries }, entry);
  const manifests = await Promise.all(group.map((e) => readManifest(source, e.id)));
  return { entry, entries: group, manifests, tasks: groupTasks(group, manifests) };
}

/**
 * The runs a suite at a commit stands for: of each task's trial the newest run (a re-run
 * replaces the run it re-ran, as in the check run's view; the older one stays listed).
 */
export function currentRuns(tasks: TaskRuns[]): ListedRun[] {
  return tasks.flatMap((t) => {
    const byTrial = new Map<number, ListedRun>();
    for (const r of t.runs) if (!byTrial.has(r.run.trial)) byTrial.set(r.run.trial, r);
    return [...byTrial.values()];
  });
}

/** Head against base from the manifests alone (the statistics of compareRuns). */
export function compareSuites(base: TaskRuns[], head: TaskRuns[]): Comparison {
  const rows = (ts: TaskRuns[]) => currentRuns(ts).map((r) => comparableRow(r.run));
  return compareRuns(rows(base), rows(head));
}
