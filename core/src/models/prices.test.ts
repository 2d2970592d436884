import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../util/paths.js';
import { PriceTable } from './prices.js';

/** The result line of a real Claude Code run: what the CLI itself charged, per model. */
function claudeCodeResult() {
  const path = join(packageRoot(), 'core/src/trajectory/fixtures/claude-code-fix-add.jsonl');
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'));
  const result = lines.map((l) => JSON.parse(l)).find((o) => o.type === 'result');
  const [[model, usage]] = Object.entries(result.modelUsage) as [string, any][];
  return { model, usage, total: result.total_cost_usd as number };
}

describe('list prices', () => {
  it("charges Claude Code's default model what the CLI itself reports", () => {
    const { model, usage, total } = claudeCodeResult();
    expect(model).toBe('claude-opus-5-5');
    const cost = new PriceTable().cost(model, usage.inputTokens, usage.outputTokens);
    expect(cost).toBeCloseTo(total, 6);
    expect(cost).toBeCloseTo(usage.costUSD, 6);
  });

  it.each([
    ['claude-opus-5-5', 4, 20],
    ['anthropic/claude-opus-5-5', 4, 20],
    ['claude-opus-5', 5, 25],
    ['claude-opus-4-5-20251101', 5, 25],
    ['claude-opus-4-1-20250805', 15, 75],
    ['claude-opus-4-20250514', 15, 75],
    ['claude-sonnet-5', 2, 10],
    ['claude-sonnet-4-5-20250929', 3, 15],
    ['claude-sonnet-4-6', 3, 15],
    ['claude-3-5-sonnet-latest', 3, 15],
    ['claude-haiku-4-5-20251001', 1, 5],
    ['gpt-4o-2024-08-06', 2.5, 10],
    ['gpt-4o-mini', 0.15, 0.6],
    ['gpt-5.1-codex', 1.25, 10],
    ['gemini-2.5-flash-lite', 0.1, 0.4],
  ])('prices %s and its dated snapshots at its own list price', (model, input, output) => {
    const want = { input_per_mtok: input, output_per_mtok: output };
    expect(new PriceTable().lookup(model)).toEqual(want);
  });

  it.each([
    'claude-opus-9', // a future Opus is not priced as an old one
    'claude-opus-5-6',
    'claude-opus', // no family prefix stands for a model
    'claude-sonnet-4-5-turbo',
    'gpt-5.2', // priced differently from gpt-5: a prefix is not a price
    'gpt-5-nano',
    'gemini-3-pro',
    'constructor',
  ])("leaves %s unknown instead of borrowing another model's price", (model) => {
    const t = new PriceTable();
    expect(t.lookup(model)).toBeUndefined();
    expect(t.knows(model)).toBe(false);
    expect(t.cost(model, 1_000_000, 1_000_000)).toBe(0);
  });

  it('takes a project price for a model it does not know, by exact name', () => {
    const t = new PriceTable({ 'my-finetune': { input_per_mtok: 1, output_per_mtok: 2 } });
    expect(t.cost('my-finetune', 1_000_000, 1_000_000)).toBe(3);
    expect(t.knows('my-finetune-2')).toBe(false);
    expect(new PriceTable({}).knows('toString')).toBe(false);
  });
});
