import { createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import yauzl from 'yauzl';

export const ZIP_MAX_COMPRESSED = 100 * 1024 * 1024;
export const ZIP_MAX_UNCOMPRESSED = 500 * 1024 * 1024;
export const ZIP_MAX_ENTRIES = 20_000;

export class ArchiveRejected extends Error {}

interface Entry {
  name: string;
  dir: boolean;
  raw: yauzl.Entry;
}

function open(path: string): Promise<yauzl.ZipFile> {
  return new Promise((res, rej) =>
    yauzl.open(
      path,
      { lazyEntries: true, autoClose: false, strictFileNames: true, validateEntrySizes: true },
      (e, z) => (e ? rej(new ArchiveRejected(`not a valid ZIP: ${e.message}`)) : res(z!)),
    ),
  );
}

/** An entry's name as the user wrote it, printable and bounded: never a host path. */
function quote(name: string): string {
  const flat = name.replace(/[\x00-\x1f\x7f]/g, '?');
  return `'${flat.length > 200 ? `${flat.slice(0, 200)}…` : flat}'`;
}

const REWRITE = "re-create it with forward slashes, e.g. `zip -r` or Python's zipfile";

/** The refusal for a name, whether we saw it or yauzl refused it while reading the directory. */
function nameProblem(name: string): string | undefined {
  const q = quote(name);
  if (name.includes('\\')) {
    return `entry ${q} uses backslashes (a Windows tool wrote it); ${REWRITE}`;
  }
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return `entry ${q} has an absolute path`;
  const parts = name.split('/');
  if (parts.includes('..')) return `entry ${q} escapes the archive (zip-slip)`;
  if (parts.includes('.git')) {
    return `entry ${q} is inside a .git/ directory; ship source, not a repository`;
  }
  return undefined;
}

/** yauzl checks names itself and fails with its own words; those become ours. */
function readError(e: Error): ArchiveRejected {
  const yauzlSays =
    /^(?:invalid characters in fileName|absolute path|invalid relative path): (.*)$/s;
  const m = yauzlSays.exec(e.message);
  const named = m ? nameProblem(m[1]!) : undefined;
  return new ArchiveRejected(named ?? `corrupt ZIP: ${e.message}`);
}

/**
 * Every name at most once, and no name both a file and a folder: extraction would otherwise
 * fail half-way on the host with the error of a temporary path.
 */
function layoutProblem(list: Entry[]): string | undefined {
  const files = new Set<string>();
  const folders = new Map<string, string>();
  for (const e of list) {
    const path = e.name.replace(/\/+$/, '');
    if (!e.dir) {
      if (files.has(path)) {
        return `entry ${quote(e.name)} appears twice; re-create the ZIP without duplicates`;
      }
      files.add(path);
    }
    const parts = path.split('/');
    for (let i = 1; i < parts.length + (e.dir ? 1 : 0); i++) {
      const folder = parts.slice(0, i).join('/');
      if (!folders.has(folder)) folders.set(folder, e.name);
    }
  }
  for (const [folder, by] of folders) {
    if (files.has(folder)) {
      const q = quote(folder);
      return (
        `entry ${q} is a file, and entry ${quote(by)} needs a folder ${q}; ` +
        're-create the ZIP so that each path is either a file or a folder'
      );
    }
  }
  return undefined;
}

/** Reads the central directory and rejects hostile entries before a byte is extracted. */
async function entries(zip: yauzl.ZipFile, maxUncompressed: number): Promise<Entry[]> {
  const out: Entry[] = [];
  let declared = 0;
  await new Promise<void>((res, rej) => {
    zip.on('entry', (raw: yauzl.Entry) => {
      try {
        const name = raw.fileName;
        if (out.length >= ZIP_MAX_ENTRIES)
          throw new ArchiveRejected(`more than ${ZIP_MAX_ENTRIES} entries`);
        const problem = nameProblem(name);
        if (problem) throw new ArchiveRejected(problem);
        const mode = (raw.externalFileAttributes >>> 16) & 0o170000;
        const q = quote(name);
        if (mode === 0o120000) {
          throw new ArchiveRejected(`entry ${q} is a symlink; symlinks are refused`);
        }
        const plain = mode === 0 || mode === 0o100000 || mode === 0o040000;
        if (!plain) throw new ArchiveRejected(`entry ${q} is a special file`);
        if (raw.isEncrypted()) throw new ArchiveRejected(`entry ${q} is encrypted`);
        declared += raw.uncompressedSize;
        if (declared > maxUncompressed)
          throw new ArchiveRejected(`uncompressed size over ${maxUncompressed / 1024 / 1024} MB`);
        out.push({ name, dir: name.endsWith('/'), raw });
        zip.readEntry();
      } catch (e) {
        rej(e);
      }
    });
    zip.on('end', () => res());
    zip.on('error', (e: Error) => rej(readError(e)));
    zip.readEntry();
  });
  const layout = layoutProblem(out);
  if (layout) throw new ArchiveRejected(layout);
  return out;
}

/**
 * Validates and extracts an agent ZIP into `dest`. A single top-level folder is flattened.
 * Sizes are enforced on the bytes actually inflated too, so a lying header cannot bomb us.
 */
export async function extractZip(
  path: string,
  dest: string,
  limits = { compressed: ZIP_MAX_COMPRESSED, uncompressed: ZIP_MAX_UNCOMPRESSED },
): Promise<{ files: number; bytes: number }> {
  const size = (await stat(path)).size;
  if (size > limits.compressed)
    throw new ArchiveRejected(
      `archive is ${(size / 1024 / 1024).toFixed(1)} MB; the limit is ${limits.compressed / 1024 / 1024} MB compressed`,
    );
  const zip = await open(path);
  try {
    const list = await entries(zip, limits.uncompressed);
    const files = list.filter((e) => !e.dir);
    if (!files.length) throw new ArchiveRejected('the archive holds no files');
    const tops = new Set(list.map((e) => e.name.split('/')[0]));
    const strip =
      tops.size === 1 && list.every((e) => e.name.includes('/')) ? `${[...tops][0]}/` : '';
    let total = 0;
    for (const e of files) {
      const rel = e.name.slice(strip.length);
      const target = normalize(join(dest, rel));
      if (!target.startsWith(normalize(dest) + sep)) {
        throw new ArchiveRejected(`entry ${quote(e.name)} escapes the destination`);
      }
      await mkdir(dirname(target), { recursive: true });
      const stream = await new Promise<NodeJS.ReadableStream>((res, rej) =>
        zip.openReadStream(e.raw, (err, s) => {
          if (err) rej(new ArchiveRejected(`cannot read ${quote(e.name)}: ${err.message}`));
          else res(s!);
        }),
      );
      const counter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          total += chunk.length;
          if (total > limits.uncompressed)
            cb(
              new ArchiveRejected(
                `inflates past ${limits.uncompressed / 1024 / 1024} MB (zip bomb?)`,
              ),
            );
          else cb(null, chunk);
        },
      });
      try {
        await pipeline(stream, counter, createWriteStream(target, { mode: 0o644, flags: 'wx' }));
      } catch (err) {
        if (err instanceof ArchiveRejected) throw err;
        // The message of a file-system error names the temporary host path: say only its code.
        const code = (err as NodeJS.ErrnoException).code;
        const why = code ?? (err as Error).message;
        throw new ArchiveRejected(`cannot extract ${quote(e.name)}: ${why}`);
      }
    }
    return { files: files.length, bytes: total };
  } finally {
    zip.close();
  }
}
