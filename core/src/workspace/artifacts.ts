import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { extract, pack, type Header } from 'tar-stream';
import type { CollectedArtifacts } from '../results/artifact-files.js';
import type { ArtifactEntry } from '../results/record.js';
import type { Redactor } from '../results/redact.js';
import type { Sandbox } from '../sandbox/driver.js';
import { isMissing } from '../sandbox/files.js';
import { contentTypeOf, isText } from './content-type.js';

export type { CollectedArtifacts } from '../results/artifact-files.js';

/** Where an agent leaves what must outlive its sandbox. */
export const RESULTS_DIR = '/app/results';

/** A megabyte here is 10^6 bytes, as the results branch's 50 MB file limit counts them. */
const MB = 1000 * 1000;

export interface ArtifactCaps {
  maxFiles: number;
  maxFileBytes: number;
  maxTotalBytes: number;
}

export const DEFAULT_ARTIFACT_CAPS: ArtifactCaps = {
  maxFiles: 100,
  maxFileBytes: 10 * MB,
  maxTotalBytes: 50 * MB,
};

/** A suite's `artifacts:` field, defaults filled. */
export function artifactCaps(
  c: { max_files?: number; max_file_mb?: number; max_total_mb?: number } = {},
): ArtifactCaps {
  const d = DEFAULT_ARTIFACT_CAPS;
  return {
    maxFiles: c.max_files ?? d.maxFiles,
    maxFileBytes: c.max_file_mb !== undefined ? c.max_file_mb * MB : d.maxFileBytes,
    maxTotalBytes: c.max_total_mb !== undefined ? c.max_total_mb * MB : d.maxTotalBytes,
  };
}

/**
 * Makes /app/results in a fresh sandbox, owned by the agent's user, so every sandboxed run has
 * somewhere to leave what must outlive it. Made through the archive endpoint (the engine sets
 * the owner; the sandbox's root has no CAP_CHOWN); /app itself, when the image lacks it, is
 * the engine's (root's), so the agent cannot swap the folder for a link.
 */
export async function makeResultsDir(sandbox: Sandbox, dir = RESULTS_DIR): Promise<void> {
  const p = pack();
  p.entry({
    name: `${dir.replace(/^\/+/, '')}/`,
    type: 'directory',
    mode: 0o755,
    uid: 1000,
    gid: 1000,
    mtime: new Date(),
  });
  p.finalize();
  await sandbox.putFiles('/', Readable.from(p as unknown as Readable));
}

