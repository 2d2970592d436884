import { describe, expect, it } from 'vitest';
import { servedTree } from '../test-support/serve.js';
import { main } from './main.js';
import { serveCommand } from './serve.js';

describe('gauntlet serve on the command line', () => {
  it('prints where it serves, answers, and stops when told', async () => {
    const root = await servedTree();
    const lines: string[] = [];
    let stop!: () => void;
    const until = new Promise<void>((r) => (stop = r));
    const done = serveCommand(
      [root, '--port', '0'],
      (l) => lines.push(l),
      () => {},
      {
        env: {},
        until,
        onStart: async (h) => {
          const r = await fetch(`${h.url}/v1/models`);
          lines.push(`status ${r.status}`);
          stop();
        },
      },
    );
    expect(await done).toBe(0);
    expect(lines[0]).toMatch(
      /^gauntlet serve: http:\/\/127\.0\.0\.1:\d+\/v1 \(OpenAI-compatible\)$/,
    );
    expect(lines).toContain('status 200');
  });

  it('exits 2 without a token on another address, and on bad flags', async () => {
    const root = await servedTree();
    const saved = process.env.GAUNTLET_SERVE_TOKEN;
    delete process.env.GAUNTLET_SERVE_TOKEN;
    try {
      expect(await main(['serve', root, '--host', '0.0.0.0'])).toBe(2);
    } finally {
      if (saved !== undefined) process.env.GAUNTLET_SERVE_TOKEN = saved;
    }
    expect(await main(['serve', root, '--port', 'eighty'])).toBe(2);
    expect(await main(['serve', root, '--token-env', 'not a name'])).toBe(2);
  });
});
