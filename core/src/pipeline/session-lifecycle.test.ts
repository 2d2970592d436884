import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTree, project } from '../test-support/tree.js';
import { runSuites } from './run-suite.js';

// The whole lifecycle without Docker: an HTTP endpoint agent needs no sandbox, so a session
// opens its gateway, takes its turns, collects, grades and records with real components only.
const memory = new Map<string, string[]>();
const seen: { session_id: string; turn: number; memory_mode: string; messages: unknown[] }[] = [];
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    const t = JSON.parse(body).task_input;
    seen.push(t);
    const mine = memory.get(t.session_id) ?? [];
    mine.push(t.user_instruction);
    memory.set(t.session_id, mine);
    const reply = t.user_instruction.includes('close it')
      ? 'Ticket CLOSED.'
      : `heard ${mine.length} message(s) in this session; ${t.messages.length} sent this turn`;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ final_response: reply }));
  });
});
let url = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/agent`;
});
afterAll(() => new Promise((r) => server.close(r)));

const files = (memoryMode: string, keyword = '') => ({
  ...project(),
  '.gauntlet/agents/desk.yaml': `kind: agent\nname: desk\nhttp:\n  url: ${url}\ntimeout: 10\n`,
  '.gauntlet/suites/s.yaml': `kind: suite\nname: s\nagent: desk\nmulti_turn:\n  simulator_mode: scripted\n  scripted_user_turns: ["more", "please close it", "unreachable"]\n  max_turns: 4\n  memory_mode: ${memoryMode}\n${keyword}tasks:\n  - user: "open a ticket"\n`,
});

describe('a session through the whole lifecycle, no Docker', () => {
  it('stateful: the endpoint gets the session id and only the new message each turn', async () => {
    const root = await makeTree(files('stateful', '  termination_keyword: CLOSED\n'));
    const [res] = await runSuites({ root });
    const r = res.records[0];
    expect(r.status).toBe('completed');
    expect(r.multi_turn).toMatchObject({
      memory_mode: 'stateful',
      termination_reason: 'termination_keyword',
      turns_used: 3,
    });
    const mine = seen.filter((s) => s.session_id === r.id);
    expect(mine.map((s) => [s.turn, s.memory_mode, s.messages.length])).toEqual([
      [1, 'stateful', 1],
      [2, 'stateful', 1],
      [3, 'stateful', 1],
    ]);
    expect(r.multi_turn!.transcript[3].content).toBe(
      'heard 2 message(s) in this session; 1 sent this turn',
    );
    // Each phase of the lifecycle is timed in the record; a session without a sandbox seeds nothing.
    expect(Object.keys(r.phases)).toEqual(
      expect.arrayContaining(['resolve_ms', 'open_ms', 'turns_ms', 'collect_ms', 'grade_ms']),
    );
    expect(r.phases.seed_ms).toBeUndefined();
  });

  it('replay: the whole conversation goes with each turn; max_turns ends it', async () => {
    const root = await makeTree(files('replay'));
    const [res] = await runSuites({ root });
    const r = res.records[0];
    expect(r.multi_turn).toMatchObject({ termination_reason: 'max_turns', turns_used: 4 });
    const mine = seen.filter((s) => s.session_id === r.id);
    expect(mine.map((s) => s.messages.length)).toEqual([1, 3, 5, 7]);
  });
});
