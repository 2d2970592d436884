import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { execa } from 'execa';
import { docker } from './docker-cli.js';
import { dockerEngine } from './docker.js';
import { TarFilter } from './tar-filter.js';

/** The two files of one cached image: the `docker save` archive, and what it must load as. */
export const ARCHIVE_FILE = 'image.tar';
export const META_FILE = 'image.json';
/** Bumped when the layout of an archive changes; an archive of another format is refused. */
export const ARCHIVE_FORMAT = 'gauntlet-image-archive/1';

/** One image the cache can hold, and what it must be to be used after a load. */
export interface CachedImage {
  /** Its content key: the base recipe's (`base-v2-…`) or an environment image's. */
  key: string;
  tag: string;
  /** Labels the loaded image must carry (its content key, the base version). */
  labels: Record<string, string>;
  /** The base image under an environment image: its layers are left out of the archive. */
  base?: string;
}

export interface ArchiveMeta {
  format: string;
  key: string;
  tag: string;
  /** The image id (`sha256:…`, the hash of its config): what the load must produce. */
  id: string;
  labels: Record<string, string>;
  /** Layers of the base left out of the archive; they must be on the engine to load it. */
  base_layers: number;
  archive_bytes: number;
}

/** An archive that is corrupt, foreign or for another image: it is never used. */
export class ArchiveRefused extends Error {
  constructor(
    readonly tag: string,
    readonly reason: string,
  ) {
    super(`the cached archive of ${tag} was refused: ${reason}`);
  }
}

/** An image that cannot be saved (absent, or without the labels a restore checks). */
export class ImageNotCacheable extends Error {}

interface ImageFacts {
  id: string;
  labels: Record<string, string>;
  layers: string[];
}

export async function inspectImage(tag: string): Promise<ImageFacts | undefined> {
  try {
    const i = await dockerEngine().getImage(tag).inspect();
    return { id: i.Id, labels: i.Config?.Labels ?? {}, layers: i.RootFS?.Layers ?? [] };
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return undefined;
    throw e;
  }
}

let classic: Promise<boolean> | undefined;
/**
 * Whether the engine keeps images in the classic layer store. Its `docker load` reuses a layer
 * already present without reading it, so an environment image's archive can leave out the
 * base's layers; the containerd image store wants every blob, so it gets whole archives.
 */
function classicStore(): Promise<boolean> {
  type Info = { DriverStatus?: [string, string][] };
  const snapshotter = (i: Info) =>
    JSON.stringify(i.DriverStatus ?? []).includes('containerd.snapshotter');
  return (classic ??= dockerEngine()
    .info()
    .then((i: Info) => !snapshotter(i))
    .catch(() => false));
}

interface ManifestItem {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
}

/** manifest.json of a `docker save` archive (both the legacy and the OCI layout carry one). */
async function readManifest(file: string): Promise<ManifestItem[]> {
  const r = await execa('tar', ['-xOf', file, 'manifest.json'], { reject: false });
  if (r.exitCode !== 0) throw new Error(firstLine(r.stderr) || `tar exited ${r.exitCode}`);
  const items = JSON.parse(String(r.stdout)) as ManifestItem[];
  if (!Array.isArray(items)) throw new Error('manifest.json is not a list');
  return items;
}

const isPrefix = (a: string[], b: string[]) =>
  a.length <= b.length && a.every((x, i) => x === b[i]);
const firstLine = (s: unknown) => String(s).trim().split('\n')[0];

/**
 * Writes `docker save` of the image and its metadata into dir. An environment image leaves
 * its base's layers out (on a classic store): the base is cached on its own, and every job
 * that restores an environment image has restored or built that base first.
 */
export async function saveArchive(img: CachedImage, dir: string): Promise<ArchiveMeta> {
  const facts = await inspectImage(img.tag);
  if (!facts) throw new ImageNotCacheable(`${img.tag} is not on this Docker engine`);
  for (const [k, v] of Object.entries(img.labels)) {
    if (facts.labels[k] !== v) {
      const has = facts.labels[k] === undefined ? 'has none' : `has ${k}=${facts.labels[k]}`;
      const why = `${img.tag} should carry the label ${k}=${v} but ${has}`;
      throw new ImageNotCacheable(`${why} (built by an older gauntlet?)`);
    }
  }
  await mkdir(dir, { recursive: true });
  const file = join(dir, ARCHIVE_FILE);
  await docker(['save', '-o', file, img.tag]);
  let baseLayers = 0;
  const base = img.base ? await inspectImage(img.base) : undefined;
  if (base && isPrefix(base.layers, facts.layers) && (await classicStore())) {
    baseLayers = base.layers.length;
    const [m] = await readManifest(file);
    // A blob the image's own layers also use (an empty layer, say) stays in.
    const keep = new Set(m.Layers.slice(baseLayers));
    const drop = [...new Set(m.Layers.slice(0, baseLayers))].filter((p) => !keep.has(p));
    if (drop.length) {
      // Rewritten by a stream filter: GNU tar --delete mangles docker's archives.
      const part = `${file}.part`;
      await pipeline(createReadStream(file), new TarFilter(drop), createWriteStream(part));
      await rename(part, file);
    }
  }
  const meta: ArchiveMeta = {
    format: ARCHIVE_FORMAT,
    key: img.key,
    tag: img.tag,
    id: facts.id,
    labels: img.labels,
    base_layers: baseLayers,
    archive_bytes: (await stat(file)).size,
  };
  await writeFile(join(dir, META_FILE), JSON.stringify(meta, null, 2));
  return meta;
}

