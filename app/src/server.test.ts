import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { record } from '../../core/src/test-support/records.js';
import { captureLog } from './test-support/capture-log.js';
import { API, authScope, example, INSTALLATION, loadApp } from './test-support/fixtures.js';
import { resultsBranch, suiteRun } from './test-support/fixtures.js';
import { createWebhookServer } from './webhook-server.js';

const SECRET = 'loopback-webhook-secret';
const REPO = 'Codertocat/Hello-World';
const MB = 1024 * 1024;
/** Written into every hostile body: it must never reach the log. */
const CANARY = 'CANARY-payload-body-7f3a';

beforeEach(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

async function serve() {
  const logs = captureLog();
  const { probot, state } = await loadApp(SECRET, { log: logs.log });
  const server: Server = createWebhookServer({ probot, secret: SECRET });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/api/github/webhooks`;
  return { server, port, url, drain: () => state.drain(), logs };
}

const sign = (body: string | Buffer, secret = SECRET) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

function delivery(body: string, signature: string, id = `e2e-${signature.slice(7, 15)}`) {
  const headers = {
    'content-type': 'application/json',
    'x-github-event': 'workflow_run',
    'x-github-delivery': id,
    'x-hub-signature-256': signature,
  };
  return { method: 'POST', body, headers };
}

function head(id: string, framing: string) {
  return [
    'POST /api/github/webhooks HTTP/1.1',
    'Host: 127.0.0.1',
    'Content-Type: application/json',
    'X-GitHub-Event: workflow_run',
    `X-GitHub-Delivery: ${id}`,
    `X-Hub-Signature-256: sha256=${'0'.repeat(64)}`,
    framing,
    '',
    '',
  ].join('\r\n');
}

/**
 * Sends a request over a raw socket, honouring backpressure, until the server answers or
 * closes; returns what the server said and how many body bytes got out of this side.
 */
async function rawSend(port: number, requestHead: string, body: Iterable<Buffer>) {
  const sock = connect(port, '127.0.0.1');
  let response = '';
  sock.on('data', (d) => (response += d.toString('latin1')));
  sock.on('error', () => undefined);
  const closed = new Promise<void>((r) => sock.once('close', () => r()));
  let isClosed = false;
  void closed.then(() => (isClosed = true));
  await once(sock, 'connect');
  sock.write(requestHead);
  let sent = 0;
  for (const chunk of body) {
    if (isClosed || response) break;
    sent += chunk.length;
    const drained = once(sock, 'drain').catch(() => undefined);
    if (!sock.write(chunk)) await Promise.race([drained, closed]);
  }
  if (!isClosed) sock.end();
  await closed;
  return { response, sent };
}

function* chunked(total: number, size: number) {
  const fill = Buffer.alloc(size, `{"pad":"${CANARY}`);
  const frame = Buffer.concat([Buffer.from(`${size.toString(16)}\r\n`), fill, Buffer.from('\r\n')]);
  for (let n = 0; n < total; n += size) yield frame;
}

function* plain(total: number, size: number) {
  const fill = Buffer.alloc(size, `{"pad":"${CANARY}`);
  for (let n = 0; n < total; n += size) yield fill;
}

describe('the App server over real HTTP on loopback', () => {
  it('handles a correctly signed delivery and refuses a wrongly signed one', async () => {
    const { server, url, drain } = await serve();
    try {
      authScope();
      const prov = {
        commit: 'f'.repeat(40),
        workflow_run: '1589141559',
        event: 'push',
        ref: 'refs/heads/main',
      };
      resultsBranch(REPO, [suiteRun('s1', [record({ task_id: 'a', id: 'a' })], prov)]);
      let created: any;
      nock(API)
        .get(`/repos/${REPO}/pulls`)
        .query(true)
        .reply(200, [])
        .post(`/repos/${REPO}/check-runs`, (b) => (created = b))
        .reply(201, { id: 1 });
      const payload = example('workflow_run', 'completed');
      payload.installation = { id: INSTALLATION };
      payload.workflow_run.head_sha = 'f'.repeat(40);
      const body = JSON.stringify(payload);
      const bad = await fetch(url, delivery(body, sign(body, 'not-the-secret')));
      expect(bad.status).toBe(401);
      await drain();
      expect(created).toBeUndefined();
      const started = Date.now();
      const good = await fetch(url, delivery(body, sign(body)));
      expect(good.status).toBe(200);
      const answeredIn = Date.now() - started;
      await drain();
      const want = { name: 'gauntlet: smoke', head_sha: 'f'.repeat(40), conclusion: 'success' };
      expect(created).toMatchObject(want);
      // GitHub's delivery timeout; the work runs after the answer
      expect(answeredIn).toBeLessThan(10_000);
    } finally {
      server.close();
    }
  });

  it('answers 413 to a Content-Length over 25 MB and closes without reading the body', async () => {
    const { server, port, drain, logs } = await serve();
    try {
      const declared = 150 * MB;
      // Only the first MB is offered; a server that waited for the body would never answer.
      const request = head('big-1', `Content-Length: ${declared}`);
      const { response, sent } = await rawSend(port, request, plain(MB, 64 * 1024));
      expect(response).toMatch(/^HTTP\/1\.1 413 /);
      expect(sent).toBeLessThanOrEqual(MB);
      await drain();
      expect(logs.text()).toMatch(/big-1.*25 MB/);
      expect(logs.text()).not.toContain('delivery failed');
      expect(logs.text()).not.toContain(CANARY);
    } finally {
      server.close();
    }
  });

  it('stops reading a chunked body at 25 MB, answers 413, runs no handler', async () => {
    const { server, port, drain, logs } = await serve();
    try {
      const request = head('big-2', 'Transfer-Encoding: chunked');
      const { response, sent } = await rawSend(port, request, chunked(150 * MB, MB));
      expect(response).toMatch(/^HTTP\/1\.1 413 /);
      // The server stopped reading at the cap: the socket took little more than 25 MB.
      expect(sent).toBeLessThan(60 * MB);
      await drain();
      const refusal = logs.lines.find((l) => l.includes('big-2'));
      expect(refusal).toMatch(/25 MB/);
      const read = Number(/"bytes_read":(\d+)/.exec(refusal!)?.[1]);
      expect(read).toBeGreaterThan(25 * MB);
      expect(read).toBeLessThanOrEqual(26 * MB);
      expect(logs.text()).not.toContain('delivery failed');
      expect(logs.text()).not.toContain(CANARY);
    } finally {
      server.close();
    }
  });

  it('refuses a bad signature with 401, logs event, id and reason, not the body', async () => {
    const { server, url, drain, logs } = await serve();
    try {
      const payload = { action: 'completed', note: CANARY, installation: { id: INSTALLATION } };
      const body = JSON.stringify(payload);
      const forged = [
        ['sig-1', sign(body, 'not-the-secret')],
        ['sig-2', 'sha256=zz'],
        ['sig-3', sign(`${body} `)],
      ];
      for (const [id, sig] of forged) {
        const res = await fetch(url, delivery(body, sig, id));
        expect(res.status).toBe(401);
        expect(await res.text()).not.toContain(CANARY);
      }
      await drain();
      for (const id of ['sig-1', 'sig-2', 'sig-3']) {
        const line = logs.lines.find((l) => l.includes(id));
        expect(line).toMatch(/"event":"workflow_run".*signature/i);
      }
      expect(logs.text()).not.toContain('delivery failed');
      expect(logs.text()).not.toContain(CANARY);
    } finally {
      server.close();
    }
  });

  it('answers 400 to a signed body that is not a JSON object, without logging it', async () => {
    const { server, url, drain, logs } = await serve();
    try {
      for (const [id, body] of [
        ['json-1', `{"a": "${CANARY}"`],
        ['json-2', `"${CANARY}"`],
      ]) {
        const res = await fetch(url, delivery(body, sign(body), id));
        expect(res.status).toBe(400);
      }
      await drain();
      expect(logs.text()).toMatch(/json-1/);
      expect(logs.text()).not.toContain(CANARY);
    } finally {
      server.close();
    }
  });

  it('logs a failing delivery by event, id and reason: no payload, no response body', async () => {
    const { server, url, drain, logs } = await serve();
    try {
      authScope();
      const githubSays = { message: 'Server Error', documentation: CANARY };
      nock(API).get(`/repos/${REPO}/contents/index.json`).query(true).reply(500, githubSays);
      const payload = example('workflow_run', 'completed');
      payload.installation = { id: INSTALLATION };
      payload.workflow_run.display_title = CANARY;
      const body = JSON.stringify(payload);
      const res = await fetch(url, delivery(body, sign(body), 'fail-1'));
      expect(res.status).toBe(200);
      await drain();
      const failure = logs.lines.find((l) => l.includes('fail-1') && l.includes('"level":"error"'));
      expect(failure).toMatch(/"event":"workflow_run".*"reason":"[^"]*500/);
      expect(logs.text()).not.toContain(CANARY);
    } finally {
      server.close();
    }
  });
});
