import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCacheServer, type CacheServer } from '../../bench/actions-cache-server.js';
import { DirectoryImageStore, type ImageArchiveStore } from '../../core/src/index.js';
import { ActionsImageStore } from './image-store-actions.js';

/** Every temp dir the suites make; removed at the end (one entry is 136 MiB). */
const made: string[] = [];
const temp = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};

/**
 * One conformance suite for every place image archives are kept: the GitHub Actions cache
 * (the real @actions/cache client against a loopback cache service) and a directory.
 */
function conformance(name: string, make: () => Promise<ImageArchiveStore>) {
  describe(`image archive store: ${name}`, () => {
    let store: ImageArchiveStore;
    const scratch = temp('gauntlet-store-scratch-');
    const nonce = `${process.pid}-${Date.now()}`;
    beforeAll(async () => {
      store = await make();
    });

    const entry = async (key: string, files: Record<string, string>) => {
      const dir = join(scratch, key);
      await mkdir(dir, { recursive: true });
      for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
      return dir;
    };

    it('misses a key it never saw, then keeps what was saved under it', async () => {
      const key = `gauntlet-image-t-${nonce}-a`;
      const dir = join(scratch, key);
      expect(await store.has(key, dir)).toBe(false);
      expect(await store.restore(key, dir)).toBe(false);
      await entry(key, { 'image.tar': 'archive bytes '.repeat(1000), 'image.json': '{"k":1}' });
      expect(await store.save(key, dir)).toBe(true);
      expect(await store.has(key, dir)).toBe(true);
      await rm(dir, { recursive: true, force: true });
      expect(await store.restore(key, dir)).toBe(true);
      expect(readFileSync(join(dir, 'image.tar'), 'utf8')).toBe('archive bytes '.repeat(1000));
      expect(readFileSync(join(dir, 'image.json'), 'utf8')).toBe('{"k":1}');
    });

    it('keeps an entry larger than one upload (the Actions cache sends it in blocks)', async () => {
      const key = `gauntlet-image-t-${nonce}-big`;
      // Incompressible, past the client's 128 MiB single-upload size once compressed.
      const big = randomBytes(136 * 1024 * 1024);
      const dir = await entry(key, {});
      writeFileSync(join(dir, 'image.tar'), big);
      expect(await store.save(key, dir)).toBe(true);
      await rm(dir, { recursive: true, force: true });
      expect(await store.restore(key, dir)).toBe(true);
      expect(readFileSync(join(dir, 'image.tar')).equals(big)).toBe(true);
      await rm(dir, { recursive: true, force: true });
    }, 120_000);

    it('never replaces an entry, and keeps keys apart', async () => {
      const a = `gauntlet-image-t-${nonce}-b`;
      const b = `gauntlet-image-t-${nonce}-b2`;
      const dirA = await entry(a, { 'image.json': 'first' });
      expect(await store.save(a, dirA)).toBe(true);
      writeFileSync(join(dirA, 'image.json'), 'second');
      expect(await store.save(a, dirA)).toBe(false);
      const dirB = await entry(b, { 'image.json': 'other' });
      expect(await store.save(b, dirB)).toBe(true);
      await rm(dirA, { recursive: true, force: true });
      expect(await store.restore(a, dirA)).toBe(true);
      expect(readFileSync(join(dirA, 'image.json'), 'utf8')).toBe('first');
      // A key that merely starts like a saved one is a miss, not another image's archive.
      expect(await store.restore(`gauntlet-image-t-${nonce}`, join(scratch, 'prefix'))).toBe(false);
    });
  });
}

conformance('directory', async () => {
  return new DirectoryImageStore(temp('gauntlet-store-'));
});

let server: CacheServer | undefined;
const saved = { ...process.env };
conformance('GitHub Actions cache (loopback cache service v2)', async () => {
  server = await startCacheServer(temp('gauntlet-cache-service-'));
  // @actions/cache reads the runner's environment; only loopback is ever contacted.
  Object.assign(process.env, server.env, {
    RUNNER_TEMP: temp('runner-temp-'),
    GITHUB_WORKSPACE: temp('workspace-'),
    GITHUB_SERVER_URL: 'https://github.com',
  });
  expect(ActionsImageStore.available()).toBe(true);
  return new ActionsImageStore();
});

afterAll(async () => {
  await server?.close();
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
  expect(server?.calls.some((c) => c.startsWith('upload '))).toBe(true);
  expect(server?.calls.some((c) => c.endsWith(' blocklist'))).toBe(true);
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});
