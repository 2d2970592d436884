import { resolve } from 'node:path';
import { ConfigError, type ConfigIssue } from '../config/errors.js';
import { suiteFromMemory } from '../config/suite-in-memory.js';
import type { SuiteConfig } from '../config/types.js';
import type { RunRecord, SuiteManifest } from '../results/record.js';
import type { SandboxDriver } from '../sandbox/driver.js';
import { runSuites, type RunEvent } from './run-suite.js';

export interface RunbookLaunch {
  /** The repository holding the config directory; uploads must stay inside it. */
  root: string;
  configDir?: string;
  /** The suite name to record under (default 'runbook'). */
  suite?: string;
  /** The mission: markdown text. */
  runbook: string;
  /** What the record calls the runbook (a file's path, say); default 'inline'. */
  runbookName?: string;
  /** A declared agent's name or a coding CLI's short name (claude-code, codex, gemini-cli). */
  agent: string;
  /** The user message: what to do now, under the mission. */
  instruction: string;
  /** The task id (default 'runbook'). */
  task?: string;
  /** Paths relative to `root` (inside it only), uploaded into /app/uploads/ by base name. */
  files?: string[];
  resultsDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Aborting kills the sandbox; the record, still written, says cancelled. */
  signal?: AbortSignal;
  onEvent?: (e: RunEvent) => void;
  /** The sandbox driver (tests); Docker by default. */
  driver?: SandboxDriver;
}

/** The launch was cancelled before its run started: there is no record to return. */
export class RunbookNotStarted extends Error {
  override name = 'RunbookNotStarted';
}

/** A suite field as the launch names it, so errors speak the caller's terms. */
const LAUNCH_FIELDS: [RegExp, string][] = [
  [/^name$/, 'suite'],
  [/^runbook(\.inline)?$/, 'runbook'],
  [/^runbook\.name$/, 'runbookName'],
  [/^tasks\.0\.user$/, 'instruction'],
  [/^tasks\.0\.id$/, 'task'],
];

/**
 * Runs one runbook task from in-memory inputs through the engine path of `gauntlet run`: an
 * in-memory suite of one task (no judge: a launch is run, not graded, unless checks are added
 * later) handed to runSuites, so the run is resolved, sandboxed, recorded and stored as any
 * other, under `suite` in the results directory. Invalid inputs throw ConfigError naming the
 * launch's field (`agent`, `files.0`, `instruction` ...), before any sandbox.
 */
export async function runRunbook(
  o: RunbookLaunch,
): Promise<{ record: RunRecord; manifest: SuiteManifest; dir: string }> {
  const root = resolve(o.root);
  const value: SuiteConfig = {
    kind: 'suite',
    name: o.suite ?? 'runbook',
    agent: o.agent,
    judge: 'none',
    runbook: { inline: o.runbook, ...(o.runbookName ? { name: o.runbookName } : {}) },
    ...(o.files?.length ? { files: o.files } : {}),
    concurrency: 1,
    tasks: [{ id: o.task ?? 'runbook', user: o.instruction }],
  };
  let results;
  try {
    results = await runSuites({
      root,
      configDir: o.configDir,
      resultsDir: o.resultsDir,
      env: o.env,
      signal: o.signal,
      onEvent: o.onEvent,
      driver: o.driver,
      suiteInMemory: suiteFromMemory(value, '(runbook launch)', root),
    });
  } catch (e) {
    if (e instanceof ConfigError && e.issues.some((i) => i.file === '(runbook launch)'))
      throw new ConfigError(e.issues.map(launchField));
    throw e;
  }
  const r = results[0];
  if (!r?.records.length)
    throw new RunbookNotStarted('the launch was cancelled before its run started');
  return { record: r.records[0], manifest: r.manifest, dir: r.dir };
}

function launchField(i: ConfigIssue): ConfigIssue {
  if (i.file !== '(runbook launch)') return i;
  const hit = LAUNCH_FIELDS.find(([re]) => re.test(i.field));
  return hit ? { ...i, field: hit[1] } : i;
}
