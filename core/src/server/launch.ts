import type { RunEvent } from '../pipeline/run-suite.js';
import { runRunbook, type RunbookLaunch } from '../pipeline/runbook-run.js';

/** What the chat handler launches a runbook run with: the engine's runRunbook (tests pass a double). */
export type LaunchEvent = RunEvent;
export type RunbookOptions = RunbookLaunch;
export type Launcher = typeof runRunbook;
export const launchRunbook: Launcher = runRunbook;
