import type { Comparison, IndexEntry } from '../../../../core/src/index.js';
import { readIndex, type DataSource } from '../../data/source.js';
import { listedSuiteRuns } from '../../data/listed.js';
import { compareSuites, loadSuite, type SuiteAtCommit } from '../../data/suite.js';

export interface CompareData {
  base: SuiteAtCommit;
  head: SuiteAtCommit;
  comparison: Comparison;
  /** Every suite run of head's suite (and of base's, when it differs), for the pickers. */
  choices: IndexEntry[];
}

/**
 * Base and head as suites at their commits (shards and re-runs of each together), compared
 * from their manifests alone: no run record is read, so a suite of any size opens at once.
 */
export async function loadCompare(
  source: DataSource,
  baseId: string,
  headId: string,
): Promise<CompareData> {
  const [index, base, head] = await Promise.all([
    readIndex(source),
    loadSuite(source, baseId),
    loadSuite(source, headId),
  ]);
  const suites = new Set([base.entry.suite, head.entry.suite]);
  const choices = listedSuiteRuns(index).filter((e) => suites.has(e.suite));
  return { base, head, comparison: compareSuites(base.tasks, head.tasks), choices };
}
