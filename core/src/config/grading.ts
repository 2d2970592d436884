import type { ConfigIssue } from './errors.js';
import type { Task } from './tasks.js';
import type { Loaded, ScenarioConfig, SuiteConfig } from './types.js';

/** What a grading source sees of a suite: its config, its expanded tasks, the scenarios. */
export interface SuiteGrading {
  suite: Loaded<SuiteConfig>;
  tasks: Task[];
  scenarios: Map<string, Loaded<ScenarioConfig>>;
}

/**
 * Something that turns a run into a verdict. A suite with none grades nothing and reports
 * 0% pass whatever its agent does, so validation refuses it; each source says whether it
 * grades the suite and how to add it, and the refusal offers every source's fix.
 */
export interface GradingSource {
  name: string;
  grades(s: SuiteGrading): boolean;
  /** How to add this source to a suite that has none, in the user's terms. */
  fix(s: SuiteGrading): string;
}

const SOURCES: GradingSource[] = [];

/** Adds a source (checks, for one, register here when they land). */
export function registerGradingSource(source: GradingSource): void {
  if (!SOURCES.some((s) => s.name === source.name)) SOURCES.push(source);
}

registerGradingSource({
  name: 'scorers',
  grades: ({ tasks }) => tasks.some((t) => (t.scenario?.config.scorers?.length ?? 0) > 0),
  fix: ({ suite, scenarios }) => {
    const name = suite.value.scenario;
    const sc = name ? scenarios.get(name) : undefined;
    if (sc) return `add scorers to its scenario "${name}" in ${sc.file}`;
    return 'give it a scenario: with scorers (e.g. { name: tests, command: "pytest -q" })';
  },
});

registerGradingSource({
  name: 'judge',
  grades: ({ suite }) => suite.value.judge !== 'none',
  fix: () => 'set judge: { model: <model> } (or drop judge: none to use judge_model)',
});

registerGradingSource({
  name: 'checks',
  grades: ({ tasks }) => tasks.some((t) => (t.expect?.length ?? 0) > 0),
  fix: () => 'add expect: checks (e.g. - contains: "refund") to the suite or its tasks',
});

/** The refusal of a suite that nothing grades, at its `judge` key; undefined if graded. */
export function ungradedSuite(s: SuiteGrading): ConfigIssue | undefined {
  if (SOURCES.some((src) => src.grades(s))) return undefined;
  const at = s.suite.value.judge === undefined ? [] : ['judge'];
  return {
    ...s.suite.pos(at),
    code: 'suite_grades_nothing',
    field: 'judge',
    message:
      'the suite has no judge (none) and no task has scorers, so it grades nothing: ' +
      'every run would end without a verdict (0% pass)',
    fix: SOURCES.map((src) => src.fix(s)).join('; or '),
  };
}
