import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandAdapter } from '../core/src/agents/command/adapter.js';
import { SecretResolver } from '../core/src/config/secrets.js';
import { PriceTable } from '../core/src/models/prices.js';
import { ModelRelay } from '../core/src/models/relay.js';
import { loadScript, serveScript, type Script } from '../core/src/models/scripted.js';
import { DockerDriver } from '../core/src/sandbox/docker.js';
import { ImageManager } from '../core/src/sandbox/images.js';
import { dockerReady } from '../core/src/test-support/docker.js';
import { Session } from '../core/src/session/session.js';
import type { TurnInput } from '../core/src/session/types.js';
import { seedWorkspace } from '../core/src/workspace/seed.js';
import { packageRoot } from '../core/src/util/paths.js';

/**
 * Stateful coding sessions with the real Claude Code and Codex binaries (mounted from .cache/,
 * as examples/coding does) against the scripted model: turn 1 runs the configured command,
 * turn 2 runs resumeCommand(configured, the session id turn 1 printed) in the same container,
 * and the model's second-turn request must carry turn 1's conversation. The plumbing is the
 * engine's own: a Session with a seeded workspace and the command agent's adapter.
 */

const CLIS: Record<'claude' | 'codex', string> = {
  claude: '.cache/claude/node_modules/@anthropic-ai/claude-code-linux-x64/claude',
  codex: '.cache/codex/node_modules/@openai/codex/vendor/x86_64-unknown-linux-musl/bin/codex',
};
const CLAUDE_SYSTEM = 'Claude|cc_version';
const CODEX_SYSTEM = 'Codex CLI|You are Codex';

function clisReady(): boolean {
  const missing = Object.values(CLIS).filter((p) => !existsSync(join(packageRoot(), p)));
  if (missing.length && process.env.CI === 'true')
    throw new Error(`missing ${missing.join(', ')}: scripts/install-tools.sh installs them`);
  if (missing.length) console.warn(`!!! ${missing.join(', ')} missing: resume test skipped`);
  return !missing.length;
}

const TURN_1 = 'Turn one: write the codeword PAPAYA to notes.txt.';
const TURN_2 = 'Turn two: what was the codeword, and in which file?';

/**
 * Turn 1 writes the codeword with a shell tool and says so; turn 2's answer names it only when
 * the request carries turn 1 (the `any` regex reads the whole request). Anything else gets the
 * fallback, which the assertions would show.
 */
const SCRIPT: Script = {
  rules: [
    ...(
      [
        [CLAUDE_SYSTEM, { name: 'Bash', input: { command: 'echo PAPAYA > notes.txt' } }],
        [CODEX_SYSTEM, { name: 'exec_command', input: { cmd: 'echo PAPAYA > notes.txt' } }],
      ] as const
    ).flatMap(([system, tool]) => [
      { when: { system, last_user: 'Turn one', turn: 0 }, reply: { tool_use: tool } },
      { when: { system, any: 'Turn one', turn: 1 }, reply: { text: 'Wrote it to notes.txt.' } },
      {
        when: { system, last_user: 'Turn two', any: 'echo PAPAYA > notes.txt', turn: 2 },
        reply: { text: 'The codeword was PAPAYA, in notes.txt.' },
      },
    ]),
  ],
  fallback: { text: 'NOT RESUMED: no rule matched', usage: { input_tokens: 1, output_tokens: 1 } },
};

type Served = Awaited<ReturnType<typeof serveScript>>;
let server: Served;
let example: Served;
let image = '';

beforeAll(async () => {
  if (!dockerReady()) return;
  server = await serveScript(SCRIPT);
  example = await serveScript(
    loadScript(join(packageRoot(), 'examples/coding/.gauntlet/models/scripted.yaml')),
  );
  image = await new ImageManager().ensureBase();
});
afterAll(async () => Promise.all([server?.close(), example?.close()]));

/**
 * One CLI in one session: turn 1 runs the configured command, turn 2 resumes the session id
 * turn 1 reported (stateful memory, as a conversation does); with `control`, a third turn sends
 * turn 2's message without resuming. `repo` seeds the workspace; `inspect` runs last. Returns
 * the turns, the inspection and the model's requests from turn 2 on.
 */