export interface CollectOptions {
  caps?: ArtifactCaps;
  /** Text is redacted and binaries holding a secret are refused; absent, nothing is. */
  redactor?: Redactor;
  /** The whole read, drained bytes included. */
  timeoutMs?: number;
  dir?: string;
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const MAX_PATH = 1024;
const clip = (s: string, n = 120) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
/** A name as it may be shown: control characters as escapes, never raw. */
const shown = (s: string) => clip(JSON.stringify(s).slice(1, -1), 200);

/**
 * A tar member's name as a path relative to the collected folder, or why it cannot be one.
 * A safe path has plain '/'-separated segments: none empty, `.` or `..`, no backslash and no
 * control character, at most 1,024 characters. The shown form of an unsafe one is escaped.
 */
export function artifactPath(
  name: string,
  base = 'results',
): { path: string; unsafe?: string } | null {
  const rel = name.startsWith(`${base}/`) ? name.slice(base.length + 1) : undefined;
  const trimmed = (rel ?? name).replace(/\/+$/, '');
  if (rel !== undefined && !trimmed) return null; // the folder itself
  const why =
    rel === undefined
      ? `is outside ${base}/`
      : CONTROL.test(trimmed)
        ? 'has control characters'
        : trimmed.length > MAX_PATH
          ? `is over ${MAX_PATH} characters`
          : trimmed.split('/').some((s) => !s || s === '.' || s === '..' || s.includes('\\'))
            ? 'is not a plain relative path'
            : undefined;
  if (!why) return { path: trimmed };
  // Shown, never used: escaped, and with no segment that could climb.
  const safe = shown(trimmed)
    .split('/')
    .map((s) => (s === '..' || s === '.' || !s ? '_' : s))
    .join('/');
  return { path: safe, unsafe: `its name ${why} (${shown(name)})` };
}

/**
 * Reads /app/results out of a sandbox through its archive endpoint (the sandbox still there,
 * after the agent's turns or its timeout). Only regular files are read: a symbolic link is
 * listed with its target and never followed, as is anything else that is not a file. Caps hold
 * while reading: a file over the per-file cap, or past the run's total, is listed with its
 * hash and not kept (its bytes are hashed as they drain, never held); past `maxFiles` entries
 * the archive is not read further. A missing folder is no artifacts, not an error.
 */
export async function collectArtifacts(
  sandbox: Sandbox,
  o: CollectOptions = {},
): Promise<CollectedArtifacts> {
  const caps = o.caps ?? DEFAULT_ARTIFACT_CAPS;
  const dir = o.dir ?? RESULTS_DIR;
  const base = posix.basename(dir);
  const out: CollectedArtifacts = { entries: [], files: new Map(), warnings: [] };
  let tar: Readable;
  try {
    tar = await sandbox.getFiles(dir);
  } catch (e) {
    if (isMissing(e)) return out;
    out.error = `reading ${dir} failed: ${clip((e as Error).message, 300)}`;
    return out;
  }
  let total = 0;
  let overFile = 0;
  let overTotal = 0;
  // Directories are not listed but still cost a read: a bound on every member seen.
  const maxSeen = Math.max(1000, caps.maxFiles * 10);
  let seen = 0;
  const timeoutMs = o.timeoutMs ?? 120_000;
  const ex = extract();
  await new Promise<void>((resolve) => {
    let settled = false;
    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) out.error = error;
      tar.unpipe?.(ex);
      tar.destroy();
      ex.destroy();
      resolve();
    };
    const timer = setTimeout(
      () => finish(`reading ${dir} took over ${Math.round(timeoutMs / 1000)} s`),
      timeoutMs,
    );
    const stop = (warning: string) => {
      out.warnings.push(warning);
      finish();
    };
    ex.on('entry', (h: Header, stream, next) => {
      if (settled) return stream.resume();
      const drained = (after: () => void) => {
        stream.on('end', () => {
          after();
          next();
        });
        stream.resume();
      };
      if (++seen > maxSeen)
        return stop(
          `${dir} holds more than ${maxSeen} entries: the rest were not read (only files count toward artifacts.max_files)`,
        );
      if (h.name.replace(/\/+$/, '') === base) {
        if (h.type === 'directory') return drained(() => undefined);
        // The folder itself is a link or a file: never followed, nothing under it is read.
        return stop(
          `${dir} is ${h.type === 'symlink' ? `a symbolic link (to ${shown(h.linkname ?? '')})` : `a ${h.type}`}, not a folder: nothing was collected`,
        );
      }
      const name = artifactPath(h.name, base);
      if (!name) return drained(() => undefined);
      if (h.type === 'directory' && !name.unsafe) return drained(() => undefined);
      if (out.entries.length >= caps.maxFiles)
        return stop(
          `${dir} holds more than ${caps.maxFiles} files: the first ${caps.maxFiles} are listed, the rest were not read; raise artifacts.max_files in the suite to keep more`,
        );
      const entry: ArtifactEntry = {
        path: name.path,
        size: h.size ?? 0,
        sha256: '',
        content_type: contentTypeOf(name.path, undefined),
        stored: false,
      };
      out.entries.push(entry);
      if (h.type !== 'file') {
        entry.size = 0;
        entry.note =
          h.type === 'symlink'
            ? `a symbolic link (to ${shown(h.linkname ?? '')}), not followed`
            : `a ${h.type ?? 'special file'}, not a regular file`;
        return drained(() => undefined);
      }
      if (name.unsafe) entry.note = `${name.unsafe}: not stored`;
      const size = h.size ?? 0;
      const fits = !name.unsafe && size <= caps.maxFileBytes && total + size <= caps.maxTotalBytes;
      if (!name.unsafe && size > caps.maxFileBytes) {
        overFile++;
        entry.note = `${size} bytes, over the ${caps.maxFileBytes / MB} MB cap a file (artifacts.max_file_mb): not stored`;
      } else if (!fits && !name.unsafe) {
        overTotal++;
        entry.note = `over the run's ${caps.maxTotalBytes / MB} MB cap of all artifacts (artifacts.max_total_mb): not stored`;
      }
      if (fits) total += size;
      const hash = createHash('sha256');
      const chunks: Buffer[] = [];
      let head: Buffer | undefined;
      stream.on('data', (d: unknown) => {
        const c = d as Buffer;
        hash.update(c);
        if (!head) head = c.subarray(0, 4096);
        if (fits) chunks.push(c);
      });
      drained(() => {
        entry.sha256 = hash.digest('hex');
        entry.content_type = contentTypeOf(entry.path, head);
        if (fits) store(entry, Buffer.concat(chunks), out, o.redactor);
      });
    });
    ex.on('finish', () => finish());
    ex.on('error', (e) => finish(`reading ${dir} failed: ${clip(e.message, 300)}`));
    tar.on('error', (e) => finish(`reading ${dir} failed: ${clip(e.message, 300)}`));
    tar.pipe(ex);
  });
  if (overFile)
    out.warnings.push(
      `${overFile} artifact(s) over the ${caps.maxFileBytes / MB} MB cap a file were listed, not stored`,
    );
  if (overTotal)
    out.warnings.push(
      `${overTotal} artifact(s) past the run's ${caps.maxTotalBytes / MB} MB cap of all artifacts were listed, not stored`,
    );
  const refused = out.entries.filter(
    (e) => !e.stored && /not followed|not a regular/.test(e.note ?? ''),
  );
  if (refused.length)
    out.warnings.push(
      `${refused.length} entr${refused.length === 1 ? 'y' : 'ies'} under ${dir} not a regular file (links are never followed): listed, not stored`,
    );
  return out;
}

/**
 * Keeps one file's bytes for storing, after the secret rule: text has secret values replaced
 * (noted 'redacted'); a binary file holding one cannot be rewritten safely and is refused, as
 * is a file whose name holds one.
 */
function store(entry: ArtifactEntry, data: Buffer, out: CollectedArtifacts, r?: Redactor) {
  if (r?.finds(entry.path)) {
    entry.note = 'its name holds a secret value: not stored';
    return;
  }
  if (r && isText(data)) {
    const text = data.toString('utf8');
    const clean = r.text(text);
    if (clean !== text) {
      entry.note = 'redacted';
      data = Buffer.from(clean, 'utf8');
    }
  } else if (r?.findsIn(data)) {
    entry.note = 'a binary file holding a secret value (binaries cannot be redacted): not stored';
    return;
  }
  entry.stored = true;
  out.files.set(entry.path, data);
}
