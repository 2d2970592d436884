import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runSuites } from '../pipeline/run-suite.js';
import { dockerReady } from '../test-support/docker.js';
import { makeTree, project, pythonAgent, suite } from '../test-support/tree.js';

// Writes 3 GB to /tmp, then waits: only the disk budget can end this run before its timeout.
const FILLER = `import time
def run(task_input, *, proxy_url, run_token):
    block = b"\\0" * (16 * 1024 * 1024)
    with open("/tmp/fill", "wb") as f:
        for _ in range(192):
            f.write(block)
            f.flush()
    time.sleep(600)
    return "wrote 3 GB"
`;

describe.skipIf(!dockerReady())('the disk budget', () => {
  it('stops a sandbox that writes past sandbox.disk_mb with a clear error, and leaves nothing on the host', async () => {
    const root = await makeTree({
      ...project('sandbox:\n  disk_mb: 200\n'),
      ...pythonAgent('filler', FILLER, 'timeout: 120\n'),
      ...suite('s', 'filler', ['fill the disk']),
    });
    const [res] = await runSuites({ root });
    const r = res.records[0];
    expect(r).toMatchObject({
      status: 'failed',
      error: { class: 'contract_error', code: 'sandbox_disk_limit' },
    });
    expect(r.error?.message).toMatch(
      /over its disk budget of 200 MiB.*raise sandbox\.disk_mb in gauntlet\.yaml/,
    );
    expect(r.latency_ms).toBeLessThan(60_000);
    expect(
      execFileSync('docker', ['ps', '-aq', '--filter', `label=gauntlet.run=${r.id}`])
        .toString()
        .trim(),
    ).toBe('');
  });
});
