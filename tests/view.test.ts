import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Runs bin/gauntlet.js, i.e. build/ after `npm run -s build`, as a user would.
const BIN = join(__dirname, '..', 'bin', 'gauntlet.js');
const env = { ...process.env, FORCE_COLOR: '0', CI: 'true' };

/** A results directory as `gauntlet run` leaves it: index.json, a manifest, a record. */
function fixture(): string {
  const dir = mkdtempSync(join(tmpdir(), 'results-'));
  mkdirSync(join(dir, 'runs', 's-1'), { recursive: true });
  const entry = {
    id: 's-1',
    suite: 'smoke',
    started_at: '2025-01-01T00:00:00Z',
    pass_rate: 1,
    runs: 1,
    failed: 0,
    cost_usd: 0,
    gates_passed: true,
    p95_ms: 5,
  };
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({ schema_version: 1, updated_at: entry.started_at, suite_runs: [entry] }),
  );
  writeFileSync(
    join(dir, 'runs', 's-1', 'manifest.json'),
    JSON.stringify({ id: 's-1', suite: 'smoke', runs: [{ id: 'r-1' }] }),
  );
  writeFileSync(
    join(dir, 'runs', 's-1', 'r-1.json'),
    JSON.stringify({ id: 'r-1', final_response: '</script><script>alert(1)</script>' }),
  );
  return dir;
}

describe('gauntlet view', () => {
  it('serves the viewer and the results on loopback until Ctrl-C', async () => {
    const dir = fixture();
    const child = spawn('node', [BIN, 'view', dir, '--no-open'], { env });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
    const url = await new Promise<string>((ok, fail) => {
      child.stdout.setEncoding('utf8').on('data', (c: string) => {
        stdout += c;
        const m = /(http:\/\/127\.0\.0\.1:\d+\/viewer\/)/.exec(stdout);
        if (m) ok(m[1]);
      });
      child.once('exit', (code) => fail(new Error(`exited ${code}: ${stderr}`)));
    });
    try {
      expect(stdout).toContain(dir);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await page.text()).toMatch(/<script/);
      for (const f of ['viewer.js', 'viewer.css'])
        expect((await fetch(new URL(f, url))).status, f).toBe(200);
      // The viewer's own relative fetches: ../index.json, ../runs/<id>/...
      const index = await (await fetch(new URL('../index.json', url))).json();
      expect(index.suite_runs[0].id).toBe('s-1');
      const record = await (await fetch(new URL('../runs/s-1/r-1.json', url))).json();
      expect(record.id).toBe('r-1');
      const root = await fetch(new URL('/', url), { redirect: 'manual' });
      expect(root.status).toBe(302);
      expect(root.headers.get('location')).toBe('/viewer/');
    } finally {
      child.kill('SIGINT');
    }
    const code = await new Promise((ok) => child.once('exit', ok));
    expect(code).toBe(0);
    expect(stderr).toContain('Ctrl-C');
  });

  it('exits 2 naming the directory when there are no results', () => {
    const r = spawnSync('node', [BIN, 'view', join(tmpdir(), 'no-such-results-dir')], {
      env,
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no results directory at');
    const port = spawnSync('node', [BIN, 'view', fixture(), '--port', 'x'], {
      env,
      encoding: 'utf8',
    });
    expect(port.status).toBe(2);
    expect(port.stderr).toContain('--port takes a port number');
  });
});

describe('gauntlet report --html', () => {
  it('writes one self-contained file of the newest suite run and prints its size', () => {
    const dir = fixture();
    const file = join(mkdtempSync(join(tmpdir(), 'report-')), 'report.html');
    const r = spawnSync('node', [BIN, 'report', '--html', file, '--results', dir], {
      env,
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/report\.html \(\d+(\.\d)? (B|kB|MB)\): suite run s-1/);
    const html = readFileSync(file, 'utf8');
    expect(html).not.toMatch(/src="(\.\/)?viewer\.js"/);
    expect(html).toContain('id="gauntlet-data"');
    expect(html).toContain('\\u003c/script\\u003e\\u003cscript\\u003ealert(1)');
  });

  it('exits 2 with usage when --html is missing, or the suite run is unknown', () => {
    const usage = spawnSync('node', [BIN, 'report'], { env, encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('usage: gauntlet report --html FILE');
    const file = join(mkdtempSync(join(tmpdir(), 'report-')), 'r.html');
    const unknown = spawnSync(
      'node',
      [BIN, 'report', '--html', file, '--results', fixture(), '--suite-run', 'nope'],
      { env, encoding: 'utf8' },
    );
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('no suite run nope');
  });
});
