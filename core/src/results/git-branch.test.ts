import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../util/paths.js';
import {
  GitBranchStore,
  MAX_BRANCH_FILE_BYTES,
  retained,
  SecretInResult,
  type BranchIndex,
} from './git-branch.js';
import { Redactor } from './redact.js';
import type { SuiteManifest } from './record.js';
// @ts-expect-error plain ESM fixture shared with the writer processes
import { fakeManifest } from '../../../tests/fixtures/manifest.mjs';
import { bareRemote, gitIn as git } from '../test-support/git.js';

const run = promisify(execFile);
const BRANCH = 'gauntlet-results';

async function suiteDir(m: SuiteManifest, records: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'suite-'));
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(m));
  for (const [id, r] of Object.entries(records))
    await writeFile(join(dir, `${id}.json`), JSON.stringify(r));
  return dir;
}

describe('git results branch', () => {
  it('appends suite runs as fast-forward commits and regenerates the index from the tree', async () => {
    const remote = await bareRemote();
    const store = new GitBranchStore({
      remote,
      branch: BRANCH,
      workDir: join(await mkdtemp(join(tmpdir(), 'scratch-')), 'git'),
      token: 'ghs_tokenNeverOnDisk123',
    });
    const a: SuiteManifest = fakeManifest('s-a', {
      provenance: {
        gauntlet_version: '0',
        config_hash: 'x',
        host: 'h',
        pr: 7,
        commit: 'abc',
        base_sha: 'def',
        workflow_run: '99',
        run_attempt: 1,
        shard: '1/2',
      },
    });
    const b: SuiteManifest = fakeManifest('s-b');
    const first = await store.append(a, await suiteDir(a, { 'r-1': { id: 'r-1' } }), 'a');
    const second = await store.append(b, await suiteDir(b, { 'r-2': { id: 'r-2' } }), 'b');
    expect(git(remote, 'rev-parse', BRANCH)).toBe(second.commit);
    expect(git(remote, 'rev-parse', `${second.commit}^`)).toBe(first.commit);
    expect(git(remote, 'ls-tree', '-r', '--name-only', BRANCH).split('\n').sort()).toEqual([
      'index.json',
      'runs/s-a/manifest.json',
      'runs/s-a/r-1.json',
      'runs/s-b/manifest.json',
      'runs/s-b/r-2.json',
    ]);
    const index = JSON.parse(git(remote, 'show', `${BRANCH}:index.json`)) as BranchIndex;
    expect(index.suite_runs.map((e) => e.id).sort()).toEqual(['s-a', 's-b']);
    expect(index.suite_runs.find((e) => e.id === 's-a')).toMatchObject({
      pr: 7,
      commit: 'abc',
      base_sha: 'def',
      workflow_run: '99',
      run_attempt: 1,
      shard: '1/2',
    });
    // A fresh scratch clone (trees only) reads one suite run back in one round trip.
    const reader = new GitBranchStore({
      remote,
      branch: BRANCH,
      workDir: join(await mkdtemp(join(tmpdir(), 'scratch-')), 'git'),
    });
    const files = await reader.readSuiteRun((await reader.fetchTip())!, 's-a');
    expect([...files.keys()].sort()).toEqual(['manifest.json', 'r-1.json']);
    expect(JSON.parse(files.get('r-1.json')!)).toEqual({ id: 'r-1' });
    // The token travels in the environment only; nothing in the scratch repository holds it.
    const config = await readFile(join(store['o'].workDir, 'config'), 'utf8');
    expect(config).not.toContain('ghs_tokenNeverOnDisk123');
  });

  it('rebuilds a missing index entry from the manifest in the tree', async () => {
    const remote = await bareRemote();
    const workDir = join(await mkdtemp(join(tmpdir(), 'scratch-')), 'git');
    const store = new GitBranchStore({ remote, branch: BRANCH, workDir });
    const a = fakeManifest('s-a');
    await store.append(a, await suiteDir(a, {}), 'a');
    // Someone rewrites index.json by hand, dropping the entry.
    const clone = await mkdtemp(join(tmpdir(), 'clone-'));
    execFileSync('git', ['clone', '-q', '-b', BRANCH, remote, clone]);
    await writeFile(
      join(clone, 'index.json'),
      JSON.stringify({ schema_version: 1, updated_at: '', suite_runs: [] }),
    );
    execFileSync('git', [
      '-C',
      clone,
      '-c',
      'user.name=x',
      '-c',
      'user.email=x@x',
      'commit',
      '-qam',
      'hand edit',
    ]);
    execFileSync('git', ['-C', clone, 'push', '-q', 'origin', BRANCH]);
    const b = fakeManifest('s-b');
    await store.append(b, await suiteDir(b, {}), 'b');
    const index = JSON.parse(git(remote, 'show', `${BRANCH}:index.json`)) as BranchIndex;
    expect(index.suite_runs.map((e) => e.id).sort()).toEqual(['s-a', 's-b']);
  });

  it('keeps the branch bounded: retention drops the oldest suite runs from the tree and the index', async () => {
    const remote = await bareRemote();
    const store = new GitBranchStore({
      remote,
      branch: BRANCH,
      workDir: join(await mkdtemp(join(tmpdir(), 'scratch-')), 'git'),
      retention: { maxSuiteRuns: 2 },
    });
    for (const [id, at] of [
      ['s-1', '2026-11-01T00:00:00Z'],
      ['s-2', '2026-11-02T00:00:00Z'],
      ['s-3', '2026-11-03T00:00:00Z'],
    ]) {
      const m = fakeManifest(id, { started_at: at });
      await store.append(m, await suiteDir(m, { [`r-${id}`]: {} }), id);
    }
    const runs = git(remote, 'ls-tree', '--name-only', `${BRANCH}:runs`).split('\n');
    expect(runs).toEqual(['s-2', 's-3']);
    expect(
      retained(
        [fakeManifest('old', { started_at: '2020-01-01T00:00:00Z' })].map((m) => ({
          ...m,
          runs: 1,
          failed: 0,
          cost_usd: 0,
        })),
        { maxAgeDays: 30 },
      ),
    ).toEqual([]);
  });

  it('refuses to push a result containing a secret, before anything leaves the machine', async () => {
    const remote = await bareRemote();
    const store = new GitBranchStore({
      remote,
      branch: BRANCH,
      workDir: join(await mkdtemp(join(tmpdir(), 'scratch-')), 'git'),
      redactor: new Redactor(['sk-live-abcdef123456']),
    });
    const m = fakeManifest('s-secret');
    const dir = await suiteDir(m, {
      'r-1': { leaked: Buffer.from('xx sk-live-abcdef123456 yy').toString('base64') },
    });
    await expect(store.append(m, dir, 'leak')).rejects.toBeInstanceOf(SecretInResult);
    expect(() => git(remote, 'rev-parse', '--verify', '-q', BRANCH)).toThrow();
  });

  it('refuses to push any file over 50 MB, before anything leaves the machine', async () => {
    const remote = await bareRemote();
    const store = new GitBranchStore({
      remote,
      branch: BRANCH,
      workDir: join(await mkdtemp(join(tmpdir(), 'scratch-')), 'git'),
    });
    const m = fakeManifest('s-big');
    const dir = await suiteDir(m, { 'r-1': {} });
    await writeFile(join(dir, 'artifact.bin'), Buffer.alloc(MAX_BRANCH_FILE_BYTES + 1));
    await expect(store.append(m, dir, 'big')).rejects.toThrow(
      /artifact\.bin.*over the 50 MB limit/,
    );
    expect(() => git(remote, 'rev-parse', '--verify', '-q', BRANCH)).toThrow();
  });

  it('writes the site (the built viewer) beside index.json in every append, as listed', async () => {
    const remote = await bareRemote();
    const viewer = await mkdtemp(join(tmpdir(), 'viewer-'));
    const put = (name: string, text: string) => writeFile(join(viewer, name), text);
    await put('index.html', '<!doctype html>v1');
    await put('viewer.js', 'v1');
    await put('old.css', 'gone soon');
    const site = (names: string[]) =>
      names.map((n) => ({ path: `viewer/${n}`, file: join(viewer, n) }));
    const workDir = join(await mkdtemp(join(tmpdir(), 'scratch-')), 'git');
    const first = new GitBranchStore({
      remote,
      branch: BRANCH,
      workDir,
      site: site(['index.html', 'viewer.js', 'old.css']),
    });
    const a = fakeManifest('s-a');
    await first.append(a, await suiteDir(a, { 'r-1': {} }), 'a');
    expect(git(remote, 'show', `${BRANCH}:viewer/index.html`)).toBe('<!doctype html>v1');
    // A newer viewer: rewritten in the same commit as the next suite run; a file it no longer
    // ships leaves the folder; records and the index are untouched.
    await put('index.html', '<!doctype html>v2');
    await put('viewer.css', 'v2');
    const second = new GitBranchStore({
      remote,
      branch: BRANCH,
      workDir,
      site: site(['index.html', 'viewer.js', 'viewer.css']),
    });
    const b = fakeManifest('s-b');
    const { commit } = await second.append(b, await suiteDir(b, { 'r-2': {} }), 'b');
    expect(git(remote, 'ls-tree', '-r', '--name-only', commit).split('\n').sort()).toEqual([
      'index.json',
      'runs/s-a/manifest.json',
      'runs/s-a/r-1.json',
      'runs/s-b/manifest.json',
      'runs/s-b/r-2.json',
      'viewer/index.html',
      'viewer/viewer.css',
      'viewer/viewer.js',
    ]);
    expect(git(remote, 'show', `${commit}:viewer/index.html`)).toBe('<!doctype html>v2');
    expect(git(remote, 'rev-list', '--count', commit)).toBe('2');
  });

  it('puts site files through the secret and path checks, before anything leaves the machine', async () => {
    const remote = await bareRemote();
    const viewer = await mkdtemp(join(tmpdir(), 'viewer-'));
    await writeFile(join(viewer, 'viewer.js'), 'const k = "sk-live-abcdef123456";');
    const m = fakeManifest('s-site');
    const store = (site: { path: string; file: string }[]) =>
      new GitBranchStore({
        remote,
        branch: BRANCH,
        workDir: join(tmpdir(), `scratch-${Math.random().toString(36).slice(2)}`),
        redactor: new Redactor(['sk-live-abcdef123456']),
        site,
      });
    const dir = await suiteDir(m, { 'r-1': {} });
    const leak = await store([{ path: 'viewer/viewer.js', file: join(viewer, 'viewer.js') }])
      .append(m, dir, 'leak')
      .catch((e) => e);
    expect(leak).toBeInstanceOf(SecretInResult);
    expect(leak.path).toBe('viewer/viewer.js');
    for (const path of ['../x.js', 'runs/s-site/x.json', 'index.json', 'a/b/c.js', '.git/config'])
      await expect(
        store([{ path, file: join(viewer, 'viewer.js') }]).append(m, dir, 'bad'),
      ).rejects.toThrow(/not a plain path/);
    expect(() => git(remote, 'rev-parse', '--verify', '-q', BRANCH)).toThrow();
  });

  it('8 concurrent writer processes append 200 runs: each record exactly once, history linear', async () => {
    const remote = await bareRemote();
    const writer = join(packageRoot(), 'tests/fixtures/branch-writer.mjs');
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, w) => run(process.execPath, [writer, remote, String(w), '25'])),
    );
    const retries = results.map((r) => JSON.parse(r.stdout).attempts - 25);
    const files = git(remote, 'ls-tree', '-r', '--name-only', BRANCH)
      .split('\n')
      .filter((f) => /\/r-\d+-\d+\.json$/.test(f));
    expect(files).toHaveLength(200);
    expect(new Set(files.map((f) => f.split('/').pop())).size).toBe(200);
    const history = git(remote, 'rev-list', '--parents', BRANCH).split('\n');
    expect(history).toHaveLength(200);
    expect(
      history.every((l, i) => l.split(' ').length === (i === history.length - 1 ? 1 : 2)),
    ).toBe(true);
    const index = JSON.parse(git(remote, 'show', `${BRANCH}:index.json`)) as BranchIndex;
    expect(index.suite_runs).toHaveLength(200);
    expect(retries.reduce((a, b) => a + b, 0)).toBeGreaterThan(0); // the race really happened
  }, 240_000);
});
