import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { ARTIFACTS_DIR, isPlainRelative } from './artifact-files.js';
import type { Redactor } from './redact.js';
import type { SuiteManifest } from './record.js';
import { entryOf, type BranchIndex, type IndexEntry } from './suite-index.js';

export type { BranchIndex, IndexEntry } from './suite-index.js';

/**
 * The results branch: run records committed to a branch of the evaluated repository, safe
 * under a job matrix of concurrent writers. Every suite run writes its own paths
 * (runs/<suite-run-id>/...); a commit is built with plumbing on top of the branch tip and
 * pushed without force, so the ref only moves fast-forward; a writer that loses the race
 * re-reads the tip, rebuilds, and retries after a jittered backoff. index.json is rebuilt on
 * every append from what the tree holds, never appended to.
 */

export interface Retention {
  /** Suite runs older than this are dropped from the tree. */
  maxAgeDays?: number;
  /** At most this many suite runs are kept, newest first. */
  maxSuiteRuns?: number;
}

export interface GitBranchOptions {
  /** A URL or path git can push to. */
  remote: string;
  branch: string;
  /** Scratch bare repository, kept between appends of one process. */
  workDir: string;
  /** Sent as an HTTP Authorization header through the environment; never written to disk. */
  token?: string;
  retention?: Retention;
  /** Refuses any file in which a form of these secrets appears. */
  redactor?: Redactor;
  maxAttempts?: number;
  author?: { name: string; email: string };
  /**
   * Files rewritten at these branch paths in every append's commit, beside index.json: the
   * built viewer under viewer/, so Pages can serve the branch. They pass the same secret and
   * size checks as records. A folder named here holds only what is listed (a file the viewer
   * no longer ships is removed).
   */
  site?: { path: string; file: string }[];
}

export class SecretInResult extends Error {
  constructor(readonly path: string) {
    super(`refusing to push ${path} to the results branch: it contains a secret value`);
  }
}

export class BranchPushFailed extends Error {}

/** GitHub warns at 50 MB and rejects 100 MB; nothing gauntlet writes should come near either. */
export const MAX_BRANCH_FILE_BYTES = 50 * 1000 * 1000;

export class FileTooLarge extends Error {
  constructor(
    readonly path: string,
    readonly bytes: number,
  ) {
    super(
      `refusing to push ${path} to the results branch: it is ${(bytes / 1e6).toFixed(1)} MB, over the ${MAX_BRANCH_FILE_BYTES / 1e6} MB limit (GitHub warns at 50 MB and rejects 100 MB); the run record budgets should have kept it far smaller, so report this as a bug`,
    );
  }
}

/** A site file's branch path: plain names, at most one folder deep (or Pages' .nojekyll). */
const SITE_PATH = /^(([A-Za-z0-9][A-Za-z0-9._-]*\/)?[A-Za-z0-9][A-Za-z0-9._-]*|\.nojekyll)$/;

const DEFAULT_RETENTION: Required<Retention> = { maxAgeDays: 90, maxSuiteRuns: 2000 };
const TIP = 'refs/gauntlet/tip';

/** Which suite runs survive retention, newest first. */
export function retained(entries: IndexEntry[], r: Retention = {}, now = Date.now()): IndexEntry[] {
  const { maxAgeDays, maxSuiteRuns } = { ...DEFAULT_RETENTION, ...r };
  return [...entries]
    .sort((a, b) => b.started_at.localeCompare(a.started_at) || b.id.localeCompare(a.id))
    .filter((e) => now - Date.parse(e.started_at) <= maxAgeDays * 86_400_000)
    .slice(0, maxSuiteRuns);
}

export class GitBranchStore {
  private readonly env: Record<string, string>;

  constructor(private readonly o: GitBranchOptions) {
    this.env = {
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: o.author?.name ?? 'gauntlet',
      GIT_AUTHOR_EMAIL: o.author?.email ?? 'gauntlet@users.noreply.github.com',
      GIT_COMMITTER_NAME: o.author?.name ?? 'gauntlet',
      GIT_COMMITTER_EMAIL: o.author?.email ?? 'gauntlet@users.noreply.github.com',
      ...(o.token
        ? {
            GIT_CONFIG_COUNT: '1',
            GIT_CONFIG_KEY_0: 'http.extraHeader',
            GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${o.token}`).toString('base64')}`,
          }
        : {}),
    };
  }

