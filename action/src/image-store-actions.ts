import { mkdir } from 'node:fs/promises';
import * as cache from '@actions/cache';
import type { ImageArchiveStore } from '../../core/src/index.js';

/**
 * Image archives in the GitHub Actions cache, through @actions/cache (which speaks whichever
 * cache service protocol the runner announces). An entry is keyed by the image's content key
 * and by the path it is unpacked to, so that path must be the same in every job.
 */
export class ActionsImageStore implements ImageArchiveStore {
  readonly name = 'the GitHub Actions cache';

  /** Whether this runner has a cache service (ACTIONS_RESULTS_URL or ACTIONS_CACHE_URL). */
  static available(): boolean {
    return cache.isFeatureAvailable();
  }

  async has(key: string, dir: string): Promise<boolean> {
    return (await cache.restoreCache([dir], key, [], { lookupOnly: true })) === key;
  }

  async restore(key: string, dir: string): Promise<boolean> {
    await mkdir(dir, { recursive: true });
    // Exact key only: a prefix match would be another image's archive.
    return (await cache.restoreCache([dir], key, [])) === key;
  }

  async save(key: string, dir: string): Promise<boolean> {
    return (await cache.saveCache([dir], key)) !== -1;
  }
}
