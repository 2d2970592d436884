import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative, sep } from 'node:path';
import { parse } from 'yaml';
import {
  batches,
  CHECK_LIMITS,
  ConfigError,
  cutBytes,
  describeAgentChange,
  loadConfig,
  type AgentConfig,
  type CheckAnnotation,
  type ConfigIssue,
} from '../../core/src/index.js';
import type { Octokit } from './types.js';

const CONFIG_DIR = /^(.*?\.gauntlet)\//;
/** Generated or bulky folders of a config directory that review never needs. */
const SKIP = /\/(results|cassettes)\//;
const MAX_FILES = 500;
const MAX_FILE_BYTES = 1024 * 1024;

interface PrLike {
  number: number;
  head: { sha: string };
  base: { sha: string };
}

async function fileAt(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  path: string,
  ref: string,
): Promise<string | undefined> {
  try {
    const r = await octokit.request('GET /repos/{owner}/{repo}/contents/{path}', {
      ...repo,
      path,
      ref,
      headers: { accept: 'application/vnd.github.raw+json' },
    });
    return String(r.data);
  } catch (e) {
    if ((e as { status?: number }).status === 404) return undefined;
    throw e;
  }
}

/** Downloads one config directory at a commit into a scratch tree shaped like the repository. */
async function materialise(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  sha: string,
  dir: string,
  into: string,
): Promise<number> {
  const tree = (await octokit.rest.git.getTree({ ...repo, tree_sha: sha, recursive: 'true' })).data
    .tree;
  const files = tree
    .filter(
      (t) =>
        t.type === 'blob' &&
        t.path?.startsWith(`${dir}/`) &&
        !SKIP.test(`/${t.path}`) &&
        (t.size ?? 0) <= MAX_FILE_BYTES,
    )
    .slice(0, MAX_FILES);
  for (const f of files) {
    const blob = (await octokit.rest.git.getBlob({ ...repo, file_sha: f.sha! })).data;
    const target = join(into, ...f.path!.split('/'));
    if (!target.startsWith(into + sep)) continue; // a hostile path never leaves the scratch tree
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, Buffer.from(blob.content, 'base64'));
  }
  return files.length;
}

export interface ReviewResult {
  dirs: string[];
  issues: number;
}

/**
 * Config review for PRs touching .gauntlet/: the head's config validated with the engine's own
 * loader (annotations on the exact lines), and each changed agent described in words.
 */
export async function reviewConfig(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  pr: PrLike,
): Promise<ReviewResult> {
  const changed = await octokit.paginate(octokit.rest.pulls.listFiles, {
    ...repo,
    pull_number: pr.number,
    per_page: 100,
  });
  const dirs = [
    ...new Set(
      changed.map((f) => CONFIG_DIR.exec(f.filename)?.[1]).filter((d): d is string => !!d),
    ),
  ].sort();
  if (!dirs.length) return { dirs: [], issues: 0 };
  const issues: (ConfigIssue & { path: string })[] = [];
  const agentNotes: string[] = [];
  for (const dir of dirs) {
    const scratch = await mkdtemp(join(tmpdir(), 'gauntlet-review-'));
    try {
      await materialise(octokit, repo, pr.head.sha, dir, scratch);
      try {
        await loadConfig(join(scratch, ...dirname(dir).split('/')), {
          configDir: posix.basename(dir),
        });
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        for (const i of e.issues)
          issues.push({ ...i, path: relative(scratch, i.file).split(sep).join('/') });
      }
      for (const f of changed.filter(
        (c) => c.filename.startsWith(`${dir}/agents/`) && /\.ya?ml$/.test(c.filename),
      )) {
        const headText =
          f.status === 'removed' ? undefined : await fileAt(octokit, repo, f.filename, pr.head.sha);
        const baseText =
          f.status === 'added'
            ? undefined
            : await fileAt(octokit, repo, f.previous_filename ?? f.filename, pr.base.sha);
        const safe = (t?: string) => {
          try {
            return t ? (parse(t) as AgentConfig) : undefined;
          } catch {
            return undefined; // a YAML error is already an annotation
          }
        };
        const lines = describeAgentChange(safe(baseText), safe(headText));
        agentNotes.push(`**\`${f.filename}\`**`, ...lines.map((l) => `- ${l}`), '');
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
  const annotations: CheckAnnotation[] = issues.map((i) => ({
    path: i.path,
    start_line: i.line,
    end_line: i.line,
    annotation_level: 'failure',
    title: `${i.code}${i.field ? ` · ${i.field}` : ''}`.slice(0, 255),
    message: `${i.message}${i.fix ? `\nFix: ${i.fix}` : ''}`,
  }));
  const summary = cutBytes(
    [
      issues.length
        ? `**${issues.length} problem(s)** in ${dirs.join(', ')}:`
        : `✅ ${dirs.join(', ')} is valid.`,
      '',
      ...issues.map(
        (i) =>
          `- \`${i.path}:${i.line}:${i.column}\` ${i.field ? `\`${i.field}\`: ` : ''}${i.message}${i.fix ? ` — fix: ${i.fix}` : ''}`,
      ),
      '',
      ...(agentNotes.length ? ['### What the agent changes do', '', ...agentNotes] : []),
    ].join('\n'),
    CHECK_LIMITS.summary,
    'the annotations',
  );
  const title = issues.length ? `${issues.length} config problem(s)` : 'config valid';
  const [first, ...rest] = batches(annotations, CHECK_LIMITS.annotationsPerRequest);
  const created = await octokit.rest.checks.create({
    ...repo,
    name: 'gauntlet: config',
    head_sha: pr.head.sha,
    status: 'completed',
    conclusion: issues.length ? 'failure' : 'success',
    output: { title, summary, annotations: first },
  });
  for (const batch of rest)
    await octokit.rest.checks.update({
      ...repo,
      check_run_id: created.data.id,
      output: { title, summary, annotations: batch },
    });
  return { dirs, issues: issues.length };
}
