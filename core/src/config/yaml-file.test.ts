import { describe, expect, it } from 'vitest';
import { configIssues } from '../test-support/config-issues.js';
import { YamlFile } from './yaml-file.js';

const issues = configIssues;

/** "Billion laughs": nine levels of nine aliases, 9^9 strings once expanded. */
const BOMB = [
  'kind: agent',
  'name: bomb',
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((k, i) => {
    const prev = 'abcdefgh'[i];
    return `${k}: &${k} [${Array(9).fill(`*${prev}`).join(',')}]`;
  }),
  '',
].join('\n');

const agent = 'kind: agent\nname: a1\ncommand: claude -p hi\n';

describe('YAML aliases', () => {
  it('reports an alias bomb as a config error at its file, line and key, with a fix', async () => {
    const found = await issues({
      '.gauntlet/agents/bomb.yaml': BOMB,
      '.gauntlet/agents/a1.yaml': agent.replace('command:', 'comand:'),
      '.gauntlet/suites/s1.yaml': 'kind: suite\nname: s1\nagent: a2\ntasks:\n  - user: hi\n',
    });
    const bomb = found.find((i) => i.file.endsWith('bomb.yaml'));
    // a..d expand to 8,289 values; the first alias of `e` takes the file past 10,000.
    expect(bomb).toMatchObject({ code: 'yaml_alias_limit', line: 7, column: 8, field: 'e.0' });
    expect(bomb!.message).toMatch(/10,000/);
    expect(bomb!.fix).toMatch(/write the values out/);
    // The other files are still validated, and everything is reported together.
    const codes = found.map((i) => i.code);
    const want = ['unknown_agent', 'unknown_key', 'yaml_alias_limit'];
    expect(codes).toEqual(expect.arrayContaining(want));
    const files = new Set(found.map((i) => i.file.split('/').pop()));
    expect(files).toEqual(new Set(['bomb.yaml', 'a1.yaml', 's1.yaml']));
  });

  it('accepts ordinary anchors, even one alias used more than 100 times', () => {
    const tasks = Array.from({ length: 150 }, () => '  - { user: hi, initial_state: *state }');
    const head = 'kind: suite\nname: s\nagent: a\nbase: &state { orders: { o1: open } }\n';
    const text = `${head}tasks:\n${tasks.join('\n')}\n`;
    const yf = new YamlFile('s.yaml', text);
    expect(yf.issues).toEqual([]);
    const v = yf.value() as { tasks: { initial_state: unknown }[] };
    expect(v.tasks[149].initial_state).toEqual({ orders: { o1: 'open' } });
  });

  it('refuses an alias that refers to its own node, at its line', () => {
    const yf = new YamlFile('c.yaml', 'kind: agent\nname: c\nloop: &l [1, *l]\n');
    expect(yf.issues.map((i) => [i.line, i.code])).toEqual([[3, 'yaml_alias_limit']]);
  });
});
