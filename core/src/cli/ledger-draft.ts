import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { loadConfig } from '../config/load.js';
import { SecretResolver } from '../config/secrets.js';
import { ModelEnvironment, ModelUnresolved } from '../models/environment.js';
import type { ModelTarget } from '../models/target.js';
import { Redactor } from '../results/redact.js';
import { didYouMean } from '../util/suggest.js';
import { draftLedgerSchema } from '../tools/draft.js';

const USAGE = 'usage: gauntlet ledger draft [ROOT] [--agent NAME] [--model MODEL]';

type Say = (line: string) => void;

/** `gauntlet ledger <sub>`: only `draft` today. */
export async function ledgerCommand(
  args: string[],
  out: Say,
  err: Say,
  opts: { env?: NodeJS.ProcessEnv } = {},
): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'draft') {
    err(USAGE);
    return 2;
  }
  return ledgerDraft(rest, out, err, opts.env ?? process.env);
}

/**
 * `gauntlet ledger draft`: seed 004's generate → review → save, with the save left to the
 * user. The model drafts a ledger schema from the agent's tools; stdout gets a `ledger_schema:`
 * block to paste under the agent, stderr the progress and the model's notes. Nothing is written.
 * The model: --model, else gauntlet.yaml's simulator_model, else its judge_model (the draft is
 * the tool simulator's schema, so its model is the first choice).
 * Exit status: 0 a draft printed, 2 bad usage, config or an unresolved model, 3 no valid draft.
 */
async function ledgerDraft(args: string[], out: Say, err: Say, env: NodeJS.ProcessEnv) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      agent: { type: 'string' },
      model: { type: 'string' },
      'config-dir': { type: 'string' },
    },
  });
  const tree = await loadConfig(resolve(positionals[0] ?? '.'), {
    configDir: values['config-dir'],
    checkTasks: false,
  });
  const names = [...tree.agents.keys()];
  const name = values.agent ?? (names.length === 1 ? names[0] : undefined);
  if (!name) {
    err(
      `gauntlet: ${USAGE}\n  name the agent with --agent (agents: ${names.join(', ') || 'none'})`,
    );
    return 2;
  }
  const agent = tree.agents.get(name);
  if (!agent) {
    const guess = didYouMean(name, names);
    err(
      `gauntlet: no agent named "${name}"` +
        (guess ? `; did you mean "${guess}"?` : ` (agents: ${names.join(', ') || 'none'})`),
    );
    return 2;
  }
  const tools = agent.value.tools ?? [];
  if (!tools.length) {
    err(`gauntlet: agent "${name}" declares no tools; a ledger schema is drafted from its tools`);
    return 2;
  }
  const secrets = new SecretResolver(env);
  const models = await ModelEnvironment.start(tree.project, secrets, {
    redact: (t) => new Redactor(secrets.values()).text(t),
  });
  try {
    const p = tree.project.value;
    let target: ModelTarget;
    try {
      target = models.simulatorTarget(values.model, p.simulator_model ?? p.judge_model);
    } catch (e) {
      if (!(e instanceof ModelUnresolved)) throw e;
      const hint = values.model ? '' : '; or pass --model MODEL';
      err(`gauntlet: ${e.code}: ${e.message}${hint}`);
      return 2;
    }
    err(
      `drafting a ledger schema for agent "${name}" from ${tools.length} tool(s) with ${target.model} …`,
    );
    const r = await draftLedgerSchema(target, { agent: name, tools });
    const cost = `$${r.cost_usd.toFixed(4)}`;
    if (!r.ok) {
      err(`gauntlet: no valid draft after ${r.attempts} attempt(s) (${cost}): ${r.error}`);
      return 3;
    }
    err(`drafted ${r.schema.entities.length} entity type(s) in ${r.attempts} attempt(s) (${cost})`);
    if (r.notes) err(`notes from the model:\n${r.notes.replace(/^/gm, '  ')}`);
    if (agent.value.ledger_schema)
      err(`note: ${agent.file} already declares a ledger_schema; this draft does not replace it`);
    // lineWidth 0: no value is folded over lines, so each description is one line to edit.
    out(stringify({ ledger_schema: r.schema }, { lineWidth: 0 }).trimEnd());
    err(
      `review the draft, then paste it under agent "${name}" in ${agent.file}; nothing was saved`,
    );
    return 0;
  } finally {
    await models.close();
  }
}
