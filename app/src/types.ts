import type { Context } from 'probot';

/** The installation-authenticated client Probot hands each handler. */
export type Octokit = Context['octokit'];

export interface AppSettings {
  /** Branch the Action pushes records to. */
  resultsBranch: string;
  /** https://github.com or a GHES base, for links. */
  serverUrl: string;
  /**
   * Extra trials "Re-run failed" asks the Action to confirm flipped tasks with (its `confirm`
   * input, with the PR's base); unset or 0: a plain re-run.
   */
  rerunConfirm?: number;
}

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): AppSettings {
  return {
    resultsBranch: env.GAUNTLET_RESULTS_BRANCH || 'gauntlet-results',
    serverUrl: env.GHE_HOST
      ? `${env.GHE_PROTOCOL ?? 'https'}://${env.GHE_HOST}`
      : 'https://github.com',
    ...(Number(env.GAUNTLET_RERUN_CONFIRM) > 0
      ? { rerunConfirm: Math.min(50, Math.floor(Number(env.GAUNTLET_RERUN_CONFIRM))) }
      : {}),
  };
}
