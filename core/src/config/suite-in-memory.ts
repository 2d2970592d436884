import { stringify } from 'yaml';
import { addCliAgents } from './cli-agents.js';
import { ConfigError } from './errors.js';
import { suiteAgents, suiteIssues } from './load.js';
import type { ConfigTree, Loaded, SuiteConfig } from './types.js';
import { validateAgainstSchema } from './validate.js';
import { YamlFile } from './yaml-file.js';

/**
 * A suite built in memory (a programmatic launch), as the loader would have it from a file:
 * it is written out as YAML under `file` (a name for its errors, e.g. "(request)") and read
 * back, so schema errors, positions and field names are the YAML's. Relative paths in it
 * (runbook, files) resolve from `dir`.
 */
export function suiteFromMemory(
  value: SuiteConfig,
  file: string,
  dir: string,
): Loaded<SuiteConfig> {
  const yf = new YamlFile(file, stringify(value));
  const issues = [...yf.issues, ...validateAgainstSchema('suite', yf, value)];
  if (issues.length) throw new ConfigError(issues);
  return { value, file, dir, pos: (p) => yf.pos(p) };
}

/**
 * Adds a suite built in memory to a loaded tree, checked as a suite file is (its agents, a
 * short-named CLI among them, its runbooks, uploads and checks); it replaces a suite file of
 * the same name for this run. Throws ConfigError with every issue.
 */
export async function addInMemorySuite(
  tree: ConfigTree,
  suite: Loaded<SuiteConfig>,
): Promise<void> {
  addCliAgents(tree, suiteAgents(suite.value));
  // Grading is the caller's choice here: a launched run may grade nothing (no verdict).
  const issues = (await suiteIssues(suite, tree, new Set(), true)).filter(
    (i) => i.code !== 'suite_grades_nothing',
  );
  if (issues.length) throw new ConfigError(issues);
  tree.suites.set(suite.value.name, suite);
}
