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
  return new Promise((res, rej) => yauzl.open(path, { lazyEntries: true, autoClose: false, strictFileNames: true, validateEntrySizes: true }, (e, z) => (e ? rej(new ArchiveRejected(`not a valid ZIP: ${e.message}`)) : res(z!))));
}

/** Reads the central directory and rejects hostile entries before a byte is extracted. */
async function entries(zip: yauzl.ZipFile, maxUncompressed: number): Promise<Entry[]> {
  const out: Entry[] = [];
  let declared = 0;
  await new Promise<void>((res, rej) => {
    zip.on('entry', (raw: yauzl.Entry) => {
      try {
        const name = raw.fileName;
        if (out.length >= ZIP_MAX_ENTRIES) throw new ArchiveRejected(`more than ${ZIP_MAX_ENTRIES} entries`);
        if (name.includes('\\')) throw new ArchiveRejected(`entry ${JSON.stringify(name)} uses backslashes`);
        if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) throw new ArchiveRejected(`entry ${JSON.stringify(name)} has an absolute path`);
        const parts = name.split('/');
        if (parts.includes('..')) throw new ArchiveRejected(`entry ${JSON.stringify(name)} escapes the archive (zip-slip)`);
        if (parts.includes('.git')) throw new ArchiveRejected(`entry ${JSON.stringify(name)} is inside a .git/ directory; ship source, not a repository`);
        const mode = (raw.externalFileAttributes >>> 16) & 0o170000;
        if (mode === 0o120000) throw new ArchiveRejected(`entry ${JSON.stringify(name)} is a symlink; symlinks are refused`);
        if (mode !== 0 && mode !== 0o100000 && mode !== 0o040000) throw new ArchiveRejected(`entry ${JSON.stringify(name)} is a special file`);
        if (raw.isEncrypted()) throw new ArchiveRejected(`entry ${JSON.stringify(name)} is encrypted`);
        declared += raw.uncompressedSize;
        if (declared > maxUncompressed) throw new ArchiveRejected(`uncompressed size over ${maxUncompressed / 1024 / 1024} MB`);
        out.push({ name, dir: name.endsWith('/'), raw });
        zip.readEntry();
      } catch (e) {
        rej(e);
      }
    });
    zip.on('end', () => res());
    zip.on('error', (e) => rej(new ArchiveRejected(/relative path|absolute path/.test(e.message) ? `an entry escapes the archive (zip-slip): ${e.message}` : `corrupt ZIP: ${e.message}`)));
    zip.readEntry();
  });
  return out;
}

/**
 * Validates and extracts an agent ZIP into `dest`. A single top-level folder is flattened.
 * Sizes are enforced on the bytes actually inflated too, so a lying header cannot bomb us.
 */
export async function extractZip(path: string, dest: string, limits = { compressed: ZIP_MAX_COMPRESSED, uncompressed: ZIP_MAX_UNCOMPRESSED }): Promise<{ files: number; bytes: number }> {
  const size = (await stat(path)).size;
  if (size > limits.compressed) throw new ArchiveRejected(`archive is ${(size / 1024 / 1024).toFixed(1)} MB; the limit is ${limits.compressed / 1024 / 1024} MB compressed`);
  const zip = await open(path);
  try {
    const list = await entries(zip, limits.uncompressed);
    const files = list.filter((e) => !e.dir);
    if (!files.length) throw new ArchiveRejected('the archive holds no files');
    const tops = new Set(list.map((e) => e.name.split('/')[0]));
    const strip = tops.size === 1 && list.every((e) => e.name.includes('/')) ? `${[...tops][0]}/` : '';
    let total = 0;
    for (const e of files) {
      const rel = e.name.slice(strip.length);
      const target = normalize(join(dest, rel));
      if (!target.startsWith(normalize(dest) + sep)) throw new ArchiveRejected(`entry ${JSON.stringify(e.name)} escapes the destination`);
      await mkdir(dirname(target), { recursive: true });
      const stream = await new Promise<NodeJS.ReadableStream>((res, rej) => zip.openReadStream(e.raw, (err, s) => (err ? rej(new ArchiveRejected(`cannot read ${e.name}: ${err.message}`)) : res(s!))));
      const counter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          total += chunk.length;
          if (total > limits.uncompressed) cb(new ArchiveRejected(`inflates past ${limits.uncompressed / 1024 / 1024} MB (zip bomb?)`));
          else cb(null, chunk);
        },
      });
      try {
        await pipeline(stream, counter, createWriteStream(target, { mode: 0o644, flags: 'wx' }));
      } catch (err) {
        if (err instanceof ArchiveRejected) throw err;
        throw new ArchiveRejected(`cannot extract ${e.name}: ${(err as Error).message}`);
      }
    }
    return { files: files.length, bytes: total };
  } finally {
    zip.close();
  }
}
