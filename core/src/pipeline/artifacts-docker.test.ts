import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerReady } from '../test-support/docker.js';
import { makeTree, project } from '../test-support/tree.js';
import { runSuites } from './run-suite.js';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]);

/** A suite of one command agent on an empty workspace, its checks over /app/results. */
function tree(command: string, extra: string, timeout = 120) {
  return {
    ...project(),
    'repo/README.md': 'empty\n',
    '.gauntlet/agents/writer.yaml': `kind: agent\nname: writer\ncommand: ${JSON.stringify(command)}\ntimeout: ${timeout}\n`,
    '.gauntlet/scenarios/empty.yaml':
      'kind: scenario\nname: empty\nworkspace:\n  path: ../../repo\n',
    '.gauntlet/suites/out.yaml': `kind: suite\nname: out\nagent: writer\nscenario: empty\njudge: none\ntasks:\n  - user: "write the report"\n${extra}`,
  };
}

describe.skipIf(!dockerReady())('artifacts from a real sandbox', () => {
  it('collects /app/results: a symlink escape is not followed, a file over the cap is refused', async () => {
    const script = [
      'mkdir -p /app/results/charts',
      `printf '{"total": 3}' > /app/results/summary.json`,
      `printf '\\211PNG\\r\\n\\032\\n\\000\\377' > /app/results/charts/plot.png`,
      'ln -s /etc/passwd /app/results/passwd',
      'ln -s /home/user /app/results/home',
      'head -c 1500000 /dev/urandom > /app/results/big.bin',
      'echo done',
    ].join(' && ');
    const root = await makeTree(
      tree(
        script,
        'artifacts: { max_file_mb: 1 }\nexpect:\n' +
          '  - artifact: summary.json\n    json_schema: { type: object, required: [total] }\n' +
          '  - file_exists: charts/plot.png\n' +
          '  - artifact: passwd\n',
      ),
    );
    const [res] = await runSuites({ root });
    const r = res.records[0];
    expect(r.error).toBeNull();
    const byPath = Object.fromEntries(r.artifacts.map((a) => [a.path, a]));
    expect(Object.keys(byPath).sort()).toEqual([
      'big.bin',
      'charts/plot.png',
      'home',
      'passwd',
      'summary.json',
    ]);
    expect(byPath['passwd']).toMatchObject({ stored: false, size: 0, sha256: '' });
    expect(byPath['passwd'].note).toMatch(/symbolic link \(to \/etc\/passwd\), not followed/);
    expect(byPath['home'].note).toMatch(/not followed/);
    expect(byPath['big.bin']).toMatchObject({ size: 1_500_000, stored: false });
    expect(byPath['big.bin'].note).toMatch(/over the 1 MB cap a file/);
    expect(byPath['charts/plot.png']).toMatchObject({ content_type: 'image/png', stored: true });
    expect(r.scorers.map((s) => [s.name, s.passed])).toEqual([
      ['artifact summary.json json_schema', true],
      ['file_exists charts/plot.png', true],
      ['artifact passwd', false],
    ]);
    expect(r.scorers[2].tail).toMatch(/passwd was not stored: a symbolic link/);
    expect(r.soft_warnings.join('\n')).toMatch(/1 artifact\(s\) over the 1 MB cap a file/);
    expect(r.phases.collect_ms).toBeGreaterThanOrEqual(0);
    // Stored beside the record, byte for byte; nothing of /etc/passwd anywhere.
    const dir = join(res.dir, 'artifacts', r.id);
    expect((await readFile(join(dir, 'charts/plot.png'))).equals(PNG)).toBe(true);
    expect(await readFile(join(dir, 'summary.json'), 'utf8')).toBe('{"total": 3}');
    expect((await readdir(dir)).sort()).toEqual(['charts', 'summary.json']);
    expect(JSON.stringify(r)).not.toMatch(/root:x:0:0/);
  });

  it('still collects what a timed-out agent left', async () => {
    const root = await makeTree(
      tree(
        'echo partial > /app/results/partial.txt && sleep 60',
        'expect:\n  - file_exists: partial.txt\n',
        3,
      ),
    );
    const [res] = await runSuites({ root });
    const r = res.records[0];
    expect(r.error?.class).toBe('agent_timeout');
    expect(r.artifacts).toEqual([
      expect.objectContaining({ path: 'partial.txt', stored: true, content_type: 'text/plain' }),
    ]);
    expect(await readFile(join(res.dir, 'artifacts', r.id, 'partial.txt'), 'utf8')).toBe(
      'partial\n',
    );
  });
});
