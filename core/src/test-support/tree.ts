import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Writes a throwaway repository root with the given files (paths relative to the root). */
export async function makeTree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'gauntlet-test-'));
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await writeFile(join(root, rel), content);
  }
  return root;
}

/** A scripted judge that passes every run, and a project using it: for tests about agents, not grading. */
export const PASSING_JUDGE = `rules:
  - when: { system: "judge of an AI agent" }
    reply:
      tool_use: { name: record_verdict, input: { task_completion: 5, instruction_adherence: null, efficiency: 5, verdict: PASS, failure_mode: null, reasoning: "ok" } }
`;

export function project(extra = ''): Record<string, string> {
  return {
    '.gauntlet/gauntlet.yaml': `judge_model: claude-sonnet-4-6\nproviders:\n  anthropic:\n    script: models/judge.yaml\n${extra}`,
    '.gauntlet/models/judge.yaml': PASSING_JUDGE,
  };
}

export function pythonAgent(name: string, code: string, extra = ''): Record<string, string> {
  return {
    [`.gauntlet/agents/${name}.yaml`]: `kind: agent\nname: ${name}\npython:\n  source:\n    inline: |\n${code
      .split('\n')
      .map((l) => `      ${l}`)
      .join('\n')}\n${extra}`,
  };
}

export function suite(
  name: string,
  agent: string,
  tasks: string[],
  extra = '',
): Record<string, string> {
  return {
    [`.gauntlet/suites/${name}.yaml`]: `kind: suite\nname: ${name}\nagent: ${agent}\ntasks:\n${tasks.map((t) => `  - user: ${JSON.stringify(t)}`).join('\n')}\n${extra}`,
  };
}
