import { readFile, realpath, stat } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { ledgerSchemaProblems } from '../world/ledger-schema.js';
import { endpointProblems } from '../world/passthrough.js';
import type { ConfigIssue } from './errors.js';
import { schemaJson } from './schemas.js';
import type { AgentConfig, Loaded, SourcePos, ToolDecl } from './types.js';
import { validateWith } from './validate.js';
import { YamlFile } from './yaml-file.js';

const IMPORT_MAX_BYTES = 1024 * 1024;

/** Where each resolved tool was written: its item in the agent file or in an imported JSON. */
interface Placed {
  tool: ToolDecl;
  at: (path: (string | number)[]) => SourcePos;
  file: string;
}

let toolValidator: ValidateFunction | undefined;
/** The agent schema's own tool item, so an imported tool is held to the same rules. */
function validateTool(): ValidateFunction {
  const items = (schemaJson('agent.schema.json') as any).properties.tools.items.anyOf[0];
  toolValidator ??= new Ajv({ allErrors: true, verbose: true, strict: false }).compile(items);
  return toolValidator;
}

/**
 * Resolves an agent's tools in place (`- import: tools.json` items replaced by the file's
 * list; the seeds' `sandbox` mode read as `simulated`) and checks what a schema cannot: input
 * schemas that compile, endpoint bindings, the ledger schema, adapter tools against it, and
 * the topology's references. The adapter rule is checked on the agent as a whole, so the
 * order in which tools and entities are written does not matter (the seeds' 422).
 */
export async function resolveAgentTools(
  agent: Loaded<AgentConfig>,
  root: string,
): Promise<ConfigIssue[]> {
  const issues: ConfigIssue[] = [];
  const a = agent.value;
  const placed: Placed[] = [];
  const raw = (a.tools ?? []) as (ToolDecl | { import: string })[];
  for (const [i, item] of raw.entries()) {
    if ('import' in item) {
      placed.push(...(await importTools(agent, i, item.import, root, issues)));
      continue;
    }
    placed.push({ tool: item, at: (p) => agent.pos(['tools', i, ...p]), file: agent.file });
  }
  const seen = new Map<string, string>();
  const ajv = new Ajv({ strict: false });
  for (const [n, { tool, at, file }] of placed.entries()) {
    const issue = (path: (string | number)[], code: string, message: string, fix: string) =>
      issues.push({
        ...at(path),
        file,
        code,
        field: ['tools', n, ...path].join('.'),
        message,
        fix,
      });
    if ((tool.mode as string) === 'sandbox') tool.mode = 'simulated';
    tool.mode ??= 'simulated';
    if (seen.has(tool.name))
      issue(['name'], 'duplicate_tool', `tool "${tool.name}" is declared twice`, 'rename one');
    seen.set(tool.name, file);
    try {
      ajv.compile(tool.input_schema);
    } catch (e) {
      issue(
        ['input_schema'],
        'invalid_input_schema',
        `input_schema of "${tool.name}" is not a valid JSON Schema: ${(e as Error).message}`,
        'fix the schema (JSON Schema draft 2020-12 / 07 keywords)',
      );
    }
    if (tool.mode === 'passthrough') {
      if (!tool.endpoint)
        issue(
          ['mode'],
          'missing_field',
          `passthrough tool "${tool.name}" has no endpoint`,
          'add endpoint: {url: https://…} or use mode: simulated',
        );
      else
        for (const p of endpointProblems(tool.endpoint))
          issue(
            ['endpoint', ...p.path],
            'invalid_endpoint',
            p.message,
            'use an https URL without credentials; put secrets in headers with {secret: NAME}',
          );
    } else if (tool.endpoint)
      issue(
        ['endpoint'],
        'invalid_shape',
        `simulated tool "${tool.name}" has an endpoint`,
        'set mode: passthrough, or remove endpoint',
      );
    if (tool.ledger_write_policy === 'adapter') {
      if (tool.mode !== 'passthrough')
        issue(
          ['ledger_write_policy'],
          'invalid_shape',
          `ledger_write_policy: adapter applies to passthrough tools; "${tool.name}" is simulated (the simulator writes the ledger itself)`,
          'remove ledger_write_policy, or set mode: passthrough',
        );
      const type = tool.entity_type;
      const declared = a.ledger_schema?.entities?.some((e) => e.type === type);
      if (!type)
        issue(
          ['ledger_write_policy'],
          'missing_field',
          `adapter tool "${tool.name}" has no entity_type`,
          'add entity_type: <a type declared in ledger_schema>',
        );
      else if (!declared)
        issue(
          ['entity_type'],
          'ledger_entity_missing',
          `adapter tool "${tool.name}" writes "${type}" entities, but ${a.ledger_schema ? 'ledger_schema declares no such entity' : 'the agent has no ledger_schema'}`,
          `declare {type: ${type}, id_field: …} under ledger_schema.entities, or change ledger_write_policy`,
        );
    } else if (tool.entity_type)
      issue(
        ['entity_type'],
        'invalid_shape',
        'entity_type applies with ledger_write_policy: adapter',
        'add ledger_write_policy: adapter, or remove entity_type',
      );
  }
  a.tools = placed.map((p) => p.tool);
  if (a.ledger_schema)
    for (const p of ledgerSchemaProblems(a.ledger_schema))
      issues.push({
        ...agent.pos(['ledger_schema', ...p.path]),
        code: 'invalid_ledger_schema',
        field: ['ledger_schema', ...p.path].join('.'),
        message: p.message,
        fix: 'see the ledger schema section of the README (seed 004)',
      });
  issues.push(...topologyIssues(agent));
  return issues;
}

