// Refreshes the normaliser fixtures with real CLI output: runs each CLI that can run here
// (Claude Code, Codex, Gemini CLI; installed into .cache/ by scripts/install-tools.sh) against
// the project's scripted model (examples/coding's script) in a scratch copy of the example
// repository, and writes its native transcript to core/src/trajectory/fixtures/.
//   bash scripts/install-tools.sh --capture && npm run -s build && node scripts/capture-transcripts.mjs
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScript, serveScript } from '../build/core/src/models/scripted.js';
import { requestToolResults } from '../build/core/src/models/wire.js';

const root = new URL('..', import.meta.url).pathname;
const cache = join(root, '.cache');
const fixtures = join(root, 'core/src/trajectory/fixtures');
const FIX = 'Fix add() in calc.py so the test suite passes.';
const REFACTOR = 'Refactor add() in calc.py to use operator functions, keeping behaviour.';

const CLIS = {
  'claude-code': (url, prompt) => ({
    argv: [join(cache, 'claude/node_modules/@anthropic-ai/claude-code-linux-x64/claude'), '-p', prompt, '--output-format', 'stream-json', '--verbose', '--dangerously-skip-permissions'],
    env: { ANTHROPIC_BASE_URL: url, ANTHROPIC_API_KEY: 'gt_capture', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_AUTOUPDATER: '1', IS_SANDBOX: '1' },
  }),
  codex: (url, prompt, model = 'gpt-5.1-codex') => ({
    argv: [join(cache, 'codex/node_modules/@openai/codex/vendor/x86_64-unknown-linux-musl/bin/codex'), 'exec', ...(model ? ['-m', model] : []), prompt, '--json', '--dangerously-bypass-approvals-and-sandbox', '--skip-git-repo-check',
      '-c', 'model_provider=gauntlet', '-c', `model_providers.gauntlet={name="gauntlet",base_url="${url}/v1",env_key="OPENAI_API_KEY",wire_api="responses"}`],
    env: { OPENAI_API_KEY: 'gt_capture' },
  }),
  // Codex's default model, which works in "code mode" (nested tools called from JavaScript).
  'codex-code-mode': (url, prompt) => CLIS.codex(url, prompt, null),
  gemini: (url, prompt) => ({
    argv: [process.execPath, join(cache, 'gemini/node_modules/@google/gemini-cli/bundle/gemini.js'), '-m', 'gemini-2.5-pro', '-p', prompt, '--output-format', 'stream-json', '--yolo', '--skip-trust'],
    env: { GOOGLE_GEMINI_BASE_URL: url, GEMINI_API_KEY: 'gt_capture', GEMINI_CLI_SYSTEM_SETTINGS_PATH: join(root, 'core/runtime/gemini-settings.json') },
  }),
};

async function capture(name, task, prompt) {
  const script = loadScript(join(root, 'examples/coding/.gauntlet/models/scripted.yaml'));
  // The script addresses files at the sandbox path; point it at the scratch copy instead.
  const ws = mkdtempSync(join(tmpdir(), 'capture-'));
  cpSync(join(root, 'examples/coding/repo'), ws, { recursive: true });
  const server = await serveScript(JSON.parse(JSON.stringify(script).replaceAll('/home/user/workspace', ws)));
  const { argv, env } = CLIS[name](server.url, prompt);
  const home = mkdtempSync(join(tmpdir(), 'home-'));
  // Codex runs commands in a login shell, which would reset PATH to the system python (no pytest).
  writeFileSync(join(home, '.bash_profile'), `export PATH=${JSON.stringify(process.env.PATH)}\n`);
  const child = spawn(argv[0], argv.slice(1), { cwd: ws, stdio: ['ignore', 'pipe', 'inherit'], env: { PATH: process.env.PATH, HOME: home, ...env } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await new Promise((r) => child.on('close', r));
  await server.close();
  // Machine-specific paths, ids and times are normalised so the fixture is stable.
  const fixture = out
    .replaceAll(ws, '/home/user/workspace')
    .replace(/"(session_id|uuid|cwd|thread_id)":"[^"]*"/g, '"$1":"x"')
    .replace(/"timestamp":"[^"]*"/g, '"timestamp":"2026-01-01T00:00:00.000Z"')
    .replace(/"duration_ms":\d+/g, '"duration_ms":0')
    .replace(/ in \d+\.\d+s/g, ' in 0.01s');
  const file = `${name}-${task}.jsonl`;
  writeFileSync(join(fixtures, file), fixture);
  // Gemini CLI tells only the model a command's exit code: keep what the gateway would have seen.
  if (name === 'gemini') {
    const results = server.model.requests.flatMap((r) => requestToolResults('gemini', r.body)).map((r) => ({ ...r, output: r.output.replaceAll(ws, '/home/user/workspace').replace(/ in \d+\.\d+s/g, ' in 0.01s').replace(/PGID: \d+/g, 'PGID: 1') }));
    writeFileSync(join(fixtures, `${name}-${task}.tool-results.json`), JSON.stringify(results, null, 1) + '\n');
  }
  console.log(`${file}: ${fixture.split('\n').filter(Boolean).length} lines`);
}

await capture('claude-code', 'fix-add', FIX);
await capture('codex-code-mode', 'fix-add', FIX);
for (const name of ['codex', 'gemini']) {
  await capture(name, 'fix-add', FIX);
  await capture(name, 'refactor-add', REFACTOR);
}
