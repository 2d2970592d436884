// TEMPORARY ADAPTER until helper "runbook" lands core/src/pipeline/runbook-run.ts. At merge this
// file becomes (checked against the runbook branch: it typechecks and tests/serve-runbook.test.ts
// passes but for the artifacts the artifacts branch brings):
//   import type { RunEvent } from '../pipeline/run-suite.js';
//   import { runRunbook, type RunbookLaunch } from '../pipeline/runbook-run.js';
//   export type LaunchEvent = RunEvent;
//   export type RunbookOptions = RunbookLaunch;
//   export type Launcher = typeof runRunbook;
//   /** Kept for builds without runbook runs; the chat handler answers it with 501. */
//   export class LaunchUnavailable extends Error {}
//   export const launchRunbook: Launcher = runRunbook;
// and nothing else in server/ changes. Until then a block request answers 501: no run is faked.
import type { RunEvent } from '../pipeline/run-suite.js';
import type { RunRecord, SuiteManifest, TrajectoryStep } from '../results/record.js';

/** The progress event runRunbook emits as the run goes (issue #15 contract). */
export interface ProgressEvent {
  type: 'progress';
  runId: string;
  phase?: string;
  step?: Partial<TrajectoryStep>;
  message: string;
}

export type LaunchEvent = RunEvent | ProgressEvent;

/** runRunbook's options, as the contract states them. */
export interface RunbookOptions {
  root: string;
  configDir?: string;
  suite?: string;
  runbook: string;
  /** Beyond the contract, taken by helper runbook's launch: the runbook file's name for the record. */
  runbookName?: string;
  agent: string;
  instruction: string;
  task?: string;
  files?: string[];
  resultsDir?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onEvent?: (e: LaunchEvent) => void;
}

export type Launcher = (
  o: RunbookOptions,
) => Promise<{ record: RunRecord; manifest: SuiteManifest; dir: string }>;

/** Thrown when this build has no runbook runs; the chat handler answers it with 501. */
export class LaunchUnavailable extends Error {}

// A computed specifier, so the compiler does not resolve a module that is not there yet.
const MODULE = ['..', 'pipeline', 'runbook-run.js'].join('/');

export const launchRunbook: Launcher = async (o) => {
  let mod: { runRunbook?: Launcher };
  try {
    mod = await import(MODULE);
  } catch (e) {
    // Only the module's absence means "not in this build"; its own failures are real errors.
    const code = (e as { code?: string }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && !/runbook-run/.test(String((e as Error).message)))
      throw e;
    mod = {};
  }
  if (typeof mod.runRunbook !== 'function')
    throw new LaunchUnavailable('runbook runs are not in this build of gauntlet yet');
  return mod.runRunbook(o);
};
