import { codingScaffold, JUDGE_RULES, SCRIPT_HEAD } from './coding.js';
import { projectYaml } from './project.js';

const AGENT = `kind: agent
name: codex
description: OpenAI Codex in exec mode on the calc scenario.
# gauntlet appends --json, the approval flag and a model provider pointing Codex at the gateway
# (OpenAI Responses API; the API key stays on the host).
command: codex exec -m gpt-5.1-codex "$(cat $GAUNTLET_TASK_FILE)"
timeout: 300
# Codex's install line (npm install -g @openai/codex) becomes an image layer: built on the
# first run, then restored from the CI cache. To mount a CLI already on the runner:
# environment:
#   cli_from_host: /usr/local/bin/codex
`;

const FIX = 'any: "Fix add\\\\(\\\\) in calc.py"';

const RULES = `  # Codex fixing add(). Its default model works in "code mode" (one exec tool taking
  # JavaScript); other models get plain function tools (exec_command). Both are answered.
  - when: { ${FIX}, system: "You are Codex, an agent based on", turn: 0 }
    reply:
      tool_use:
        name: exec
        input:
          input: |-
            const r = await tools.exec_command({ cmd: 'cat calc.py' });
            text(r);
      usage: { input_tokens: 12000, output_tokens: 40 }
  - when: { ${FIX}, system: "You are Codex, an agent based on", turn: 1 }
    reply:
      tool_use:
        name: exec
        input:
          input: |-
            const cmd = "sed -i 's/a - b/a + b/' calc.py && python3 -m pytest -q";
            const r = await tools.exec_command({ cmd });
            text(r);
      usage: { input_tokens: 12100, output_tokens: 60 }
  - when: { ${FIX}, system: "You are Codex, an agent based on", turn: 2 }
    reply:
      text: Fixed add() to return a + b; the test suite passes.
      usage: { input_tokens: 12200, output_tokens: 20 }
  - when: { ${FIX}, system: "Codex CLI|You are Codex", turn: 0 }
    reply:
      tool_use: { name: exec_command, input: { cmd: cat calc.py } }
      usage: { input_tokens: 8200, output_tokens: 40 }
  - when: { ${FIX}, system: "Codex CLI|You are Codex", turn: 1 }
    reply:
      text: add() subtracts; patching it.
      tool_use:
        name: exec_command
        input:
          cmd: |-
            apply_patch <<'PATCH'
            *** Begin Patch
            *** Update File: calc.py
            @@
                 """Return the sum of a and b."""
            -    return a - b
            +    return a + b
            *** End Patch
            PATCH
      usage: { input_tokens: 8300, output_tokens: 90 }
  - when: { ${FIX}, system: "Codex CLI|You are Codex", turn: 2 }
    reply:
      tool_use: { name: exec_command, input: { cmd: python3 -m pytest -q } }
      usage: { input_tokens: 8400, output_tokens: 30 }
  - when: { ${FIX}, system: "Codex CLI|You are Codex", turn: 3 }
    reply:
      text: Fixed add() to return a + b; the test suite passes.
      usage: { input_tokens: 8500, output_tokens: 20 }
`;

/** Codex on a coding scenario, graded by a tests scorer, a scope scorer and the judge. */
export function codexScaffold(): Record<string, string> {
  return {
    // Codex speaks OpenAI (Responses); the judge is a Claude model: one script serves both.
    '.gauntlet/gauntlet.yaml': projectYaml(['anthropic', 'openai']),
    '.gauntlet/agents/codex.yaml': AGENT,
    ...codingScaffold('codex'),
    '.gauntlet/models/scripted.yaml': `${SCRIPT_HEAD}${RULES}${JUDGE_RULES}`,
  };
}
