import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTree, project } from '../test-support/tree.js';
import { ConfigError, type ConfigIssue } from './errors.js';
import { loadConfig } from './load.js';
import { MAX_CSV_BYTES, MAX_CSV_CELL_BYTES, MAX_CSV_ROWS, MAX_JSON_DEPTH } from './tasks.js';
import { parseTaskCsv } from './tasks.js';

function csvIssues(text: string, wired: string[]): ConfigIssue[] {
  try {
    parseTaskCsv(text, 't.csv', wired);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  return [];
}

const quoted = (s: string) => `"${s.replace(/"/g, '""')}"`;
const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

describe('CSV limits', () => {
  it('refuses a JSON cell nested 20,000 deep at file:row:column, with field and cap', () => {
    const cells = {
      initial_state: quoted(nested(20_000)),
      eval: quoted(`[{"name":"t","command":"true","x":${nested(20_000)}}]`),
      workspace_seed: quoted(`{"git":${nested(20_000)}}`),
    };
    for (const [field, cell] of Object.entries(cells)) {
      const [i, ...rest] = csvIssues(`user,${field}\nhi,${cell}\n`, [field]);
      expect(rest).toEqual([]);
      expect(i).toMatchObject({ file: 't.csv', line: 2, column: 2, field, code: 'csv_bad_cell' });
      expect(i.message).toMatch(/nest.* more than 64 levels/);
      expect(i.fix).toMatch(/64/);
    }
  });

  it('accepts JSON nested exactly to the cap', () => {
    const ok = nested(MAX_JSON_DEPTH - 1); // the cell's own object is the first level
    const state = (cell: string) =>
      csvIssues(`user,initial_state\nhi,${quoted(cell)}\n`, ['initial_state']);
    expect(state(`{"s":${ok}}`)).toEqual([]);
    const over = `{"s":${nested(MAX_JSON_DEPTH)}}`;
    expect(state(over)).toHaveLength(1);
  });

  it('does not count brackets inside JSON strings as nesting', () => {
    const cell = quoted(JSON.stringify({ s: '[[[[{{{{'.repeat(100), t: 'a\\"[' }));
    expect(csvIssues(`user,initial_state\nhi,${cell}\n`, ['initial_state'])).toEqual([]);
  });

  it('refuses a cell over 256 KB at its row and column', () => {
    const big = 'x'.repeat(MAX_CSV_CELL_BYTES + 1);
    const wired = ['behavior_instructions'];
    const [i] = csvIssues(`user,behavior_instructions\nhi,ok\nhi,${big}\n`, wired);
    expect(i).toMatchObject({ file: 't.csv', line: 3, column: 2, field: 'behavior_instructions' });
    expect(i.code).toBe('csv_cell_too_large');
    expect(i.message).toMatch(/256 KB/);
  });

  it('refuses more than 10,000 task rows, with the fix', () => {
    const rows = Array.from({ length: MAX_CSV_ROWS + 1 }, (_, n) => `task ${n}`).join('\n');
    const issues = csvIssues(`user\n${rows}\n`, []);
    expect(issues).toHaveLength(1);
    const first = MAX_CSV_ROWS + 2; // the header is line 1
    expect(issues[0]).toMatchObject({ file: 't.csv', line: first, code: 'csv_too_many_rows' });
    expect(issues[0].message).toMatch(/10,000/);
    expect(issues[0].fix).toMatch(/split/);
  });

  it('refuses a CSV over 10 MB before reading it, and still reports the other files', async () => {
    const root = await makeTree({
      ...project(),
      '.gauntlet/agents/a.yaml': 'kind: agent\nname: a\ncommand: claude -p hi\n',
      '.gauntlet/agents/b.yaml': 'kind: agent\nname: b\ncomand: x\n',
      '.gauntlet/suites/s.yaml': 'kind: suite\nname: s\nagent: a\ntasks: { csv: big.csv }\n',
    });
    await writeFile(join(root, '.gauntlet/suites/big.csv'), `user\n${'x'.repeat(MAX_CSV_BYTES)}\n`);
    const e = await loadConfig(root).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConfigError);
    const issues = (e as ConfigError).issues;
    const big = issues.find((i) => i.code === 'csv_too_large');
    expect(big).toMatchObject({ line: 1, field: 'tasks.csv' });
    expect(big!.file).toMatch(/\.gauntlet\/suites\/big\.csv$/);
    expect(big!.message).toMatch(/10 MB/);
    expect(big!.fix).toMatch(/split/);
    expect(issues.some((i) => i.file.endsWith('b.yaml'))).toBe(true);
  });

  it('refuses a deeply nested initial_state at validation (it used to crash the run)', async () => {
    const root = await makeTree({
      ...project(),
      '.gauntlet/agents/a.yaml': 'kind: agent\nname: a\ncommand: claude -p hi\n',
      '.gauntlet/suites/s.yaml':
        'kind: suite\nname: s\nagent: a\ntasks: { csv: t.csv }\ncolumns: [initial_state]\n',
      '.gauntlet/suites/t.csv': `user,initial_state\nok,{}\ndeep,${quoted(nested(20_000))}\n`,
    });
    const where = /t\.csv:3:2: error \[csv_bad_cell\] initial_state: row 3/;
    await expect(loadConfig(root)).rejects.toThrow(where);
  });
});

describe('CSV axes that need a scenario', () => {
  it('refuses an eval or setup_command cell on a row with no scenario to apply it to', async () => {
    const root = await makeTree({
      ...project(),
      '.gauntlet/agents/a.yaml': 'kind: agent\nname: a\ncommand: claude -p hi\n',
      '.gauntlet/suites/s.yaml':
        'kind: suite\nname: s\nagent: a\ntasks: { csv: t.csv }\ncolumns: [eval, setup_command]\n',
      '.gauntlet/suites/t.csv':
        'user,eval,setup_command\nhi,"[{""name"":""t"",""regex"":""ok""}]",make\n',
    });
    const e = (await loadConfig(root).catch((x: unknown) => x)) as ConfigError;
    const found = e.issues.filter((i) => i.code === 'csv_axis_without_scenario');
    expect(found.map((i) => [i.line, i.column, i.field])).toEqual([
      [2, 2, 'eval'],
      [2, 3, 'setup_command'],
    ]);
    expect(found[0].file).toMatch(/\.gauntlet\/suites\/t\.csv$/);
    expect(found[0].fix).toMatch(/scenario: .*workspace_seed/);
  });
});

describe('CSV task origins', () => {
  it('name the CSV by its path, like the YAML files, not as written in the suite', async () => {
    const root = await makeTree({
      ...project(),
      '.gauntlet/agents/a.yaml': 'kind: agent\nname: a\ncommand: claude -p hi\n',
      '.gauntlet/suites/s.yaml': 'kind: suite\nname: s\nagent: a\ntasks: { csv: data/t.csv }\n',
      '.gauntlet/suites/data/t.csv': 'user\nhi\n',
    });
    const { loadTasks } = await import('./tasks.js');
    const tree = await loadConfig(root);
    const [task] = await loadTasks(tree.suites.get('s')!, tree.scenarios);
    expect(resolve(task.origin.file)).toBe(join(root, '.gauntlet/suites/data/t.csv'));
  });
});
