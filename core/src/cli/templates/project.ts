/** gauntlet.yaml of a scaffold: project defaults, with the scripted model serving providers. */
export function projectYaml(scripted: ('anthropic' | 'openai')[]): string {
  const providers = scripted.map((p) => `  ${p}:\n    script: models/scripted.yaml\n`).join('');
  const openai = scripted.includes('openai');
  const key = openai ? 'ANTHROPIC_API_KEY and OPENAI_API_KEY' : 'ANTHROPIC_API_KEY';
  return `# Project defaults for every suite under .gauntlet/ (README: Configuration).
judge_model: claude-sonnet-4-6
concurrency: 2
providers:
  # Offline and free: the scripted model (models/scripted.yaml) answers the agent and the judge,
  # so \`gauntlet run\` passes at once. To use real models, delete the script: lines and set
  # ${key} (in CI: the Action's anthropic-api-key / openai-api-key inputs).
${providers}`;
}

/** Run records are written under .gauntlet/results/: data, not config, and not for git. */
export const GITIGNORE = 'results/\n';

/** The judge's verdict as the scripted model gives it (a forced record_verdict tool call). */
export function verdict(pass: boolean, reasoning: string): string {
  const scores = pass ? 'task_completion: 5, efficiency: 5' : 'task_completion: 1, efficiency: 3';
  const mode = pass ? 'null' : 'wrong_answer';
  const fields = [
    `verdict: ${pass ? 'PASS' : 'FAIL'}`,
    scores,
    'instruction_adherence: null',
    `failure_mode: ${mode}`,
    `reasoning: ${JSON.stringify(reasoning)}`,
  ];
  return `tool_use: { name: record_verdict, input: { ${fields.join(', ')} } }`;
}