/** The tools of an imported JSON file (a list, or {tools: [...]}), checked like written ones. */
async function importTools(
  agent: Loaded<AgentConfig>,
  index: number,
  path: string,
  root: string,
  issues: ConfigIssue[],
): Promise<Placed[]> {
  const here = agent.pos(['tools', index, 'import']);
  const fail = (message: string, fix: string) =>
    void issues.push({
      ...here,
      code: 'tools_import',
      field: `tools.${index}.import`,
      message,
      fix,
    });
  const abs = resolve(agent.dir, path);
  const real = await realpath(abs).catch(() => null);
  const rootReal = await realpath(root).catch(() => root);
  if (!real) return (fail(`no file at ${path}`, 'give a JSON file path relative to this file'), []);
  if (real !== rootReal && !real.startsWith(rootReal + sep))
    return (fail(`${path} is outside the repository`, 'keep tool files inside the repository'), []);
  const size = (await stat(real)).size;
  if (size > IMPORT_MAX_BYTES)
    return (fail(`${path} is ${size} bytes; the limit is ${IMPORT_MAX_BYTES}`, 'split it'), []);
  const file = relative(process.cwd(), abs) || abs;
  const jf = new YamlFile(file, await readFile(real, 'utf8'));
  if (jf.issues.length) return (issues.push(...jf.issues), []);
  const value = jf.value() as unknown;
  const list = Array.isArray(value)
    ? { items: value, prefix: [] as (string | number)[] }
    : value && typeof value === 'object' && Array.isArray((value as { tools?: unknown }).tools)
      ? { items: (value as { tools: unknown[] }).tools, prefix: ['tools'] }
      : null;
  if (!list)
    return (
      fail(`${path} holds no list of tools`, 'write a JSON array of tools, or {"tools": [...]}'),
      []
    );
  const out: Placed[] = [];
  for (const [j, item] of list.items.entries()) {
    const at = (p: (string | number)[]) => jf.pos([...list.prefix, j, ...p]);
    const found = validateWith(validateTool(), 'agent', jf, item, [...list.prefix, j]);
    issues.push(...found);
    if (!found.length) out.push({ tool: item as ToolDecl, at, file });
  }
  return out;
}

/** The topology's references: delegation and handoff targets declared, tools the agent's. */
function topologyIssues(agent: Loaded<AgentConfig>): ConfigIssue[] {
  const t = agent.value.topology;
  if (!t) return [];
  const out: ConfigIssue[] = [];
  const ids = new Set<string>();
  const tools = new Set((agent.value.tools ?? []).map((x) => x.name));
  const at = (path: (string | number)[], message: string, fix: string) =>
    out.push({
      ...agent.pos(['topology', ...path]),
      code: 'invalid_topology',
      field: ['topology', ...path].join('.'),
      message,
      fix,
    });
  for (const [i, n] of t.agents.entries()) {
    if (ids.has(n.id))
      at(['agents', i, 'id'], `node "${n.id}" is declared twice`, 'give each node a unique id');
    ids.add(n.id);
  }
  for (const [i, n] of t.agents.entries()) {
    for (const [j, d] of (n.delegates_to ?? []).entries())
      if (!ids.has(d))
        at(
          ['agents', i, 'delegates_to', j],
          `"${d}" is not a declared node`,
          `declare {id: ${d}} under topology.agents`,
        );
    for (const [j, x] of (n.tools ?? []).entries())
      if (!tools.has(x))
        at(
          ['agents', i, 'tools', j],
          `"${x}" is not one of the agent's tools`,
          'name a tool declared under tools:',
        );
  }
  for (const [i, pair] of (t.handoffs ?? []).entries())
    for (const [j, id] of pair.entries())
      if (!ids.has(id))
        at(
          ['handoffs', i, j],
          `"${id}" is not a declared node`,
          `declare {id: ${id}} under topology.agents`,
        );
  return out;
}
