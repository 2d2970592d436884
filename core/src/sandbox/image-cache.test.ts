import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerReady } from '../test-support/docker.js';
import {
  ARCHIVE_FILE,
  inspectImage,
  META_FILE,
  saveArchive,
  type CachedImage,
} from './image-archive.js';
import { cacheKeyOf, ImageCache } from './image-cache.js';
import { DirectoryImageStore } from './image-store-dir.js';
import { DEFAULT_BASE_IMAGE, ImageManager, KEY_LABEL } from './images.js';

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' }).trim();
const docker = (...args: string[]) => sh('docker', args);
/** Removes a tag (the image too when it was its only one); an absent tag is no error. */
const rmi = (tag: string) => void spawnSync('docker', ['rmi', '-f', tag], { stdio: 'ignore' });

describe.skipIf(!dockerReady())('image cache: save, restore, refuse', () => {
  process.env.GAUNTLET_CACHE_DIR ??= mkdtempSync(join(tmpdir(), 'gauntlet-cache-'));
  const nonce = `${process.pid}-${Date.now()}`;
  const agent = (n: string) => ({
    kind: 'agent' as const,
    name: `cached-${n}`,
    python: { source: { inline: 'def run(t, **k): return "x"' } },
    environment: {
      dockerfile: `RUN echo cached-${n}-${nonce} > /home/user/marker\nENV CACHED=${n}\n`,
    },
  });
  const cached = (tag: string, key: string): CachedImage => ({
    key,
    tag,
    labels: { [KEY_LABEL]: key },
    base: DEFAULT_BASE_IMAGE,
  });
  const mgr = new ImageManager();
  let img: CachedImage;
  let other: CachedImage;
  const tags: string[] = [];

  beforeAll(async () => {
    const one = await mgr.build(agent('one'));
    const two = await mgr.build(agent('two'));
    tags.push(one.tag, two.tag);
    img = cached(one.tag, one.key);
    other = cached(two.tag, two.key);
  }, 300_000);
  afterAll(() => tags.forEach(rmi));

  /** A fresh store and cache, as a new runner with a cache from earlier jobs would have. */
  const fresh = () => {
    const store = new DirectoryImageStore(mkdtempSync(join(tmpdir(), 'gauntlet-images-')));
    const scratch = mkdtempSync(join(tmpdir(), 'gauntlet-scratch-'));
    return { store, cache: new ImageCache(store, scratch) };
  };
  /** Saves an image into the store, then removes it from the engine. */
  const saveAndDrop = async (c: ReturnType<typeof fresh>, i: CachedImage) => {
    expect(await c.cache.save(i)).toMatchObject({ state: 'saved' });
    rmi(i.tag);
    expect(await inspectImage(i.tag)).toBeUndefined();
  };
  const entryFile = (c: ReturnType<typeof fresh>, i: CachedImage, f: string) =>
    join(c.store.root, cacheKeyOf(i), f);
  const rebuild = async (i: CachedImage, n: string) =>
    expect((await mgr.build(agent(n))).tag).toBe(i.tag);

  it('restores a saved environment image as built; its archive skips the base', async () => {
    const c = fresh();
    expect(await c.cache.restore(img)).toEqual({ state: 'present' });
    const id = (await inspectImage(img.tag))!.id;
    await saveAndDrop(c, img);
    const meta = JSON.parse(readFileSync(entryFile(c, img, META_FILE), 'utf8'));
    const baseLayers = (await inspectImage(DEFAULT_BASE_IMAGE))!.layers.length;
    expect(meta).toMatchObject({ key: img.key, tag: img.tag, id, base_layers: baseLayers });
    // The base (hundreds of MB) is cached on its own; this archive holds the agent's layers.
    expect(statSync(entryFile(c, img, ARCHIVE_FILE)).size).toBeLessThan(5_000_000);
    expect((await mgr.status(agent('one'))).state).toBe('not_built');
    const r = await c.cache.restore(img);
    expect(r).toMatchObject({ state: 'restored' });
    expect((await inspectImage(img.tag))!.id).toBe(id);
    expect((await mgr.status(agent('one'))).state).toBe('ready');
    const inside = docker(
      'run',
      '--rm',
      '--network',
      'none',
      img.tag,
      'sh',
      '-c',
      'cat /home/user/marker; echo $CACHED',
    );
    expect(inside).toBe(`cached-one-${nonce}\none`);
    // Already saved: a second job looks it up and does not save again.
    expect(await c.cache.save(img)).toEqual({ state: 'exists' });
  });

  it('misses a key the store never saw', async () => {
    const c = fresh();
    rmi(img.tag);
    expect(await c.cache.restore(img)).toEqual({ state: 'miss' });
    await rebuild(img, 'one');
  });

  it('refuses a truncated archive, and the image is absent so it gets built', async () => {
    const c = fresh();
    await saveAndDrop(c, img);
    const file = entryFile(c, img, ARCHIVE_FILE);
    truncateSync(file, Math.floor(statSync(file).size / 2));
    const r = await c.cache.restore(img);
    expect(r).toMatchObject({ state: 'refused' });
    expect(await inspectImage(img.tag)).toBeUndefined();
    await rebuild(img, 'one');
  });

  it('refuses an archive whose layer bytes were changed (docker load checks digests)', async () => {
    const c = fresh();
    await saveAndDrop(c, img);
    const file = entryFile(c, img, ARCHIVE_FILE);
    // Unpack, change the marker inside the agent's layer, pack again: a valid tar, a wrong layer.
    const dir = mkdtempSync(join(tmpdir(), 'tamper-'));
    const members = sh('tar', ['-tf', file]).split('\n');
    sh('tar', ['-xf', file, '-C', dir]);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    const layer = join(dir, manifest[0].Layers.at(-1));
    const inner = mkdtempSync(join(tmpdir(), 'tamper-layer-'));
    sh('tar', ['-xf', layer, '-C', inner]);
    writeFileSync(join(inner, 'home/user/marker'), 'tampered\n');
    sh('tar', ['-cf', layer, '-C', inner, '.']);
    sh('tar', ['--no-recursion', '-cf', file, '-C', dir, ...members]);
    const r = await c.cache.restore(img);
    expect(r).toMatchObject({ state: 'refused' });
    expect((r as { reason: string }).reason).toMatch(/docker load failed|loaded as image/);
    expect(await inspectImage(img.tag)).toBeUndefined();
    await rebuild(img, 'one');
  });

  it('refuses a foreign archive before loading it: another image under this key', async () => {
    const c = fresh();
    expect(await c.cache.save(other)).toMatchObject({ state: 'saved' });
    // Move the other image's entry to this image's key, with its metadata as it was ...
    const from = join(c.store.root, cacheKeyOf(other));
    execFileSync('mv', [from, join(c.store.root, cacheKeyOf(img))]);
    rmi(img.tag);
    let r = await c.cache.restore(img);
    const refused = (text: string) => ({ state: 'refused', reason: expect.stringContaining(text) });
    expect(r).toMatchObject(refused(`not key ${img.key}`));
    // ... and with the metadata forged to claim this key: the archive would tag another image.
    const meta = entryFile(c, img, META_FILE);
    const forged = { ...JSON.parse(readFileSync(meta, 'utf8')), key: img.key, tag: img.tag };
    writeFileSync(meta, JSON.stringify(forged));
    r = await c.cache.restore(img);
    expect(r).toMatchObject(refused(`not ${img.tag} alone`));
    expect(await inspectImage(img.tag)).toBeUndefined();
    expect(await inspectImage(other.tag)).toBeDefined();
    await rebuild(img, 'one');
  });

  it('refuses an image that loads without this content key label, and untags it', async () => {
    const c = fresh();
    // A consistent archive (metadata, manifest and id agree) of an image that is not this one.
    const dir = join(c.store.root, cacheKeyOf(img));
    rmi(img.tag);
    docker('tag', other.tag, img.tag);
    await saveArchive({ ...img, labels: {} }, dir);
    rmi(img.tag);
    const r = await c.cache.restore(img);
    const why = `${KEY_LABEL}=${other.key}, not ${KEY_LABEL}=${img.key}`;
    expect(r).toMatchObject({ state: 'refused', reason: expect.stringContaining(why) });
    expect(await inspectImage(img.tag)).toBeUndefined();
    expect(await inspectImage(other.tag)).toBeDefined();
    await rebuild(img, 'one');
  });

  it('will not save an image lacking its content key label (an older build)', async () => {
    const c = fresh();
    const unlabelled = { ...img, labels: { [KEY_LABEL]: 'something-else' } };
    const why = expect.stringContaining('should carry the label');
    expect(await c.cache.save(unlabelled)).toMatchObject({ state: 'not_saved', reason: why });
    expect(await c.store.has(cacheKeyOf(unlabelled))).toBe(false);
  });
});
