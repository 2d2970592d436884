import { readFile, realpath, stat } from 'node:fs/promises';
import { basename, extname, relative, resolve, sep } from 'node:path';
import { ConfigError, type ConfigIssue } from './errors.js';
import type { AgentConfig, Loaded, RunbookRef, SuiteConfig } from './types.js';

/** A runbook as a run gets it: what the record calls it and its markdown text. */
export interface Mission {
  /** The file's path relative to the repository root ('/'-separated), or the inline name. */
  name: string;
  text: string;
}

/** A file uploaded into /app/uploads/<name> of a runbook run. */
export interface Upload {
  /** Its base name: where it lands under /app/uploads/. */
  name: string;
  /** As the record shows it: relative to the repository root, '/'-separated. */
  path: string;
  /** Absolute, on the host (read when the sandbox is seeded). */
  host: string;
  size: number;
}

/** A runbook is read whole into every run's brief and record; past this it is not a runbook. */
export const MAX_RUNBOOK_BYTES = 256 * 1024;
/** Uploads are copied into each sandbox (its disk budget counts them too). */
export const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;
export const MAX_UPLOADS_TOTAL_BYTES = 200 * 1024 * 1024;
const MARKDOWN = new Set(['.md', '.markdown']);

/** What one task of a suite says about runbooks, and where each field was written. */
interface TaskRefs {
  runbook?: { ref: RunbookRef; at: (string | number)[] };
  files: { path: string; at: (string | number)[] }[];
}

/**
 * Resolves each task's runbook (the task's own, else the suite's) and uploads (the suite's,
 * then the task's), reading every runbook at load. Paths are relative to the suite file and
 * must stay inside `root` (symlinks resolved); a missing file, a runbook that is not markdown
 * text, two uploads with one base name, or uploads without a runbook are errors naming the
 * file, line and field.
 */
export async function resolveRunbooks<T extends { mission?: Mission; uploads?: Upload[] }>(
  suite: Loaded<SuiteConfig>,
  tasks: T[],
  root: string,
): Promise<T[]> {
  const s = suite.value;
  const inline = Array.isArray(s.tasks) ? s.tasks : [];
  const refsOf = (i: number): TaskRefs => {
    const t = inline[i];
    const own = t?.runbook !== undefined;
    return {
      runbook: own
        ? { ref: t.runbook!, at: ['tasks', i, 'runbook'] }
        : s.runbook !== undefined
          ? { ref: s.runbook, at: ['runbook'] }
          : undefined,
      files: [
        ...(s.files ?? []).map((path, j) => ({ path, at: ['files', j] })),
        ...(t?.files ?? []).map((path, j) => ({ path, at: ['tasks', i, 'files', j] })),
      ],
    };
  };
  if (s.runbook === undefined && !s.files && !inline.some((t) => t.runbook || t.files))
    return tasks;
  const issues: ConfigIssue[] = [];
  const realRoot = await realpath(root).catch(() => resolve(root));
  const missions = new Map<string, Promise<Mission | ConfigIssue>>();
  const uploads = new Map<string, Promise<Upload | ConfigIssue>>();
  const out: T[] = [];
  for (let i = 0; i < tasks.length; i++) {
    const refs = refsOf(i);
    const task = { ...tasks[i] };
    const seen = new Map<string, string>();
    if (refs.runbook) {
      const key = JSON.stringify([refs.runbook.ref, refs.runbook.at]);
      if (!missions.has(key))
        missions.set(key, readMission(suite, refs.runbook.ref, refs.runbook.at, realRoot));
      const m = await missions.get(key)!;
      if ('code' in m) issues.push(m);
      else task.mission = m;
    } else if (refs.files.length) {
      const at = refs.files[0].at;
      issues.push({
        ...suite.pos(at),
        code: 'files_without_runbook',
        field: at.join('.'),
        message: `task ${i + 1} uploads files but has no runbook: files go to /app/uploads/ of a runbook run`,
        fix: 'add runbook: <a markdown file> to the suite or the task, or remove files:',
      });
    }
    let total = 0;
    for (const f of refs.files) {
      const key = f.path;
      if (!uploads.has(key)) uploads.set(key, readUpload(suite, f.path, f.at, realRoot));
      const u = await uploads.get(key)!;
      if ('code' in u) {
        issues.push({ ...u, ...suite.pos(f.at), field: f.at.join('.') });
        continue;
      }
      const other = seen.get(u.name);
      if (other !== undefined && other !== u.path) {
        issues.push({
          ...suite.pos(f.at),
          code: 'file_duplicate_name',
          field: f.at.join('.'),
          message: `${f.path} and ${other} would both land at /app/uploads/${u.name}`,
          fix: 'rename one of them: uploads land in /app/uploads/ by base name',
        });
        continue;
      }
      if (other !== undefined) continue;
      seen.set(u.name, u.path);
      total += u.size;
      if (total > MAX_UPLOADS_TOTAL_BYTES) {
        issues.push({
          ...suite.pos(f.at),
          code: 'files_too_large',
          field: f.at.join('.'),
          message: `the uploads of task ${i + 1} add up to over ${MAX_UPLOADS_TOTAL_BYTES / 2 ** 20} MB`,
          fix: 'upload less: every run copies its uploads into its sandbox',
        });
        break;
      }
      (task.uploads ??= []).push(u);
    }
    out.push(task);
  }
  if (issues.length) throw new ConfigError(dedupe(issues));
  return out;
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.file}:${i.line}:${i.column}:${i.code}:${i.field}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
}

