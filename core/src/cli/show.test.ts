import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunRecord } from '../results/record.js';
import {
  CANARY,
  hostile,
  hostileRecords,
  seeded,
  UNSAFE_CHARS,
} from '../test-support/hostile-text.js';
import {
  CODING_SESSION,
  longSession,
  record,
  REFUND_SESSION,
  sessionRecord,
} from '../test-support/records.js';
import { main } from './main.js';
import { wantsColor } from './terminal.js';

const DIFF = [
  'diff --git a/app.py b/app.py',
  '--- a/app.py',
  '+++ b/app.py',
  '@@ -1 +1 @@',
  '-return 1',
  '+return 2',
  '',
].join('\n');
const SGR = /\x1b\[[0-9;]*m/g;

let dir: string;
let stdout: string;
let tty: PropertyDescriptor | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gauntlet-show-'));
  stdout = '';
  tty = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
  const capture = (s: string | Uint8Array) => ((stdout += String(s)), true);
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.stubEnv('NO_COLOR', '');
  vi.stubEnv('TERM', 'xterm-256color');
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  if (tty) Object.defineProperty(process.stdout, 'isTTY', tty);
  else delete (process.stdout as { isTTY?: boolean }).isTTY;
  rmSync(dir, { recursive: true, force: true });
});

function store(r: RunRecord) {
  mkdirSync(join(dir, 'runs', 's1'), { recursive: true });
  writeFileSync(join(dir, 'runs', 's1', `${r.id}.json`), JSON.stringify(r));
}

async function show(id: string, ...flags: string[]) {
  stdout = '';
  expect(await main(['show', id, '--results', dir, ...flags])).toBe(0);
  return stdout;
}

const setTty = (on: boolean) =>
  Object.defineProperty(process.stdout, 'isTTY', { value: on, configurable: true });

const TAIL = `${'line\n'.repeat(30)}AssertionError: 1 != 2\n`;
const coding = (o: Partial<RunRecord> = {}) =>
  record({
    task_id: 'fix-bug',
    id: 'rcoding1',
    verdict: 'FAIL',
    overall: 'FAIL',
    diff: DIFF,
    scorers: [
      { name: 'tests', passed: false, score: 0, tail: TAIL },
      { name: 'lint', passed: true },
    ],
    ...o,
  });