  private async git(
    args: string[],
    opts: { input?: string; env?: Record<string, string>; reject?: boolean } = {},
  ) {
    const r = await execa('git', ['--git-dir', this.o.workDir, ...args], {
      input: opts.input,
      env: { ...this.env, ...opts.env },
      reject: false,
      stripFinalNewline: true,
    });
    if (r.exitCode !== 0 && opts.reject !== false)
      throw new BranchPushFailed(
        `git ${args[0]} failed: ${this.mask(String(r.stderr)).trim().split('\n').slice(-3).join(' / ')}`,
      );
    return r;
  }

  private mask(s: string) {
    return this.o.token ? s.split(this.o.token).join('***') : s;
  }

  private async init() {
    if (existsSync(join(this.o.workDir, 'HEAD'))) return;
    await mkdir(this.o.workDir, { recursive: true });
    await execa('git', ['init', '-q', '--bare', this.o.workDir], { env: this.env });
    await this.git(['remote', 'add', 'origin', this.o.remote]);
    // No detached auto-gc or maintenance: it would hold shallow.lock under the next fetch.
    for (const [k, v] of [
      ['gc.auto', '0'],
      ['maintenance.auto', 'false'],
      ['fetch.writeCommitGraph', 'false'],
    ])
      await this.git(['config', k, v]);
  }

