import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { dockerReady } from '../core/src/test-support/docker.js';
import { makeTree } from '../core/src/test-support/tree.js';

const BIN = join(__dirname, '..', 'bin', 'gauntlet.js');
const cli = (args: string[], cwd?: string) =>
  spawnSync('node', [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
  });

describe('gauntlet CLI', () => {
  it('validate exits 2 and prints file:line:column with a fix', async () => {
    const root = await makeTree({
      '.gauntlet/agents/a.yaml': 'kind: agent\nname: a\npyhton:\n  source: { inline: "x" }\n',
    });
    const r = cli(['validate', root]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /agents\/a\.yaml:3:1: error \[unknown_key\] pyhton: unknown key "pyhton"; did you mean "python"\?/,
    );
    expect(r.stderr).toContain('fix: rename');
  });

  it('validate accepts the quickstart example', () => {
    const r = cli(['validate', join(__dirname, '..', 'examples', 'quickstart')]);
    expect(r.stdout).toContain('ok: 1 agent(s), 1 suite(s)');
    expect(r.status).toBe(0);
  });

  it.skipIf(!dockerReady())('runs the quickstart example end to end, then shows a trace', () => {
    const root = mkdtempSync(join(tmpdir(), 'qs-'));
    cpSync(join(__dirname, '..', 'examples', 'quickstart'), root, {
      recursive: true,
      filter: (s) => !s.includes('results'),
    });
    const r = cli(['run', root, '--concurrency', '2']);
    expect(r.stderr).toContain('[3/3]');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/environment\s+sandbox-explorer@sha-\w+\s+completed\s+PASS/);
    expect(r.stdout).toContain('quickstart: 100% pass (3/3)');
    const runId = /count-json-modules .* (r\w{15})\s*$/m.exec(r.stdout)![1];
    const show = cli(['show', runId, '--root', root]);
    expect(show.stdout).toContain('Judge verdict');
    expect(show.stdout).toMatch(/\$ sh -c find \/usr\/lib\/python3.13\/json/);
    expect(show.stdout).toMatch(/There are \d+ Python files/);
    const record = JSON.parse(cli(['show', runId, '--root', root, '--json']).stdout);
    const ajv = new Ajv({ strict: false });
    const schema = JSON.parse(
      readFileSync(join(__dirname, '..', 'schemas', 'run-record.schema.json'), 'utf8'),
    );
    expect(ajv.validate(schema, record), JSON.stringify(ajv.errors)).toBe(true);
    const dir = /records: (\S+)/.exec(r.stdout)![1];
    const manifestSchema = JSON.parse(
      readFileSync(join(__dirname, '..', 'schemas', 'suite-manifest.schema.json'), 'utf8'),
    );
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(ajv.validate(manifestSchema, manifest), JSON.stringify(ajv.errors)).toBe(true);
    expect(manifest.runs).toHaveLength(3);
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8').match(/<testcase /g)).toHaveLength(3);
  });
});