async function readMeta(img: CachedImage, dir: string): Promise<ArchiveMeta> {
  let meta: ArchiveMeta;
  try {
    meta = JSON.parse(await readFile(join(dir, META_FILE), 'utf8')) as ArchiveMeta;
  } catch (e) {
    const why = (e as Error).message;
    throw new ArchiveRefused(img.tag, `${META_FILE} is missing or unreadable (${why})`);
  }
  if (meta?.format !== ARCHIVE_FORMAT) {
    const format = JSON.stringify(meta?.format);
    throw new ArchiveRefused(img.tag, `it is not a ${ARCHIVE_FORMAT} archive (format ${format})`);
  }
  if (meta.key !== img.key || meta.tag !== img.tag) {
    const holds = `${JSON.stringify(meta.tag)} (key ${JSON.stringify(meta.key)})`;
    throw new ArchiveRefused(img.tag, `it holds ${holds}, not key ${img.key}`);
  }
  return meta;
}

/** What is wrong with the image a load produced, if anything. */
async function loadedProblem(img: CachedImage, meta: ArchiveMeta): Promise<string | undefined> {
  const facts = await inspectImage(img.tag);
  if (!facts) return `docker load did not create ${img.tag}`;
  if (facts.id !== meta.id) return `it loaded as image ${facts.id}, not ${meta.id}`;
  for (const [k, v] of Object.entries(img.labels)) {
    const got = facts.labels[k] ?? '(none)';
    if (facts.labels[k] !== v) return `the loaded image has ${k}=${got}, not ${k}=${v}`;
  }
  const base = img.base ? await inspectImage(img.base) : undefined;
  if (img.base && (!base || !isPrefix(base.layers, facts.layers))) {
    return `its layers do not start with those of ${img.base}`;
  }
  return undefined;
}

/**
 * Loads a cached image, or refuses it. Before the load: the metadata must name this key and
 * tag, and the archive's manifest must tag exactly this image (a foreign archive never gets to
 * retag anything). The load itself checks every layer against the image config's digests. After
 * it: the image id, the labels and the base's layers must be what was saved. A refused image
 * is untagged again, so the caller builds it as on a cache miss.
 */
export async function loadArchive(img: CachedImage, dir: string): Promise<ArchiveMeta> {
  const meta = await readMeta(img, dir);
  const file = join(dir, ARCHIVE_FILE);
  let manifest: ManifestItem[];
  try {
    manifest = await readManifest(file);
  } catch (e) {
    const why = `its manifest cannot be read (${(e as Error).message})`;
    throw new ArchiveRefused(img.tag, `${why}: truncated, or not a docker save archive`);
  }
  const tags = manifest.flatMap((m) => m.RepoTags ?? []);
  if (manifest.length !== 1 || tags.length !== 1 || tags[0] !== img.tag) {
    const holds = `${manifest.length} image(s) tagged ${JSON.stringify(tags)}`;
    throw new ArchiveRefused(img.tag, `it holds ${holds}, not ${img.tag} alone`);
  }
  if (!manifest[0].Config.includes(meta.id.replace(/^sha256:/, ''))) {
    throw new ArchiveRefused(img.tag, `its manifest names another image config than ${meta.id}`);
  }
  const r = await docker(['load', '-q', '-i', file], { reject: false });
  if (r.exitCode !== 0) {
    await untag(img.tag);
    const why = String(r.stderr).trim().split('\n').pop() || `exit ${r.exitCode}`;
    throw new ArchiveRefused(img.tag, `docker load failed (${why})`);
  }
  const problem = await loadedProblem(img, meta);
  if (problem) {
    await untag(img.tag);
    throw new ArchiveRefused(img.tag, problem);
  }
  return meta;
}

async function untag(tag: string): Promise<void> {
  await docker(['rmi', tag], { reject: false });
}
