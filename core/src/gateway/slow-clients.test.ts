import { mkdtempSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PriceTable } from '../models/prices.js';
import { ModelRelay } from '../models/relay.js';
import { Gateway } from './server.js';

const TOKEN = 'gt_slow_client_token';
const open: (Gateway | Socket)[] = [];

async function gateway(limits: ConstructorParameters<typeof Gateway>[0]['limits']) {
  const socket = join(mkdtempSync(join(tmpdir(), 'gw-slow-')), 'gw.sock');
  const gw = await new Gateway({
    listen: { socket },
    token: TOKEN,
    relay: new ModelRelay({}, new PriceTable()),
    limits,
  }).start();
  open.push(gw);
  return { gw, socket };
}

function dial(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(path, () => resolve(s)).on('error', reject);
    open.push(s);
  });
}

/** Resolves with what the server sent before it closed the connection. */
const closed = (s: Socket) =>
  new Promise<string>((resolve) => {
    let got = '';
    s.on('data', (d) => (got += d))
      .on('close', () => resolve(got))
      .on('error', () => undefined);
  });

afterEach(async () => {
  for (const x of open.splice(0)) x instanceof Gateway ? await x.close() : x.destroy();
});

describe('the gateway sheds slow and greedy clients', () => {
  it('closes a client that never finishes its headers', async () => {
    const { socket } = await gateway({ headersTimeoutMs: 300, requestTimeoutMs: 1000 });
    const s = await dial(socket);
    const done = closed(s);
    s.write('POST /trace-events HTTP/1.1\r\nHost: gw\r\n');
    // It would stay open for good without the timeout; the test's own timeout is the failure.
    expect(await done).toMatch(/^$|408/);
  }, 10_000);

  it('answers 408 to a body trickling in one byte at a time', async () => {
    const { socket } = await gateway({ headersTimeoutMs: 300, requestTimeoutMs: 800 });
    const s = await dial(socket);
    const done = closed(s);
    s.write(
      `POST /trace-events HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n`,
    );
    const trickle = setInterval(() => s.writable && s.write('['), 100);
    const got = await done;
    clearInterval(trickle);
    expect(got).toMatch(/^$|408/);
  }, 10_000);

  it('drops connections over the per-run cap at once, and keeps serving the others', async () => {
    const { gw, socket } = await gateway({ maxConnections: 3 });
    const held = [await dial(socket), await dial(socket), await dial(socket)];
    while (gw.connections < 3) await new Promise((r) => setImmediate(r));
    const extra = await dial(socket);
    expect(await closed(extra)).toBe('');
    const first = held[0];
    const answer = new Promise<string>((r) => first.once('data', (d) => r(String(d))));
    first.write(
      `POST /trace-events HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n{"type":"custom"}`,
    );
    expect(await answer).toMatch(/^HTTP\/1.1 202/);
  }, 10_000);
});
