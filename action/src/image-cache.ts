import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import {
  BASE_LABEL,
  baseImageKey,
  cacheKeyOf,
  DEFAULT_BASE_IMAGE,
  DirectoryImageStore,
  ImageCache,
  ImageManager,
  inspectImage,
  isOwnBase,
  KEY_LABEL,
  loadConfig,
  wantedBaseVersion,
  withCliInstall,
  type AgentConfig,
  type CachedImage,
  type RestoreOutcome,
  type SaveOutcome,
} from '../../core/src/index.js';
import { ActionsImageStore } from './image-store-actions.js';

/** One image a job needs, what the cache did for it, and what was saved after the run. */
export interface JobImage {
  /** What the image is for: `base image`, `agent claude-code`. */
  role: string;
  image: CachedImage;
  restore: RestoreOutcome;
  /** Built by this job's preparation (the base); environment images build in the run. */
  built?: boolean;
  save?: SaveOutcome;
}

/** The store the inputs ask for, or a note saying why images are not cached. */
export function imageCacheFor(
  o: { enabled: boolean; dir?: string },
  env: NodeJS.ProcessEnv,
): { cache?: ImageCache; note?: string } {
  // The Actions cache keys an entry on the path it unpacks to: the same path in every job.
  const scratch = join(env.RUNNER_TEMP ?? tmpdir(), 'gauntlet-image-cache');
  if (!o.enabled) return {};
  if (o.dir) {
    const dir = isAbsolute(o.dir) ? o.dir : resolve(env.GITHUB_WORKSPACE ?? process.cwd(), o.dir);
    return { cache: new ImageCache(new DirectoryImageStore(dir), scratch) };
  }
  if (!ActionsImageStore.available()) {
    const why = 'this runner announces no cache service (ACTIONS_RESULTS_URL is unset)';
    const fix = 'images are built in every job (or set image-cache-dir)';
    return { note: `image cache: off, ${why}; ${fix}` };
  }
  return { cache: new ImageCache(new ActionsImageStore(), scratch) };
}

/** What a job's image cache did, for the save after the run and the job summary. */
export interface JobImages {
  cache?: ImageCache;
  images: JobImage[];
}