async function session(o: {
  cli: 'claude' | 'codex';
  configured: string;
  model: Served;
  prompts: [string, string];
  repo?: string;
  control?: boolean;
  inspect: string;
}) {
  const relay = new ModelRelay(
    {
      anthropic: { format: 'anthropic', baseUrl: o.model.url },
      openai: { format: 'openai', baseUrl: o.model.url },
    },
    new PriceTable(),
  );
  const repo = o.repo ?? (await mkdtemp(join(tmpdir(), 'resume-repo-')));
  const ws = await seedWorkspace({ path: repo }, '/', new SecretResolver({}));
  const agent = new CommandAdapter({
    name: o.cli,
    command: o.configured,
    image,
    env: {},
    timeoutMs: 120_000,
    mounts: [
      {
        host: join(packageRoot(), CLIS[o.cli]),
        container: `/usr/local/bin/${o.cli}`,
        readonly: true,
      },
    ],
    scenario: { kind: 'scenario', name: 'resume', workspace: { path: repo } },
  });
  const s = await Session.open({
    runId: `resume-${o.cli}-${process.pid}-${Date.now()}`,
    token: `gt_resume_${o.cli}`,
    relay,
    sandbox: {
      driver: new DockerDriver(),
      image,
      limits: { memoryMb: 1024, cpus: 1, pidsLimit: 256 },
      mounts: Session.mountsFor([agent], { packDir: ws.packDir }),
    },
  });
  const input = (turn: number, message: string, resume: string | null): TurnInput => ({
    turn,
    message,
    messages: [{ role: 'user', content: message }],
    memory: resume ? 'stateful' : 'replay',
    resumeSessionId: resume,
    task: { id: 't', behavior_instructions: null, initial_state: null },
  });
  try {
    await s.seed({ packDir: ws.packDir });
    const t1 = await s.turn(agent, input(1, o.prompts[0], null));
    const id = t1.outcome.agent_session_id;
    if (!id) throw new Error(`turn 1 reported no session id: ${JSON.stringify(t1.outcome.debug)}`);
    const firstOfTurn2 = o.model.model.requests.length;
    const t2 = await s.turn(agent, input(2, o.prompts[1], id));
    const turn2 = o.model.model.requests.slice(firstOfTurn2);
    // The control: the same message without resuming reaches a model that never saw turn 1.
    const control = o.control ? await s.turn(agent, input(3, o.prompts[1], null)) : undefined;
    const inspect = await s.requireSandbox().exec(['sh', '-c', o.inspect], {
      cwd: '/home/user/workspace',
      timeoutMs: 30_000,
    });
    return { t1, t2, control, inspect, turn2 };
  } finally {
    await s.close([agent]);
    await rm(ws.root, { recursive: true, force: true });
  }
}

