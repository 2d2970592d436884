import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { createNodeMiddleware } from 'probot';
import { afterEach, describe, expect, it } from 'vitest';
import { record } from '../../core/src/test-support/records.js';
import { API, authScope, example, INSTALLATION, loadApp, resultsBranch, suiteRun } from './test-support/fixtures.js';

const SECRET = 'loopback-webhook-secret';
const REPO = 'Codertocat/Hello-World';

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

async function serve(): Promise<{ server: Server; url: string; drain: () => Promise<void> }> {
  const { probot, appFn, state } = await loadApp(SECRET, { load: false });
  const middleware = await createNodeMiddleware(appFn, { probot });
  const server = createServer((req, res) => middleware(req, res, () => res.writeHead(404).end()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`, drain: () => state.drain() };
}

function delivery(body: string, signature: string) {
  return { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-github-event': 'workflow_run', 'x-github-delivery': `e2e-${signature.slice(7, 15)}`, 'x-hub-signature-256': signature } };
}

describe('the App server over real HTTP on loopback', () => {
  it('handles a correctly signed delivery and refuses a wrongly signed one', async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    const { server, url, drain } = await serve();
    try {
      authScope();
      resultsBranch(REPO, [suiteRun('s1', [record({ task_id: 'a', id: 'a' })], { commit: 'f'.repeat(40), workflow_run: '1589141559', event: 'push', ref: 'refs/heads/main' })]);
      let created: any;
      nock(API).get(`/repos/${REPO}/pulls`).query(true).reply(200, []).post(`/repos/${REPO}/check-runs`, (b) => (created = b)).reply(201, { id: 1 });
      const payload = example('workflow_run', 'completed');
      payload.installation = { id: INSTALLATION };
      payload.workflow_run.head_sha = 'f'.repeat(40);
      const body = JSON.stringify(payload);
      const bad = await fetch(url, delivery(body, `sha256=${createHmac('sha256', 'not-the-secret').update(body).digest('hex')}`));
      expect(bad.status).toBeGreaterThanOrEqual(400);
      await drain();
      expect(created).toBeUndefined();
      const started = Date.now();
      const good = await fetch(url, delivery(body, `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`));
      expect(good.status).toBe(200);
      const answeredIn = Date.now() - started;
      await drain();
      expect(created).toMatchObject({ name: 'gauntlet: smoke', head_sha: 'f'.repeat(40), conclusion: 'success' });
      expect(answeredIn).toBeLessThan(10_000); // GitHub's delivery timeout; the work runs after the answer
    } finally {
      server.close();
    }
  });
});