/** A path relative to the suite file, resolved through symlinks, that must stay in the root. */
async function inside(
  suite: Loaded<SuiteConfig>,
  path: string,
  realRoot: string,
): Promise<{ abs: string; rel: string } | 'missing' | 'outside'> {
  const abs = await realpath(resolve(suite.dir, path)).catch(() => undefined);
  if (!abs) return 'missing';
  const rel = relative(realRoot, abs);
  if (!rel || rel.startsWith('..') || rel.startsWith(sep) || resolve(realRoot, rel) !== abs)
    return 'outside';
  return { abs, rel: rel.split(sep).join('/') };
}

async function readMission(
  suite: Loaded<SuiteConfig>,
  ref: RunbookRef,
  at: (string | number)[],
  realRoot: string,
): Promise<Mission | ConfigIssue> {
  const field = at.join('.');
  const issue = (code: string, message: string, fix: string, where = at): ConfigIssue => ({
    ...suite.pos(where),
    code,
    field,
    message,
    fix,
  });
  if (typeof ref !== 'string') {
    const bytes = Buffer.byteLength(ref.inline);
    if (bytes > MAX_RUNBOOK_BYTES)
      return issue(
        'runbook_too_large',
        `the inline runbook holds ${bytes} bytes; a runbook may hold at most ${MAX_RUNBOOK_BYTES / 1024} KB`,
        'shorten it: put long references in uploaded files and point at them',
      );
    if (ref.inline.includes('\0'))
      return issue('runbook_not_markdown', 'the inline runbook holds NUL bytes', 'send text');
    return { name: ref.name ?? 'inline', text: ref.inline };
  }
  const found = await inside(suite, ref, realRoot);
  if (found === 'missing')
    return issue(
      'runbook_not_found',
      `cannot read ${ref} (resolved to ${resolve(suite.dir, ref)})`,
      'give a markdown file relative to the suite file',
    );
  if (found === 'outside')
    return issue(
      'runbook_outside_root',
      `${ref} resolves outside the repository (${realRoot})`,
      'keep the runbook inside the repository',
    );
  if (!MARKDOWN.has(extname(found.abs).toLowerCase()))
    return issue(
      'runbook_not_markdown',
      `${ref} is not a markdown file (.md or .markdown)`,
      'write the runbook as markdown and name it <name>.md',
    );
  const st = await stat(found.abs);
  if (!st.isFile())
    return issue('runbook_not_markdown', `${ref} is not a file`, 'name a markdown file');
  if (st.size > MAX_RUNBOOK_BYTES)
    return issue(
      'runbook_too_large',
      `${ref} holds ${st.size} bytes; a runbook may hold at most ${MAX_RUNBOOK_BYTES / 1024} KB`,
      'shorten it: put long references in uploaded files and point at them',
    );
  const bytes = await readFile(found.abs);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (bytes.includes(0) || text.includes('\uFFFD'))
    return issue(
      'runbook_not_markdown',
      `${ref} is not UTF-8 text (binary bytes found)`,
      'save the runbook as UTF-8 markdown text',
    );
  if (!text.trim()) return issue('runbook_empty', `${ref} is empty`, 'write the mission in it');
  return { name: found.rel, text };
}

async function readUpload(
  suite: Loaded<SuiteConfig>,
  path: string,
  at: (string | number)[],
  realRoot: string,
): Promise<Upload | ConfigIssue> {
  const issue = (code: string, message: string, fix: string): ConfigIssue => ({
    ...suite.pos(at),
    code,
    field: at.join('.'),
    message,
    fix,
  });
  const found = await inside(suite, path, realRoot);
  if (found === 'missing')
    return issue(
      'file_not_found',
      `cannot read ${path} (resolved to ${resolve(suite.dir, path)})`,
      'give a file relative to the suite file',
    );
  if (found === 'outside')
    return issue(
      'file_outside_root',
      `${path} resolves outside the repository (${realRoot})`,
      'keep uploaded files inside the repository',
    );
  const st = await stat(found.abs);
  if (!st.isFile())
    return issue('file_not_regular', `${path} is not a regular file`, 'upload files one by one');
  if (st.size > MAX_UPLOAD_BYTES)
    return issue(
      'file_too_large',
      `${path} holds ${st.size} bytes; an upload may hold at most ${MAX_UPLOAD_BYTES / 2 ** 20} MB`,
      'upload a smaller file (or a sample of it)',
    );
  // Named as written: a symlink lands under its own name, not its target's.
  return {
    name: basename(resolve(suite.dir, path)),
    path: found.rel,
    host: found.abs,
    size: st.size,
  };
}

/**
 * A runbook is a coding CLI's mission: its runs need an agent that runs a command in the
 * sandbox (a short name or a `command:` agent). A Python or HTTP agent has no mission to take.
 */
export function runbookAgentIssues(
  suite: Loaded<SuiteConfig>,
  tasks: { mission?: Mission }[],
  agents: AgentConfig[],
): ConfigIssue[] {
  if (!tasks.some((t) => t.mission)) return [];
  const s = suite.value;
  return agents
    .filter((a) => !a.command)
    .map((a) => {
      const i = s.agents?.indexOf(a.name) ?? -1;
      const at = i >= 0 ? ['agents', i] : ['agent'];
      return {
        ...suite.pos(at),
        code: 'runbook_needs_command_agent',
        field: at.join('.'),
        message: `agent "${a.name}" is not a command agent; a runbook is the mission of a coding CLI run in the sandbox`,
        fix: 'use a short name (claude-code, codex, gemini-cli) or an agent with command:',
      };
    });
}
