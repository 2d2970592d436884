import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { ledgerCommand } from '../core/src/cli/ledger-draft.js';
import { main } from '../core/src/cli/main.js';
import { loadConfig } from '../core/src/config/load.js';
import { makeTree } from '../core/src/test-support/tree.js';

const AGENT = `kind: agent
name: orders
command: "echo hi"
tools:
  - name: get_order
    description: Look up an order by id.
    input_schema: { type: object, properties: { order_id: { type: string } }, required: [order_id] }
  - name: cancel_order
    description: Cancel an order that has not shipped.
    input_schema: { type: object, properties: { order_id: { type: string } }, required: [order_id] }
`;

const ORDER = {
  type: 'order',
  id_field: 'order_id',
  // Model text is hostile: a terminal escape must not reach stdout raw.
  description: 'A customer order. \u001b[31mred\u001b[0m',
  fields: [{ name: 'status', type: 'string', enum: ['paid', 'shipped', 'cancelled'] }],
};
const propose = (input: unknown) =>
  JSON.stringify({ tool_use: { name: 'propose_ledger_schema', input } });

/**
 * The scripted model plays three models, told apart by name: haiku (the simulator_model)
 * answers invalidly first and validly once its problems are quoted back; sonnet (the
 * judge_model) and opus (a --model choice) name their entity after themselves; "broken" never
 * answers validly.
 */
const SCRIPT = `rules:
  - when: { model: haiku, system: "draft a ledger schema", last_user: "previous_reply_problems" }
    reply: ${propose({ entities: [ORDER], flags: { policy: 'open' }, notes: 'No customer entity.' })}
  - when: { model: haiku, system: "draft a ledger schema" }
    reply: ${propose({ entities: [{ type: 'order' }] })}
  - when: { model: sonnet }
    reply: ${propose({ entities: [{ type: 'sonnet_order', id_field: 'order_id' }] })}
  - when: { model: opus }
    reply: ${propose({ entities: [{ type: 'opus_order', id_field: 'order_id' }] })}
  - when: { model: broken }
    reply: { text: "I would rather not." }
`;

function tree(project: string, agent = AGENT) {
  return makeTree({
    '.gauntlet/gauntlet.yaml': `${project}providers:\n  anthropic:\n    script: models/draft.yaml\n`,
    '.gauntlet/models/draft.yaml': SCRIPT,
    '.gauntlet/agents/orders.yaml': agent,
  });
}

async function draft(args: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await ledgerCommand(
    ['draft', ...args],
    (l) => stdout.push(l),
    (l) => stderr.push(l),
    { env: {} },
  );
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

/** Runs the real CLI entry (main), capturing what it writes. */
async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  const code = await main(args);
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}
afterEach(() => vi.restoreAllMocks());

describe('gauntlet ledger draft', () => {
  it('drafts with the simulator model, asking again once with the problems, and prints a block ready to paste', async () => {
    const root = await tree('simulator_model: claude-haiku-4-5\njudge_model: claude-sonnet-4-6\n');
    const r = await draft([root, '--agent', 'orders']);
    expect(r.stderr).toContain('with claude-haiku-4-5');
    expect(r.stderr).toContain('drafted 1 entity type(s) in 2 attempt(s)');
    expect(r.stderr).toContain('No customer entity.');
    expect(r.stderr).toContain('nothing was saved');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ledger_schema:\n {2}entities:\n/);
    expect(r.stdout).not.toContain('\u001b');
    expect(parse(r.stdout)).toEqual({
      ledger_schema: { entities: [ORDER], flags: { policy: 'open' } },
    });
    // Nothing was written; pasted under the agent, the block loads as its ledger_schema.
    const file = join(root, '.gauntlet/agents/orders.yaml');
    expect((await loadConfig(root)).agents.get('orders')!.value.ledger_schema).toBeUndefined();
    await appendFile(file, `${r.stdout}\n`);
    expect((await loadConfig(root)).agents.get('orders')!.value.ledger_schema).toEqual({
      entities: [ORDER],
      flags: { policy: 'open' },
    });
  });

  it("falls back to gauntlet.yaml's judge_model, and --model overrides both", async () => {
    const root = await tree('judge_model: claude-sonnet-4-6\n');
    const judge = await draft([root]);
    expect(judge.code).toBe(0);
    expect(parse(judge.stdout).ledger_schema.entities[0].type).toBe('sonnet_order');
    const flag = await draft([root, '--model', 'claude-opus-4-1']);
    expect(flag.code).toBe(0);
    expect(parse(flag.stdout).ledger_schema.entities[0].type).toBe('opus_order');
  });

  it('exits 2 with the ModelUnresolved message when no model resolves', async () => {
    const root = await tree('');
    const r = await cli(['ledger', 'draft', root, '--agent', 'orders']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('simulator_model_unresolved: no user-simulator model');
    expect(r.stderr).toContain('--model');
    expect(r.stdout).toBe('');
    const unknown = await draft([root, '--model', 'mystery-7b']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('cannot tell which provider serves');
  });

  it('exits 3 when the model gives no valid draft after asking again', async () => {
    const root = await tree('simulator_model: anthropic/broken-1\n');
    const r = await draft([root, '--agent', 'orders']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('no valid draft after 2 attempt(s)');
    expect(r.stderr).toContain('no propose_ledger_schema call');
    expect(r.stdout).toBe('');
  });

  it('exits 2 on an unknown agent, an agent without tools, and a bad subcommand', async () => {
    const root = await tree('simulator_model: claude-haiku-4-5\n');
    const unknown = await draft([root, '--agent', 'order']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no agent named "order"; did you mean "orders"?');
    const bare = await tree(
      'simulator_model: claude-haiku-4-5\n',
      'kind: agent\nname: orders\ncommand: "echo hi"\n',
    );
    const none = await draft([bare]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('declares no tools');
    const sub = await cli(['ledger', 'write', root]);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toContain('usage: gauntlet ledger draft');
  });
});