describe.skipIf(!dockerReady() || !clisReady())(
  'coding CLIs resume their own session across turns, in one sandbox',
  () => {
    it('Claude Code: --resume <init line session_id> continues the conversation', async () => {
      const r = await session({
        cli: 'claude',
        configured: 'claude -p "$(cat $GAUNTLET_TASK_FILE)"',
        model: server,
        prompts: [TURN_1, TURN_2],
        control: true,
        inspect: 'cat notes.txt',
      });
      const [one, two, fresh, notes] = [r.t1.outcome, r.t2.outcome, r.control!.outcome, r.inspect];
      expect(one.exitCode, one.debug.stderr_tail).toBe(0);
      expect(one.agent_session_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(two.exitCode, two.debug.stderr_tail).toBe(0);
      // The resumed turn is the same session, and the model saw turn 1 before the new message.
      expect(two.agent_session_id).toBe(one.agent_session_id);
      expect(two.final_response).toBe('The codeword was PAPAYA, in notes.txt.');
      const messages = (r.turn2[0].body as { messages: { role: string; content: unknown }[] })
        .messages;
      const text = JSON.stringify(messages);
      expect(text.indexOf(TURN_1)).toBeGreaterThanOrEqual(0);
      expect(text.indexOf('echo PAPAYA > notes.txt')).toBeGreaterThan(text.indexOf(TURN_1));
      expect(text.indexOf('Wrote it to notes.txt.')).toBeGreaterThan(text.indexOf('echo PAPAYA'));
      expect(text.lastIndexOf(TURN_2)).toBeGreaterThan(text.indexOf('Wrote it to notes.txt.'));
      expect(messages.filter((m) => m.role === 'assistant')).toHaveLength(2);
      expect(notes.stdout).toBe('PAPAYA\n');
      expect(fresh.final_response).toMatch(/^NOT RESUMED/);
      expect(fresh.agent_session_id).not.toBe(one.agent_session_id);
    }, 120_000);

    it('Codex: exec resume <thread_id of thread.started> continues the thread', async () => {
      const r = await session({
        cli: 'codex',
        configured: 'codex exec -m gpt-5.1-codex "$(cat $GAUNTLET_TASK_FILE)"',
        model: server,
        prompts: [TURN_1, TURN_2],
        control: true,
        inspect: 'cat notes.txt',
      });
      const [one, two, fresh, notes] = [r.t1.outcome, r.t2.outcome, r.control!.outcome, r.inspect];
      expect(one.exitCode, one.debug.stderr_tail).toBe(0);
      expect(one.agent_session_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(two.exitCode, two.debug.stderr_tail).toBe(0);
      expect(two.agent_session_id).toBe(one.agent_session_id);
      expect(two.final_response).toBe('The codeword was PAPAYA, in notes.txt.');
      const input = (r.turn2[0].body as { input: { type?: string; role?: string }[] }).input;
      const text = JSON.stringify(input);
      expect(text.indexOf(TURN_1)).toBeGreaterThanOrEqual(0);
      expect(text.indexOf('echo PAPAYA > notes.txt')).toBeGreaterThan(text.indexOf(TURN_1));
      expect(text.indexOf('Wrote it to notes.txt.')).toBeGreaterThan(text.indexOf('echo PAPAYA'));
      expect(text.lastIndexOf(TURN_2)).toBeGreaterThan(text.indexOf('Wrote it to notes.txt.'));
      expect(notes.stdout).toBe('PAPAYA\n');
      expect(fresh.final_response).toMatch(/^NOT RESUMED/);
      expect(fresh.agent_session_id).not.toBe(one.agent_session_id);
    }, 120_000);

    it('examples/coding: resumed Claude Code adds subtract() on top of turn 1', async () => {
      const r = await session({
        cli: 'claude',
        configured: 'claude -p "$(cat $GAUNTLET_TASK_FILE)"',
        model: example,
        prompts: [
          'Fix add() in calc.py so the test suite passes.',
          'Now add a subtract(a, b) function to calc.py with a test.',
        ],
        repo: join(packageRoot(), 'examples/coding/repo'),
        inspect: 'cat calc.py test_calc.py && python3 -m pytest -q -p no:cacheprovider',
      });
      const [one, two, state] = [r.t1.outcome, r.t2.outcome, r.inspect];
      expect(one.exitCode, one.debug.stderr_tail).toBe(0);
      expect(one.final_response).toBe('Fixed add() to return a + b; the test suite passes.');
      expect(two.exitCode, two.debug.stderr_tail).toBe(0);
      expect(two.final_response).toBe(
        'Added subtract(a, b) to calc.py with a test; the test suite passes.',
      );
      expect(two.steps.map((s) => s.summary)).toEqual([
        'read /home/user/workspace/calc.py',
        'Adding subtract() below add().',
        'edit /home/user/workspace/calc.py',
        'read /home/user/workspace/test_calc.py',
        'write /home/user/workspace/test_calc.py',
        '$ python3 -m pytest -q → exit 0',
        'Added subtract(a, b) to calc.py with a test; the test suite passes.',
      ]);
      // Six model calls in turn 2, each carrying turn 1's four.
      expect(r.turn2).toHaveLength(6);
      expect(JSON.stringify(r.turn2[0].body)).toContain('Fix add() in calc.py');
      expect(state.stdout).toContain('    return a + b\n\n\ndef subtract(a, b):');
      expect(state.stdout).toContain('def test_subtract():');
      expect(state.stdout).toMatch(/2 passed/);
      expect(state.exitCode).toBe(0);
    }, 120_000);
  },
);
