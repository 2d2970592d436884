import { describe, expect, it } from 'vitest';
import { configIssues as issues } from '../test-support/config-issues.js';
import { makeTree } from '../test-support/tree.js';
import { loadConfig } from './load.js';

const agent = (tools: string, extra = '') => `kind: agent
name: a1
python:
  source:
    inline: "def run(t, *, proxy_url, run_token): return 'x'"
tools:
${tools}
${extra}`;
const suite = `kind: suite
name: s1
agent: a1
tasks:
  - user: hello
`;
const ADAPTER = `  - name: track
    mode: passthrough
    endpoint: { url: "https://carrier.example/track" }
    ledger_write_policy: adapter
    entity_type: shipment
    input_schema: { type: object }`;

describe('tools in the config', () => {
  it('refuses an adapter tool whose entity is not declared, at the entity_type line', async () => {
    const found = await issues({
      '.gauntlet/agents/a1.yaml': agent(
        ADAPTER,
        'ledger_schema:\n  entities:\n    - { type: order, id_field: order_id }\n',
      ),
      '.gauntlet/suites/s1.yaml': suite,
    });
    expect(found).toEqual([
      expect.objectContaining({
        code: 'ledger_entity_missing',
        line: 11,
        field: 'tools.0.entity_type',
      }),
    ]);
    expect(found[0].message).toContain('ledger_schema declares no such entity');
    expect(found[0].fix).toContain('declare {type: shipment');
  });

  it('accepts the adapter tool once the entity is declared, written before or after it', async () => {
    const schema = 'ledger_schema:\n  entities:\n    - { type: shipment, id_field: shipment_id }\n';
    expect(
      await issues({
        '.gauntlet/agents/a1.yaml': agent(ADAPTER, schema),
        '.gauntlet/suites/s1.yaml': suite,
      }),
    ).toEqual([]);
    const before = agent(ADAPTER).replace('tools:', `${schema}tools:`);
    expect(
      await issues({ '.gauntlet/agents/a1.yaml': before, '.gauntlet/suites/s1.yaml': suite }),
    ).toEqual([]);
  });

  it('imports tools from a JSON file, pointing at its lines, and reads mode sandbox as simulated', async () => {
    const good = await makeTree({
      '.gauntlet/agents/a1.yaml': agent('  - import: ../../tools.json'),
      '.gauntlet/suites/s1.yaml': suite,
      'tools.json': JSON.stringify(
        [{ name: 'get_order', mode: 'sandbox', input_schema: { type: 'object' } }],
        null,
        2,
      ),
    });
    const tree = await loadConfig(good);
    expect(tree.agents.get('a1')!.value.tools).toEqual([
      { name: 'get_order', mode: 'simulated', input_schema: { type: 'object' } },
    ]);
    const found = await issues({
      '.gauntlet/agents/a1.yaml': agent('  - import: ../../tools.json'),
      '.gauntlet/suites/s1.yaml': suite,
      'tools.json':
        '[\n  {"name": "get_order", "input_schema": {}},\n  {"name": "x", "mdoe": 1}\n]',
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'unknown_key', line: 3 }),
        expect.objectContaining({ code: 'missing_field', line: 3 }),
      ]),
    );
    expect(found[0].file).toMatch(/tools\.json$/);
  });

  it('refuses an import from outside the repository', async () => {
    const [i] = await issues({
      '.gauntlet/agents/a1.yaml': agent('  - import: /etc/passwd'),
      '.gauntlet/suites/s1.yaml': suite,
    });
    expect(i).toMatchObject({ code: 'tools_import', line: 7 });
  });

  it('checks a ledger schema, endpoints, failure rules and initial_state with their lines', async () => {
    const found = await issues({
      '.gauntlet/agents/a1.yaml': agent(
        `  - name: get_order
    input_schema: { type: object }
  - name: fwd
    mode: passthrough
    endpoint: { url: "http://user:pw@example.com/x" }
    input_schema: { type: object }`,
        'ledger_schema:\n  entities:\n    - { type: order, id_field: order_id, fields: [{ name: status, type: str }] }\n',
      ),
      '.gauntlet/suites/s1.yaml': `kind: suite
name: s1
agent: a1
tasks:
  - user: hello
    initial_state: { invoice: [] }
    failure_rules:
      - { tool: get_ordr, error: { message: down } }
`,
    });
    const codes = found.map((i) => i.code).sort();
    expect(codes).toEqual([
      'invalid_endpoint',
      'invalid_initial_state',
      'invalid_ledger_schema',
      'unknown_tool',
    ]);
    const by = (c: string) => found.find((i) => i.code === c)!;
    expect(by('invalid_ledger_schema').message).toContain('did you mean "string"');
    expect(by('invalid_ledger_schema').line).toBe(15);
    expect(by('unknown_tool').message).toContain('did you mean "get_order"');
    expect(by('unknown_tool').line).toBe(8);
    expect(by('invalid_initial_state').line).toBe(6);
  });
});
