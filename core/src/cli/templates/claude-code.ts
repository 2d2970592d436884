import { codingScaffold, JUDGE_RULES, SCRIPT_HEAD } from './coding.js';
import { projectYaml } from './project.js';

const AGENT = `kind: agent
name: claude-code
description: Claude Code in headless mode on the calc scenario.
# gauntlet appends the flags headless runs need and routes its model calls through the gateway
# (the API key stays on the host).
command: claude -p "$(cat $GAUNTLET_TASK_FILE)"
timeout: 300
# Claude Code's install line (npm install -g @anthropic-ai/claude-code) becomes an image layer:
# built on the first run, then restored from the CI cache. To mount a CLI already on the runner:
# environment:
#   cli_from_host: /usr/local/bin/claude
`;

const RULES = `  # Claude Code fixing add(): read, edit, run the tests, answer
  - when: { any: "Fix add\\\\(\\\\) in calc.py", system: "Claude|cc_version", turn: 0 }
    reply:
      tool_use: { name: Read, input: { file_path: /home/user/workspace/calc.py } }
      usage: { input_tokens: 2100, output_tokens: 60 }
  - when: { any: "Fix add\\\\(\\\\) in calc.py", system: "Claude|cc_version", turn: 1 }
    reply:
      text: add() subtracts; it should add.
      tool_use:
        name: Edit
        input:
          file_path: /home/user/workspace/calc.py
          old_string: "    return a - b"
          new_string: "    return a + b"
      usage: { input_tokens: 2300, output_tokens: 80 }
  - when: { any: "Fix add\\\\(\\\\) in calc.py", system: "Claude|cc_version", turn: 2 }
    reply:
      tool_use: { name: Bash, input: { command: python3 -m pytest -q, description: Run the tests } }
      usage: { input_tokens: 2500, output_tokens: 40 }
  - when: { any: "Fix add\\\\(\\\\) in calc.py", system: "Claude|cc_version", turn: 3 }
    reply:
      text: Fixed add() to return a + b; the test suite passes.
      usage: { input_tokens: 2700, output_tokens: 30 }
`;

/** Claude Code on a coding scenario, graded by a tests scorer, a scope scorer and the judge. */
export function claudeCodeScaffold(): Record<string, string> {
  return {
    '.gauntlet/gauntlet.yaml': projectYaml(['anthropic']),
    '.gauntlet/agents/claude-code.yaml': AGENT,
    ...codingScaffold('claude-code'),
    '.gauntlet/models/scripted.yaml': `${SCRIPT_HEAD}${RULES}${JUDGE_RULES}`,
  };
}
