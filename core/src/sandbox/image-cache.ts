import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ARCHIVE_FORMAT,
  ArchiveRefused,
  inspectImage,
  loadArchive,
  saveArchive,
  type CachedImage,
} from './image-archive.js';

/**
 * Where image archives live between CI jobs: the GitHub Actions cache, or a directory (a
 * self-hosted runner's disk). An entry is a folder's files under a key; entries never change.
 */
export interface ImageArchiveStore {
  /** Names the store in logs and the job summary. */
  readonly name: string;
  /** Fetches the entry saved under key into dir; false when there is none. */
  restore(key: string, dir: string): Promise<boolean>;
  /** Whether an entry is saved under key, without fetching it. */
  has(key: string, dir: string): Promise<boolean>;
  /** Saves the files of dir under key; false when it was not saved (the key is taken). */
  save(key: string, dir: string): Promise<boolean>;
}

export type RestoreOutcome =
  | { state: 'present' }
  | { state: 'restored'; ms: number; bytes: number; fetchMs: number; loadMs: number }
  | { state: 'miss' }
  | { state: 'refused'; reason: string }
  | { state: 'unavailable'; reason: string };

export type SaveOutcome =
  | { state: 'saved'; ms: number; bytes: number }
  | { state: 'exists' }
  | { state: 'not_saved'; reason: string };

/**
 * The cache key of an image: its content key, plus the archive format (an entry, once saved,
 * cannot be replaced, so a new format needs new keys).
 */
export const cacheKeyOf = (img: CachedImage) =>
  `gauntlet-image-${ARCHIVE_FORMAT.split('/')[1]}-${img.key}`;

/**
 * Restores images from a store before anything builds, and saves built ones after. A cache
 * is only ever a shortcut: a miss, a store that fails, or a refused archive all end in the
 * normal build, never in a failed job.
 */
export class ImageCache {
  constructor(
    readonly store: ImageArchiveStore,
    /** Where entries are unpacked; the same path in every job (the Actions cache keys on it). */
    private readonly scratch: string,
  ) {}

  private dir(img: CachedImage) {
    return join(this.scratch, cacheKeyOf(img));
  }

  async restore(img: CachedImage): Promise<RestoreOutcome> {
    // An image already on the engine is never replaced by an archive.
    if (await inspectImage(img.tag)) return { state: 'present' };
    const started = Date.now();
    const dir = this.dir(img);
    await rm(dir, { recursive: true, force: true });
    try {
      try {
        if (!(await this.store.restore(cacheKeyOf(img), dir))) return { state: 'miss' };
      } catch (e) {
        return { state: 'unavailable', reason: (e as Error).message };
      }
      const fetched = Date.now();
      const meta = await loadArchive(img, dir);
      const done = Date.now();
      const times = { ms: done - started, fetchMs: fetched - started, loadMs: done - fetched };
      return { state: 'restored', bytes: meta.archive_bytes, ...times };
    } catch (e) {
      if (e instanceof ArchiveRefused) return { state: 'refused', reason: e.reason };
      return { state: 'unavailable', reason: (e as Error).message.split('\n')[0] };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async save(img: CachedImage): Promise<SaveOutcome> {
    const started = Date.now();
    const key = cacheKeyOf(img);
    const dir = this.dir(img);
    try {
      // Looked up first: another job may have saved it, and `docker save` is the slow part.
      if (await this.store.has(key, dir)) return { state: 'exists' };
      await rm(dir, { recursive: true, force: true });
      const meta = await saveArchive(img, dir);
      if (!(await this.store.save(key, dir))) {
        const why = 'another job saved it first, or the upload was refused';
        return { state: 'not_saved', reason: `${this.store.name} did not take ${key} (${why})` };
      }
      return { state: 'saved', ms: Date.now() - started, bytes: meta.archive_bytes };
    } catch (e) {
      // Saving is a courtesy to later jobs: whatever went wrong, this job goes on.
      return { state: 'not_saved', reason: (e as Error).message.split('\n')[0] };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
