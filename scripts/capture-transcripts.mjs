// Refreshes the normaliser fixtures with real CLI output: runs each CLI that can run here
// against the project's scripted model (examples/coding's script) in a scratch copy of the
// example repository, and writes its native transcript to core/src/trajectory/fixtures/.
//   npm run -s build && node scripts/capture-transcripts.mjs
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScript, serveScript } from '../build/core/src/models/scripted.js';

const root = new URL('..', import.meta.url).pathname;
const script = loadScript(join(root, 'examples/coding/.gauntlet/models/scripted.yaml'));
// The script addresses files at the sandbox path; point it at the scratch copy instead.
const ws = mkdtempSync(join(tmpdir(), 'capture-'));
cpSync(join(root, 'examples/coding/repo'), ws, { recursive: true });
const text = JSON.stringify(script).replaceAll('/home/user/workspace', ws);
const server = await serveScript(JSON.parse(text));
const claude = join(root, '.cache/claude/node_modules/@anthropic-ai/claude-code-linux-x64/claude');
const child = spawn(claude, ['-p', 'Fix add() in calc.py so the test suite passes.', '--output-format', 'stream-json', '--verbose', '--dangerously-skip-permissions'], {
  cwd: ws, stdio: ['ignore', 'pipe', 'inherit'],
  env: { PATH: process.env.PATH, HOME: mkdtempSync(join(tmpdir(), 'home-')), ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'gt_capture', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_AUTOUPDATER: '1', IS_SANDBOX: '1' },
});
let out = '';
child.stdout.on('data', (d) => (out += d));
await new Promise((r) => child.on('close', r));
await server.close();
// Machine-specific paths and ids are normalised so the fixture is stable.
const fixture = out.replaceAll(ws, '/home/user/workspace').replace(/"(session_id|uuid|cwd)":"[^"]*"/g, '"$1":"x"');
writeFileSync(join(root, 'core/src/trajectory/fixtures/claude-code-fix-add.jsonl'), fixture);
console.log(`claude-code: ${fixture.split('\n').filter(Boolean).length} lines`);
