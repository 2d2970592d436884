import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHttpAgent } from './http.js';
import type { TaskInput } from './types.js';

const task: TaskInput = {
  user_instruction: 'hi',
  behavior_instructions: null,
  initial_state: null,
  task_id: 't',
  session_id: 's',
  turn: 1,
  memory_mode: 'replay',
  messages: [],
};
let base = '';
let resets = 0;
const received: unknown[] = [];
const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/ok': (_q, s) =>
    s
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ final_response: 'done' })),
  '/401': (_q, s) => s.writeHead(401).end('{}'),
  '/404': (_q, s) => s.writeHead(404).end('{}'),
  '/503': (_q, s) => s.writeHead(503).end('{}'),
  '/html': (_q, s) => s.writeHead(200, { 'content-type': 'text/html' }).end('<html>'),
  '/nofield': (_q, s) => s.writeHead(200).end(JSON.stringify({ answer: 'x' })),
  '/slow': (_q, s) =>
    void setTimeout(() => s.writeHead(200).end(JSON.stringify({ final_response: 'late' })), 3000),
  '/flaky': (q, s) =>
    resets++ === 0
      ? q.socket.destroy()
      : s.writeHead(200).end(JSON.stringify({ final_response: 'second try' })),
};
const server = createServer((req, res) => {
  let body = '';
  req
    .on('data', (c) => (body += c))
    .on('end', () => {
      received.push(JSON.parse(body || 'null'));
      routes[req.url ?? '']?.(req, res);
    });
});

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const go = (path: string, timeoutMs = 2000) =>
  runHttpAgent(
    { url: base + path, headers: { authorization: 'Bearer t' }, timeoutMs, runId: 'r1' },
    task,
  );

describe('HTTP endpoint agents', () => {
  it('posts the task and takes final_response', async () => {
    const o = await go('/ok');
    expect(o).toMatchObject({ status: 'completed', final_response: 'done', error: null });
    expect(received.at(-1)).toEqual({ task_input: task, run_id: 'r1' });
  });

  it.each([
    ['/401', 'auth_failed'],
    ['/404', 'agent_4xx'],
    ['/503', 'agent_5xx'],
    ['/html', 'agent_bad_response'],
    ['/nofield', 'agent_bad_response'],
  ])('%s gives the %s chip', async (path, cls) => {
    const o = await go(path);
    expect(o.status).toBe('failed');
    expect(o.error?.class).toBe(cls);
  });

  it('classifies a slow endpoint as agent_timeout', async () => {
    expect((await go('/slow', 300)).error?.class).toBe('agent_timeout');
  });

  it('classifies a closed port as agent_unreachable', async () => {
    const o = await runHttpAgent(
      { url: 'http://127.0.0.1:9/x', headers: {}, timeoutMs: 2000, runId: 'r' },
      task,
    );
    expect(o.error?.class).toBe('agent_unreachable');
  });

  it('re-dispatches once after a transient transport failure, with a soft warning', async () => {
    const o = await go('/flaky');
    expect(o).toMatchObject({ status: 'completed', final_response: 'second try' });
    expect(o.soft_warnings[0]).toContain('re-dispatched once');
  });
});
