import { describe, expect, it } from 'vitest';
import { configIssues } from '../test-support/config-issues.js';

const issues = configIssues;

const agent = { '.gauntlet/agents/a.yaml': 'kind: agent\nname: a\ncommand: claude -p hi\n' };
const scenario = (scorers: string) => ({
  '.gauntlet/scenarios/calc.yaml': `kind: scenario\nname: calc\nworkspace: { empty: true }\n${scorers}`,
});
const suite = (extra: string, tasks = 'tasks:\n  - user: fix it\n') => ({
  '.gauntlet/suites/s.yaml': `kind: suite\nname: s\nagent: a\njudge: none\n${extra}${tasks}`,
});

describe('a suite must grade something', () => {
  it('refuses judge: none with no scorers anywhere, at the judge line, with fixes', async () => {
    const found = await issues({ ...agent, ...scenario(''), ...suite('scenario: calc\n') });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ code: 'suite_grades_nothing', field: 'judge', line: 4 });
    expect(found[0].file).toMatch(/suites\/s\.yaml$/);
    expect(found[0].message).toMatch(/grades nothing/);
    expect(found[0].fix).toMatch(/scorers.*scenario "calc"/);
    expect(found[0].fix).toMatch(/judge: \{ model/);
  });

  it('refuses judge: none on a suite with no scenario', async () => {
    const [i] = await issues({ ...agent, ...suite('') });
    expect(i).toMatchObject({ code: 'suite_grades_nothing', line: 4 });
    expect(i.fix).toMatch(/scenario: with scorers/);
  });

  it("accepts judge: none when the suite's scenario has scorers", async () => {
    const scorers = 'scorers:\n  - { name: out, file_exists: out.txt }\n';
    const files = { ...agent, ...scenario(scorers), ...suite('scenario: calc\n') };
    expect(await issues(files)).toEqual([]);
  });

  it('accepts judge: none when a CSV row brings its own scorers', async () => {
    const csv = {
      '.gauntlet/suites/t.csv': 'user,eval\nfix it,"[{""name"":""t"",""command"":""true""}]"\n',
    };
    const wired = suite('scenario: calc\ncolumns: [eval]\n', 'tasks: { csv: t.csv }\n');
    expect(await issues({ ...agent, ...scenario(''), ...csv, ...wired })).toEqual([]);
  });

  it('accepts a suite with a judge and no scorers', async () => {
    const judged = 'kind: suite\nname: s\nagent: a\ntasks:\n  - user: hi\n';
    const files = { ...agent, '.gauntlet/suites/s.yaml': judged };
    expect(await issues(files)).toEqual([]);
  });
});
