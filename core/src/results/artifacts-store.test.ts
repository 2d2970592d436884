import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bareRemote, gitIn } from '../test-support/git.js';
import { storedName } from './artifact-files.js';
import { GitBranchStore, SecretInResult } from './git-branch.js';
import { Redactor } from './redact.js';
import type { SuiteManifest } from './record.js';
import { DirectoryStore } from './store.js';
// @ts-expect-error plain ESM fixture shared with the writer processes
import { fakeManifest } from '../../../tests/fixtures/manifest.mjs';

const BRANCH = 'gauntlet-results';
const SECRET = 'sk-live-artifact-secret-0042';
/** Every byte value, NULs and invalid UTF-8 included: what a text round trip would mangle. */
const BINARY = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0x00, 0x0d, 0x0a]),
]);

const branchStore = async (remote: string, redactor?: Redactor) =>
  new GitBranchStore({
    remote,
    branch: BRANCH,
    workDir: join(await mkdtemp(join(tmpdir(), 'scratch-')), 'git'),
    ...(redactor ? { redactor } : {}),
  });

/** A suite run in a directory store: its manifest, one record and the run's artifacts. */
async function stored(files: Map<string, Buffer>) {
  const dir = await mkdtemp(join(tmpdir(), 'results-'));
  const store = new DirectoryStore(dir, new Redactor([SECRET]));
  const m: SuiteManifest = fakeManifest('sr-1');
  await store.writeManifest(m);
  await writeFile(join(store.suiteDir('sr-1'), 'r-1.json'), JSON.stringify({ id: 'r-1' }));
  const failed = await store.writeArtifacts('sr-1', 'r-1', files);
  return { dir, store, m, failed, suiteDir: store.suiteDir('sr-1') };
}

describe('artifacts in the directory store and on the results branch', () => {
  it('a binary round-trips byte-exact through the directory and the branch, in folders', async () => {
    const { m, suiteDir, failed } = await stored(
      new Map([
        ['charts/plot.png', BINARY],
        ['report.md', Buffer.from('# Report\n')],
        ['"quoted" name.txt', Buffer.from('q')],
      ]),
    );
    expect(failed.size).toBe(0);
    const onDisk = await readFile(join(suiteDir, 'artifacts/r-1/charts/plot.png'));
    expect(onDisk.equals(BINARY)).toBe(true);
    const remote = await bareRemote();
    await (await branchStore(remote, new Redactor([SECRET]))).append(m, suiteDir, 'a');
    const listed = gitIn(remote, 'ls-tree', '-r', '-z', '--name-only', BRANCH)
      .split('\0')
      .filter(Boolean)
      .sort();
    expect(listed).toEqual([
      'index.json',
      'runs/sr-1/artifacts/r-1/"quoted" name.txt',
      'runs/sr-1/artifacts/r-1/charts/plot.png',
      'runs/sr-1/artifacts/r-1/report.md',
      'runs/sr-1/manifest.json',
      'runs/sr-1/r-1.json',
    ]);
    const blob = execFileSync('git', [
      '--git-dir',
      remote.slice('file://'.length),
      'cat-file',
      'blob',
      `${BRANCH}:runs/sr-1/artifacts/r-1/charts/plot.png`,
    ]);
    expect(blob.equals(BINARY)).toBe(true);
    // Merges and suite views read a suite run's top files, never its artifacts.
    const reader = await branchStore(remote);
    const tip = (await reader.fetchTip())!;
    expect([...(await reader.readSuiteRun(tip, 'sr-1')).keys()].sort()).toEqual([
      'manifest.json',
      'r-1.json',
    ]);
  });

  it('the secret refusal still holds for a text artifact and reads binaries as bytes', async () => {
    const { m, suiteDir } = await stored(new Map([['log.txt', Buffer.from(`key ${SECRET}`)]]));
    const remote = await bareRemote();
    const store = await branchStore(remote, new Redactor([SECRET]));
    await expect(store.append(m, suiteDir, 'a')).rejects.toThrow(SecretInResult);
    const bin = await stored(new Map([['x.bin', Buffer.concat([BINARY, Buffer.from(SECRET)])]]));
    await expect(store.append(bin.m, bin.suiteDir, 'b')).rejects.toThrow(/x\.bin/);
  });

  it('never pushes a link or a half-written folder', async () => {
    const { m, suiteDir } = await stored(new Map([['ok.txt', Buffer.from('ok')]]));
    await symlink('/etc/passwd', join(suiteDir, 'artifacts/r-1/passwd'));
    await mkdir(join(suiteDir, 'artifacts/.r-2.partial-1'), { recursive: true });
    await writeFile(join(suiteDir, 'artifacts/.r-2.partial-1/half.txt'), 'half');
    const remote = await bareRemote();
    await (await branchStore(remote)).append(m, suiteDir, 'a');
    const listed = gitIn(remote, 'ls-tree', '-r', '--name-only', BRANCH);
    expect(listed).toContain('runs/sr-1/artifacts/r-1/ok.txt');
    expect(listed).not.toMatch(/passwd|half/);
  });

  it('the store refuses a path that is not plain, and writes the rest', async () => {
    const { failed, suiteDir } = await stored(
      new Map([
        ['../../escape.txt', Buffer.from('x')],
        ['a/ok.txt', Buffer.from('ok')],
      ]),
    );
    expect([...failed.keys()]).toEqual(['../../escape.txt']);
    expect(await readFile(join(suiteDir, 'artifacts/r-1/a/ok.txt'), 'utf8')).toBe('ok');
  });
});

describe('storedName: what a static host would render as a page is stored as text', () => {
  // Browsers render any */xml or */*+xml type as a document, and XHTML-namespaced <script>
  // in it runs: a feed or an RDF file on Pages is as live as an HTML page.
  it.each([
    'report.html',
    'chart.svg',
    'feed.rdf',
    'feed.atom',
    'news.rss',
    'formula.mml',
    'formula.mathml',
    'schema.xsd',
    'map.kml',
    'track.gpx',
    'service.wsdl',
    'strings.xlf',
    'show.smil',
    'book.dbk',
    'data.pskcxml',
    'deep/dir/UI.XUL',
  ])('%s is stored as .txt', (path) => {
    expect(storedName(path)).toBe(`${path}.txt`);
  });

  it.each(['data.csv', 'summary.json', 'report.md', 'plot.png', 'notes.txt', 'archive.tar.gz'])(
    '%s is stored as it is',
    (path) => expect(storedName(path)).toBe(path),
  );
});
