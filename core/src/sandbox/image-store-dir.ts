import { constants } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageArchiveStore } from './image-cache.js';

const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,250}$/;

/**
 * Image archives in a directory: for self-hosted runners whose disk outlives a job (or a
 * shared mount), and for tests. An entry appears whole or not at all (written aside, then
 * renamed), and is never replaced, like an entry of the GitHub Actions cache.
 */
export class DirectoryImageStore implements ImageArchiveStore {
  readonly name: string;

  constructor(readonly root: string) {
    this.name = `the image cache directory ${root}`;
  }

  private entry(key: string): string {
    if (!KEY.test(key)) throw new Error(`image cache key ${JSON.stringify(key)} is not a name`);
    return join(this.root, key);
  }

  async has(key: string): Promise<boolean> {
    return (await stat(this.entry(key)).catch(() => undefined))?.isDirectory() ?? false;
  }

  async restore(key: string, dir: string): Promise<boolean> {
    if (!(await this.has(key))) return false;
    await copyFiles(this.entry(key), dir);
    return true;
  }

  async save(key: string, dir: string): Promise<boolean> {
    if (await this.has(key)) return false;
    await mkdir(this.root, { recursive: true });
    const aside = join(this.root, `.incoming-${key}-${process.pid}-${Date.now()}`);
    try {
      await copyFiles(dir, aside);
      await rename(aside, this.entry(key));
      return true;
    } catch (e) {
      // Another writer's rename won: its entry stands.
      if (['ENOTEMPTY', 'EEXIST'].includes((e as NodeJS.ErrnoException).code ?? '')) return false;
      throw e;
    } finally {
      await rm(aside, { recursive: true, force: true });
    }
  }
}

/** Copies the files of one folder (no sub-folders in an entry); a reflink where the disk can. */
async function copyFiles(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const name of await readdir(from)) {
    await copyFile(join(from, name), join(to, name), constants.COPYFILE_FICLONE);
  }
}