/** Before the run: restores the images the selected suites need (inputs image-cache…). */
export async function restoreImagesForJob(
  o: {
    imageCache: boolean;
    imageCacheDir?: string;
    root: string;
    configDir?: string;
    suites: string[];
  },
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<JobImages> {
  const { cache, note } = imageCacheFor({ enabled: o.imageCache, dir: o.imageCacheDir }, env);
  if (note) log(note);
  if (!cache) return { images: [] };
  try {
    return { cache, images: await restoreJobImages({ ...o, cache, log }) };
  } catch (e) {
    // Only a shortcut: the run builds what is missing and reports any config or build error.
    log(`image cache: skipped (${(e as Error).message.split('\n')[0]})`);
    return { cache, images: [] };
  }
}

/**
 * After the run, once its records are pushed and its summary written (a job cancelled while
 * saving loses nothing but the cache entry): saves what this job built, and returns the lines
 * the job summary adds.
 */
export async function saveImagesForJob(
  j: JobImages,
  log: (line: string) => void,
  o: { cancelled: boolean },
): Promise<string[]> {
  if (!j.cache || o.cancelled) return [];
  await saveJobImages(j.images, j.cache, log);
  const store = j.cache.store.name;
  const saved = j.images.filter((i) => i.save);
  return saved.map((i) => inert(`image ${i.image.tag}: ${describeSave(i.save!, store)}`));
}

/** The configuration an agent's image is built from; undefined for agents without one. */
function imageConfig(a: AgentConfig): AgentConfig | undefined {
  if (a.python) return a;
  if (a.http) return undefined;
  return withCliInstall(a);
}

/**
 * Restores the images the selected suites need before anything builds: the base first (an
 * environment image's key holds the base's id, so a missing base is built here when the cache
 * has none), then each agent's environment image. Whatever is still missing afterwards is
 * built by the run as usual.
 */
export async function restoreJobImages(o: {
  root: string;
  configDir?: string;
  suites: string[];
  cache: ImageCache;
  log: (line: string) => void;
}): Promise<JobImage[]> {
  const tree = await loadConfig(o.root, { configDir: o.configDir, checkTasks: false });
  const baseTag = tree.project.value.image ?? DEFAULT_BASE_IMAGE;
  const mgr = new ImageManager(baseTag, o.log);
  const out: JobImage[] = [];
  const report = (j: JobImage) => (out.push(j), o.log(`image cache: ${describeRestore(j)}`));
  if (isOwnBase(baseTag)) {
    const labels = { [BASE_LABEL]: wantedBaseVersion() };
    const image = { key: baseImageKey(), tag: baseTag, labels };
    const j: JobImage = { role: 'base image', image, restore: await o.cache.restore(image) };
    report(j);
    if (!(await inspectImage(baseTag))) {
      await mgr.ensureBase();
      j.built = true;
    }
  } else if (!(await inspectImage(baseTag))) {
    // Not ours to cache or build; the run says what is missing (image_not_ready).
    return out;
  }
  const suites = o.suites.length ? o.suites : [...tree.suites.keys()];
  const agents = new Set(
    suites.flatMap((s) => {
      const v = tree.suites.get(s)?.value;
      return v ? (v.agents ?? [v.agent!]) : [];
    }),
  );
  const seen = new Set<string>();
  for (const name of agents) {
    const cfg = tree.agents.get(name) && imageConfig(tree.agents.get(name)!.value);
    if (!cfg) continue;
    const st = await mgr.status(cfg);
    if (st.key === 'base' || seen.has(st.key) || st.state === 'building') continue;
    seen.add(st.key);
    const image = { key: st.key, tag: st.tag, labels: { [KEY_LABEL]: st.key }, base: baseTag };
    report({ role: `agent ${name}`, image, restore: await o.cache.restore(image) });
  }
  return out;
}

/** After the run: saves each image this job built (or found on the runner) the cache lacks. */
export async function saveJobImages(
  images: JobImage[],
  cache: ImageCache,
  log: (line: string) => void,
) {
  for (const j of images) {
    if (j.restore.state === 'restored') continue;
    if (!(await inspectImage(j.image.tag))) {
      const reason = 'it is not on the engine after the run (its build failed)';
      j.save = { state: 'not_saved', reason };
      continue;
    }
    j.save = await cache.save(j.image);
    log(`image cache: ${j.image.tag}: ${describeSave(j.save, cache.store.name)}`);
  }
}

const mb = (bytes: number) =>
  bytes < 1e6 ? `${Math.max(1, Math.round(bytes / 1e3))} kB` : `${Math.round(bytes / 1e6)} MB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function describeRestore(j: JobImage): string {
  const what = `${j.image.tag} (${j.role})`;
  const r = j.restore;
  const key = cacheKeyOf(j.image);
  switch (r.state) {
    case 'present':
      return `${what}: on the runner already`;
    case 'restored':
      return (
        `${what}: restored from the cache (${mb(r.bytes)} in ${secs(r.ms)}: ` +
        `fetched in ${secs(r.fetchMs)}, docker load ${secs(r.loadMs)})`
      );
    case 'miss':
      return `${what}: not in the cache (key ${key}): built`;
    case 'refused':
      return (
        `${what}: the cached archive was refused (${r.reason}): built instead; ` +
        `delete the entry so a good one can be saved (gh cache delete ${key})`
      );
    case 'unavailable':
      return `${what}: the cache could not be read (${r.reason}): built`;
  }
}

function describeSave(s: SaveOutcome, store: string): string {
  switch (s.state) {
    case 'saved':
      return `saved to ${store} for the next jobs (${mb(s.bytes)} in ${secs(s.ms)})`;
    case 'exists':
      return `already in ${store}`;
    case 'not_saved':
      return `not saved: ${s.reason}`;
  }
}

/** Reasons can quote an archive's own metadata: shown as text, never as markup. */
const inert = (line: string) =>
  line.replace(/[\\`*_{}[\]<>#+!|~&]/g, (c) => `&#${c.charCodeAt(0)};`);

/** One line per image for the job summary: which came from the cache, which were built. */
export function imageNotes(j: JobImages): string[] {
  return j.images.map((i) => inert(`image ${describeRestore(i)}`));
}
