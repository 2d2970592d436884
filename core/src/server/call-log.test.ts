import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CallLog } from './call-log.js';

const call = (model: string) => ({
  id: 'c1',
  provider: 'openai' as const,
  model,
  stream: false,
  status: 200,
  input_tokens: 3,
  output_tokens: 4,
  cost_usd: 0.000001,
  latency_ms: 5,
  started_at: '2026-01-01T00:00:00.000Z',
  purpose: 'agent' as const,
});

describe('the passthrough call log', () => {
  it("keeps a client's model name to one inert, redacted line on the log", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'call-log-'));
    const lines: string[] = [];
    const log = new CallLog(
      dir,
      (l) => lines.push(l),
      (t) => t.replaceAll('s3cret', '[redacted]'),
    );
    const model = 'gpt\npassthrough openai forged 200 0+0 tokens\u001b[31m s3cret';
    await log.record(call(model));
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/[\n\r\u001b]/);
    expect(lines[0]).toContain('[redacted]');
    expect(lines[0]).not.toContain('s3cret');
    // The JSON line keeps the name (escaped by JSON), redacted the same way.
    const stored = JSON.parse(await readFile(join(dir, 'serve', 'passthrough.jsonl'), 'utf8'));
    expect(stored.model).toBe(model.replace('s3cret', '[redacted]'));
  });
});
