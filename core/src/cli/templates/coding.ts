import { GITIGNORE, verdict } from './project.js';

/** The repository a coding agent works on: a tiny package whose add() is wrong. */
const WORKSPACE = {
  '.gauntlet/workspaces/calc/calc.py': `def add(a, b):
    """Return the sum of a and b."""
    return a - b
`,
  '.gauntlet/workspaces/calc/test_calc.py': `from calc import add


def test_add():
    assert add(2, 3) == 5
`,
  '.gauntlet/workspaces/calc/.gitignore': '__pycache__/\n.pytest_cache/\n',
};

const SCENARIO = `kind: scenario
name: calc
description: A tiny Python package whose add() is wrong, with a pytest suite.
workspace:
  # A folder beside this file. To evaluate on your own repository: path: ../.. (the folder
  # holding .gauntlet/), or git: { url: https://github.com/org/repo.git, ref: main }.
  path: ../workspaces/calc
setup:
  mode: platform             # runs before the baseline commit: never part of the graded diff
  command: PYTHONDONTWRITEBYTECODE=1 python3 -m pytest -q --co >/dev/null
scorers:                     # run in the sandbox after the agent; a failing one fails the run
  - { name: tests, command: "python3 -m pytest -q", timeout: 120 }
  - { name: scope, allowed_paths: ["calc.py"] }   # the only file the fix may change
`;

const TASKS = `id,user
fix-add,Fix add() in calc.py so the test suite passes.
`;

function suite(agent: string): string {
  return `kind: suite
name: smoke
description: Can the agent fix a failing test, changing nothing else?
agent: ${agent}
scenario: calc
judge:
  model: claude-sonnet-4-6   # sees the task, the diff and the scorers' results
tasks:
  csv: tasks.csv
columns: [id]
gates:                       # a failing gate fails \`gauntlet run\` (exit 1) and the CI job
  min_pass_rate: 1.0
`;
}

/** The judge's rules, after the agent's: PASS when the agent says it fixed add(). */
export const JUDGE_RULES = `  # the judge
  - when:
      system: "judge of an AI agent"
      any: "Fixed add\\\\(\\\\) to return a \\\\+ b"
    reply:
      ${verdict(true, 'The diff changes a - b to a + b and the tests pass.')}
      usage: { input_tokens: 900, output_tokens: 60 }
  - when: { system: "judge of an AI agent" }
    reply:
      ${verdict(false, 'The change does not fix add(), or changes more than it should.')}
      usage: { input_tokens: 900, output_tokens: 60 }
`;

export const SCRIPT_HEAD = `# The scripted model: answers by rules over each request, so runs are
# deterministic, offline and free. It drives the real CLI turn by turn (turn = model turns so
# far) and plays the judge. Add rules as you add tasks, or switch to a real model in
# gauntlet.yaml.
rules:
`;

/** The files every coding scaffold shares: scenario, workspace, suite and tasks. */
export function codingScaffold(agent: string): Record<string, string> {
  return {
    '.gauntlet/.gitignore': GITIGNORE,
    '.gauntlet/scenarios/calc.yaml': SCENARIO,
    ...WORKSPACE,
    '.gauntlet/suites/smoke.yaml': suite(agent),
    '.gauntlet/suites/tasks.csv': TASKS,
  };
}
