import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeArtifactFiles } from './artifact-files.js';
import type { Redactor } from './redact.js';
import type { RunRecord, SuiteManifest } from './record.js';
import { entryOf, type IndexEntry } from './suite-index.js';

/** Where run records live; the directory store is the local default, a git branch the CI one. */
export interface ResultsStore {
  writeRun(record: RunRecord): Promise<void>;
  writeManifest(manifest: SuiteManifest, extra?: Record<string, string>): Promise<void>;
  findRun(idOrPrefix: string): Promise<RunRecord | undefined>;
}

/** Writes only redacted text, atomically (write then rename), one file per run. */
export class DirectoryStore implements ResultsStore {
  constructor(
    readonly dir: string,
    private readonly redactor: Redactor,
  ) {}

  private async put(path: string, text: string) {
    await mkdir(join(path, '..'), { recursive: true });
    const tmp = `${path}.tmp-${process.pid}`;
    await writeFile(tmp, this.redactor.text(text));
    await rename(tmp, path);
  }

  suiteDir(suiteRunId: string) {
    return join(this.dir, 'runs', suiteRunId);
  }

  async writeRun(record: RunRecord) {
    await this.put(
      join(this.suiteDir(record.suite_run_id), `${record.id}.json`),
      JSON.stringify(record, null, 2),
    );
  }

  /**
   * A run's stored artifacts beside its record, byte for byte: the collector already redacted
   * text and refused what could not be; returns the paths that could not be written, with why.
   */
  async writeArtifacts(suiteRunId: string, runId: string, files: ReadonlyMap<string, Buffer>) {
    return writeArtifactFiles(this.suiteDir(suiteRunId), runId, files);
  }

  async writeManifest(manifest: SuiteManifest, extra: Record<string, string> = {}) {
    const dir = this.suiteDir(manifest.id);
    await this.put(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
    for (const [name, text] of Object.entries(extra)) await this.put(join(dir, name), text);
    await this.reindex();
  }

  /** The index is regenerated from the manifests, never appended to. */
  async reindex() {
    const runs = join(this.dir, 'runs');
    const entries: IndexEntry[] = [];
    for (const d of (await readdir(runs).catch(() => [])).sort()) {
      try {
        const m = JSON.parse(
          await readFile(join(runs, d, 'manifest.json'), 'utf8'),
        ) as SuiteManifest;
        entries.push(entryOf(m));
      } catch {
        /* a suite run still in progress has no manifest yet */
      }
    }
    await this.put(
      join(this.dir, 'index.json'),
      JSON.stringify(
        { schema_version: 1, updated_at: new Date().toISOString(), suite_runs: entries },
        null,
        2,
      ),
    );
  }

  async findRun(idOrPrefix: string): Promise<RunRecord | undefined> {
    const runs = join(this.dir, 'runs');
    for (const d of (await readdir(runs).catch(() => [])).sort().reverse()) {
      const files = (await readdir(join(runs, d)).catch(() => [])).filter(
        (f) => f.startsWith(idOrPrefix) && f.endsWith('.json') && f !== 'manifest.json',
      );
      if (files.length) return JSON.parse(await readFile(join(runs, d, files[0]), 'utf8'));
    }
    return undefined;
  }
}
