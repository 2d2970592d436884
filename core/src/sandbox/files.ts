import { Readable } from 'node:stream';
import { extract, pack } from 'tar-stream';
import type { Sandbox } from './driver.js';

/** One file read out of a sandbox: at most the asked-for bytes, and how many there were. */
export interface SandboxFile {
  data: Buffer;
  /** The file's whole size; larger than data.length when it was cut. */
  size: number;
}

/**
 * Reads one regular file out of a sandbox through its archive endpoint. A missing path is
 * `undefined`; anything else that is not a regular file (a link the agent planted, a
 * directory) is refused, so a symlink cannot make the host read another path. Bytes past
 * `maxBytes` are drained, never held.
 */
export async function readSandboxFile(
  sandbox: Sandbox,
  path: string,
  maxBytes: number,
): Promise<SandboxFile | undefined> {
  let tar: Readable;
  try {
    tar = await sandbox.getFiles(path);
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
  const ex = extract();
  let found: SandboxFile | undefined;
  let refused: string | undefined;
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      const take = !found && !refused && header.type === 'file';
      if (!found && !refused && header.type !== 'file')
        refused = `${path} is a ${header.type}, not a regular file`;
      const chunks: Buffer[] = [];
      let kept = 0;
      stream.on('data', (c: unknown) => {
        if (!take || kept >= maxBytes) return;
        const part = (c as Buffer).subarray(0, maxBytes - kept);
        chunks.push(part);
        kept += part.length;
      });
      stream.on('end', () => {
        if (take) found = { data: Buffer.concat(chunks), size: header.size ?? kept };
        next();
      });
      stream.resume();
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
    tar.on('error', reject);
  });
  tar.pipe(ex);
  await done;
  if (refused) throw new Error(refused);
  return found;
}

/** A file's text, or undefined when it is missing. */
export async function readSandboxText(
  sandbox: Sandbox,
  path: string,
  maxBytes: number,
): Promise<string | undefined> {
  return (await readSandboxFile(sandbox, path, maxBytes))?.data.toString('utf8');
}

/** Writes files (name -> content) into an existing sandbox directory, owned by the agent's user. */
export async function writeSandboxFiles(
  sandbox: Sandbox,
  dir: string,
  files: Record<string, string | Buffer>,
  mode = 0o644,
): Promise<void> {
  const p = pack();
  for (const [name, content] of Object.entries(files))
    p.entry({ name, mode, uid: 1000, gid: 1000, mtime: new Date() }, Buffer.from(content));
  p.finalize();
  await sandbox.putFiles(dir, p as unknown as Readable);
}

/** Whether a driver's error says the path is not there (the Engine API's 404). */
export function isMissing(e: unknown): boolean {
  const err = e as { statusCode?: number; message?: string };
  return err?.statusCode === 404 || /no such file|not found|cannot stat/i.test(err?.message ?? '');
}
