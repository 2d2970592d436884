import { mkdtempSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The kinds of host temp dir the engine makes; each name carries the owner's pid. */
export type TempKind = 'run' | 'code' | 'git' | 'ws' | 'build';
const OWNED = /^gauntlet-(run|code|git|ws|build)-(?:(\d+)-)?/;
/** An unnamed owner's dir (an older gauntlet) is a leftover past this age. */
const STALE_MS = 2 * 60 * 60 * 1000;

/**
 * A temp dir named for its owner process (gauntlet-run-<pid>-XXXXXX), so that after a kill -9
 * the next start can tell a leftover from another live run's dir and remove it.
 */
export const ownedTempDir = (kind: TempKind) =>
  mkdtemp(join(tmpdir(), `gauntlet-${kind}-${process.pid}-`));
export const ownedTempDirSync = (kind: TempKind) =>
  mkdtempSync(join(tmpdir(), `gauntlet-${kind}-${process.pid}-`));

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes gauntlet temp dirs (with the gateway sockets inside) whose owner is gone. */
export async function sweepTempDirs(dir = tmpdir()): Promise<number> {
  let n = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const m = OWNED.exec(name);
    if (!m) continue;
    const path = join(dir, name);
    const pid = m[2] ? Number(m[2]) : undefined;
    if (pid === process.pid) continue;
    if (
      pid !== undefined
        ? processAlive(pid)
        : Date.now() - ((await stat(path).catch(() => undefined))?.mtimeMs ?? Date.now()) < STALE_MS
    )
      continue;
    await rm(path, { recursive: true, force: true }).catch(() => undefined);
    n++;
  }
  return n;
}