  /** Fetches the branch tip (commits and trees; blobs on demand); undefined when the branch is new. */
  async fetchTip(): Promise<string | undefined> {
    await this.init();
    const r = await this.git(
      [
        'fetch',
        '-q',
        '--no-tags',
        '--depth=1',
        '--filter=blob:none',
        'origin',
        `+refs/heads/${this.o.branch}:${TIP}`,
      ],
      { reject: false },
    );
    if (r.exitCode !== 0) {
      if (/couldn't find remote ref|no such ref/i.test(String(r.stderr))) return undefined;
      throw new BranchPushFailed(
        `fetching ${this.o.branch} failed: ${this.mask(String(r.stderr)).trim()}`,
      );
    }
    return String((await this.git(['rev-parse', TIP])).stdout).trim();
  }

  async readText(commit: string, path: string): Promise<string | undefined> {
    const r = await this.git(['cat-file', 'blob', `${commit}:${path}`], { reject: false });
    return r.exitCode === 0 ? String(r.stdout) : undefined;
  }

  async readIndex(commit: string): Promise<BranchIndex | undefined> {
    const text = await this.readText(commit, 'index.json');
    return text ? (JSON.parse(text) as BranchIndex) : undefined;
  }

  /**
   * Every file of one suite run at a commit (its manifest, records and reports: the files at
   * its top, not its artifacts), fetched in one round trip (the scratch clone holds trees
   * only) and read with one cat-file process.
   */
  async readSuiteRun(commit: string, id: string): Promise<Map<string, string>> {
    const ls = await this.git(['ls-tree', commit, `runs/${id}/`]);
    const entries = String(ls.stdout)
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [meta, path] = l.split('\t');
        return { type: meta.split(' ')[1], oid: meta.split(' ')[2], path };
      })
      .filter((e) => e.type === 'blob');
    if (!entries.length) return new Map();
    // Blobs the partial clone lacks, in one fetch; if the server refuses, cat-file fetches lazily.
    await this.git(
      ['fetch', '-q', '--no-tags', '--no-write-fetch-head', 'origin', ...entries.map((e) => e.oid)],
      { reject: false },
    );
    const r = await execa('git', ['--git-dir', this.o.workDir, 'cat-file', '--batch'], {
      input: entries.map((e) => e.oid).join('\n') + '\n',
      env: this.env,
      encoding: 'buffer',
      reject: false,
    });
    const buf = Buffer.from(r.stdout as Uint8Array);
    const out = new Map<string, string>();
    let at = 0;
    for (const e of entries) {
      const nl = buf.indexOf(10, at);
      const header = buf.subarray(at, nl).toString();
      const size = Number(header.split(' ')[2]);
      if (!Number.isFinite(size))
        throw new BranchPushFailed(`reading ${e.path} from the results branch failed: ${header}`);
      out.set(
        e.path.slice(`runs/${id}/`.length),
        buf.subarray(nl + 1, nl + 1 + size).toString('utf8'),
      );
      at = nl + 1 + size + 1;
    }
    return out;
  }

  /** Suite run ids present in the tree, from the tree alone (no blobs). */
  private async suiteRunsIn(commit: string): Promise<string[]> {
    const r = await this.git(['ls-tree', '--name-only', commit, 'runs/'], { reject: false });
    return String(r.stdout)
      .split('\n')
      .filter(Boolean)
      .map((p) => p.slice('runs/'.length));
  }

  /**
   * Adds one suite run — every file of its local directory, under runs/<suite-run-id>/ — and
   * returns the pushed commit.
   */
  async append(
    manifest: SuiteManifest,
    suiteDir: string,
    message: string,
  ): Promise<{ commit: string; attempts: number }> {
    const files: { path: string; file: string }[] = [];
    for (const name of (await readdir(suiteDir)).sort()) {
      const file = join(suiteDir, name);
      const st = await stat(file);
      if (!st.isFile() || name.includes('.tmp-')) continue;
      files.push({ path: `runs/${manifest.id}/${name}`, file });
    }
    for (const a of await artifactFiles(suiteDir))
      files.push({ path: `runs/${manifest.id}/${ARTIFACTS_DIR}/${a.rel}`, file: a.file });
    for (const f of this.o.site ?? []) {
      if (!SITE_PATH.test(f.path) || f.path.startsWith('runs/') || f.path === 'index.json')
        throw new Error(`site file ${f.path}: not a plain path beside runs/ and index.json`);
      files.push(f);
    }
    for (const { path, file } of files) {
      const st = await stat(file);
      if (st.size > MAX_BRANCH_FILE_BYTES) throw new FileTooLarge(path, st.size);
      // Bytes, not text: a binary artifact is searched as it is, never decoded and re-encoded.
      if (this.o.redactor?.findsIn(await readFile(file))) throw new SecretInResult(path);
    }
    await this.init();
    const blobs = await this.writeBlobs(files);
    // Generous: in a wide matrix on busy runners a slow writer can lose many rounds in a row.
    const max = this.o.maxAttempts ?? 100;
    for (let attempt = 1; ; attempt++) {
      const parent = await this.fetchTip();
      const commit = await this.buildCommit(parent, manifest, blobs, message);
      const push = await this.git(
        ['push', '-q', '--no-verify', 'origin', `${commit}:refs/heads/${this.o.branch}`],
        { reject: false },
      );
      if (push.exitCode === 0) return { commit, attempts: attempt };
      const err = this.mask(String(push.stderr));
      const lostRace =
        /non-fast-forward|fetch first|rejected|cannot lock ref|failed to update ref|stale info|incorrect old value/i.test(
          err,
        );
      if (!lostRace || attempt >= max)
        throw new BranchPushFailed(
          `pushing to ${this.o.branch} failed after ${attempt} attempt(s): ${err.trim().split('\n').slice(-3).join(' / ')}`,
        );
      // Full jitter on a capped exponential backoff: writers of one matrix spread out.
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(3000, 50 * 2 ** attempt)));
    }
  }

  /** Writes every file as a blob in one git process; returns branch path -> blob id. */
  private async writeBlobs(files: { path: string; file: string }[]): Promise<Map<string, string>> {
    const r = await this.git(['hash-object', '-w', '--no-filters', '--stdin-paths'], {
      input: files.map((f) => f.file).join('\n') + '\n',
    });
    const shas = String(r.stdout).split('\n');
    return new Map(files.map((f, i) => [f.path, shas[i]]));
  }

  /** Paths in the scratch index under these folders. */
  private async pathsUnder(env: Record<string, string>, dirs: string[]): Promise<string[]> {
    const r = await this.git(['ls-files', '-z', ...dirs.map((d) => `${d}/`)], { env });
    return String(r.stdout).split('\0').filter(Boolean);
  }

  private async buildCommit(
    parent: string | undefined,
    manifest: SuiteManifest,
    blobs: Map<string, string>,
    message: string,
  ): Promise<string> {
    const indexFile = join(this.o.workDir, `gauntlet-index-${process.pid}`);
    const env = { GIT_INDEX_FILE: indexFile };
    if (parent) await this.git(['read-tree', parent], { env });
    else await this.git(['read-tree', '--empty'], { env });

    // Regenerate the index from the tree: entries for suite runs still present, the new one,
    // and a manifest read for any run the previous index missed.
    const present = parent ? await this.suiteRunsIn(parent) : [];
    const previous = parent ? ((await this.readIndex(parent))?.suite_runs ?? []) : [];
    const known = new Map(previous.filter((e) => present.includes(e.id)).map((e) => [e.id, e]));
    for (const id of present) {
      if (known.has(id) || id === manifest.id) continue;
      const text = await this.readText(parent!, `runs/${id}/manifest.json`);
      if (text) known.set(id, entryOf(JSON.parse(text) as SuiteManifest));
    }
    known.set(manifest.id, entryOf(manifest));
    const keep = retained([...known.values()], this.o.retention);
    const keepIds = new Set(keep.map((e) => e.id));
    const drop = present.filter((id) => !keepIds.has(id) && id !== manifest.id);
    const site = new Set((this.o.site ?? []).map((f) => f.path));
    const siteDirs = [...new Set([...site].filter((p) => p.includes('/')).map((p) => dirname(p)))];
    const stale = parent && siteDirs.length ? await this.pathsUnder(env, siteDirs) : [];

    const gone = [
      ...(drop.length
        ? await this.pathsUnder(
            env,
            drop.map((id) => `runs/${id}`),
          )
        : []),
      ...stale.filter((p) => !site.has(p)),
    ];
    if (gone.length) {
      // Mode 0 in --index-info removes a path; a directory goes path by path.
      const info = gone.map((p) => `0 ${'0'.repeat(40)}\t${p}\0`);
      await this.git(['update-index', '-z', '--index-info'], { env, input: info.join('') });
    }
    const index: BranchIndex = {
      schema_version: 1,
      updated_at: new Date().toISOString(),
      suite_runs: keep,
    };
    const indexSha = String(
      (
        await this.git(['hash-object', '-w', '--stdin'], {
          input: JSON.stringify(index, null, 2) + '\n',
        })
      ).stdout,
    ).trim();
    // NUL-terminated: a path is taken as it is, never unquoted (an artifact named "x" stays so).
    const info = [...blobs].map(([path, sha]) => `100644 ${sha}\t${path}\0`);
    info.push(`100644 ${indexSha}\tindex.json\0`);
    await this.git(['update-index', '-z', '--add', '--index-info'], {
      env,
      input: info.join(''),
    });
    const tree = String((await this.git(['write-tree'], { env })).stdout).trim();
    const commit = String(
      (await this.git(['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', message]))
        .stdout,
    ).trim();
    return commit;
  }
}

/**
 * The stored artifacts of a suite run's folder: artifacts/<run id>/** , regular files only
 * (links are never followed), hidden staging folders of an unfinished write skipped. A path
 * that is not plain cannot be pushed safely, so it is refused, never renamed.
 */
async function artifactFiles(suiteDir: string): Promise<{ rel: string; file: string }[]> {
  const root = join(suiteDir, ARTIFACTS_DIR);
  const out: { rel: string; file: string }[] = [];
  const walk = async (dir: string, rel: string) => {
    for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    )) {
      if (!rel && e.name.startsWith('.')) continue;
      const path = rel ? `${rel}/${e.name}` : e.name;
      const file = join(dir, e.name);
      if (e.isDirectory()) await walk(file, path);
      else if (e.isFile() && (await lstat(file)).isFile()) {
        if (!isPlainRelative(path))
          throw new Error(
            `refusing to push ${JSON.stringify(path)} to the results branch: not a plain path`,
          );
        out.push({ rel: path, file });
      }
    }
  };
  if ((await lstat(root).catch(() => undefined))?.isDirectory()) await walk(root, '');
  return out;
}