describe('gauntlet show', () => {
  it('shows the scorer badges, OVERALL and the final diff of a coding run', async () => {
    store(coding());
    setTty(false);
    const text = await show('rcoding1');
    expect(text).toContain('── Scorers · OVERALL FAIL');
    expect(text).toMatch(/^✗ tests {2}score 0$/m);
    expect(text).toMatch(/^✓ lint$/m);
    expect(text).toContain('    … last 20 of 31 lines (--json for all)');
    expect(text).toContain('    AssertionError: 1 != 2');
    expect(text).toContain('── Final diff (1 file(s))');
    expect(text).toContain('-return 1\n+return 2\n');
    expect(text).not.toMatch(SGR); // piped: never coloured
  });

  it('colours the diff on a TTY, and not when NO_COLOR is set', async () => {
    store(coding());
    setTty(true);
    expect(await show('rcoding1')).toContain('\x1b[31m-return 1\x1b[0m\n\x1b[32m+return 2\x1b[0m');
    vi.stubEnv('NO_COLOR', '1');
    expect(await show('rcoding1')).not.toMatch(SGR);
  });

  it('decides colour from the stream and the environment', () => {
    expect(wantsColor({ isTTY: true }, {})).toBe(true);
    expect(wantsColor({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(wantsColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColor({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(wantsColor({ isTTY: false }, {})).toBe(false);
    expect(wantsColor({}, {})).toBe(false);
  });

  it('shows both costs with a note only when the CLI and the price table disagree', async () => {
    const cost = (agent: number) => ({
      agent_usd: agent,
      judge_usd: 0,
      simulator_usd: 0,
      total_usd: agent,
    });
    const usage = (usd: number | null) => ({ input_tokens: 10, output_tokens: 5, cost_usd: usd });
    const cases: [number, number | null, boolean][] = [
      [0.002, 0.5, true], // far apart
      [0.005, 0.019, true], // over a cent and over 5%
      [0.01, 0.0105, false], // within a cent
      [10, 10.3, false], // over a cent, within 5%
      [10, 11, true],
      [0.002, null, false], // the CLI reported no cost
    ];
    for (const [i, [agent, cli, note]] of cases.entries()) {
      store(coding({ id: `rcost${i}`, cost: cost(agent), cli_usage: usage(cli) }));
      const text = await show(`rcost${i}`);
      expect(text.includes('the agent CLI reported'), `agent ${agent} vs CLI ${cli}`).toBe(note);
      const which = /price table over the model calls the gateway\n {2}recorded \(cost\.agent_usd/;
      if (note) expect(text).toMatch(which);
    }
  });

  it('prints hostile record text inert, coloured or not, and --json as the same data', async () => {
    const rng = seeded(7);
    for (const [i, r] of hostileRecords(() => hostile(rng)).entries()) {
      const id = `rhostile${i}`;
      store({ ...r, id });
      setTty(false);
      const plain = await show(id);
      expect(plain).toContain(CANARY);
      expect(UNSAFE_CHARS.exec(plain)?.[0]).toBeUndefined();
      setTty(true);
      expect(UNSAFE_CHARS.exec((await show(id)).replace(SGR, ''))?.[0]).toBeUndefined();
      const json = await show(id, '--json');
      expect(json).not.toMatch(/[\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
      expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify({ ...r, id })));
    }
  });

  it('prints the session of a multi-turn run: header, transcript, per-turn numbers', async () => {
    store(sessionRecord(REFUND_SESSION, { task_id: 'refund', id: 'rrefund1' }));
    setTty(false);
    const text = await show('rrefund1');
    const session = text.slice(text.indexOf('── Session'), text.indexOf('── Trajectory'));
    expect(session.split('\n').slice(1, 4)).toEqual([
      'ended by user_done · 2 of 6 turns · memory stateful · simulator persona $0.0012',
      'turn 1 · user (task): Help me fix my failed refund for order #4521.',
      'turn 1 · agent: I see the refund for order #4521 failed because the card on file has' +
        ' expired. Shall I reissue it as store credit, or to a new card?',
    ]);
    expect(session).toContain("turn 3 · user (persona, closing): Great, that's all I needed.");
    expect(text).toContain('cost: agent $0.0020 · judge $0.0010 · simulator $0.0012');
    expect(text).toMatch(/^\+ {2}1\.00s {2}t2 {2}model_call/m);
    store(sessionRecord(CODING_SESSION, { task_id: 'fix-then-extend', id: 'rcoding2' }));
    expect(await show('rcoding2')).toMatch(
      /^ {2}↳ claude-code · .* · 2 files changed \(\+10 −1\): calc\.py, test_calc\.py$/m,
    );
    store(record({ task_id: 'hours', id: 'rhours1' }));
    expect(await show('rhours1')).not.toContain('── Session');
  });

  it('prints a hostile session inert and bounded, --json with all of it', async () => {
    const rng = seeded(11);
    const text = () => `${hostile(rng)}${'\x1b]0;t\x07</details>'.repeat(2000)}`;
    const [r] = hostileRecords(text);
    const hostileRun = { ...r, id: 'rsession1', multi_turn: longSession(40, text) };
    store(hostileRun);
    setTty(true);
    const out = await show('rsession1');
    expect(UNSAFE_CHARS.exec(out.replace(SGR, ''))?.[0]).toBeUndefined();
    expect(out).toMatch(/^turn 1 · user \(task\): CANARY/m);
    expect(out).toMatch(/^… \d+ turns not shown \(turns \d+–\d+\); --json has the whole/m);
    const json = JSON.parse(await show('rsession1', '--json'));
    expect(json.multi_turn.transcript).toHaveLength(81);
  });
});
