import type { Context } from 'probot';

/** The installation-authenticated client Probot hands each handler. */
export type Octokit = Context['octokit'];

export interface AppSettings {
  /** Branch the Action pushes records to. */
  resultsBranch: string;
  /** https://github.com or a GHES base, for links. */
  serverUrl: string;
}

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): AppSettings {
  return {
    resultsBranch: env.GAUNTLET_RESULTS_BRANCH || 'gauntlet-results',
    serverUrl: env.GHE_HOST
      ? `${env.GHE_PROTOCOL ?? 'https'}://${env.GHE_HOST}`
      : 'https://github.com',
  };
}
