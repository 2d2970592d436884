import type { Provenance } from '../../core/src/index.js';

export interface EventPayload {
  repository?: { full_name?: string; html_url?: string };
  pull_request?: {
    number?: number;
    title?: string;
    head?: { sha?: string; ref?: string; repo?: { full_name?: string } | null };
    base?: { sha?: string; ref?: string };
  };
  workflow_run?: {
    head_repository?: { full_name?: string } | null;
    head_sha?: string;
    event?: string;
  };
  sender?: { login?: string };
}

/**
 * What a run records about where it came from, so the App can find it: the PR, its head and
 * base commits, the workflow run and attempt. Event text (titles, branch names) is data only;
 * nothing here reaches a shell.
 */
export function provenanceFrom(
  env: NodeJS.ProcessEnv,
  eventName: string,
  payload: EventPayload,
): Partial<Provenance> {
  const pr = payload.pull_request;
  return {
    event: eventName,
    repository: env.GITHUB_REPOSITORY,
    commit: pr?.head?.sha ?? env.GITHUB_SHA,
    ref: pr?.head?.ref ?? env.GITHUB_REF,
    ...(pr?.base?.sha ? { base_sha: pr.base.sha } : {}),
    ...(pr?.number ? { pr: pr.number } : {}),
    ...(env.GITHUB_RUN_ID ? { workflow_run: env.GITHUB_RUN_ID } : {}),
    ...(env.GITHUB_RUN_ATTEMPT ? { run_attempt: Number(env.GITHUB_RUN_ATTEMPT) } : {}),
  };
}

/** The git URL of this repository on this GitHub (github.com or an Enterprise Server). */
export function repositoryUrl(env: NodeJS.ProcessEnv): string | undefined {
  if (!env.GITHUB_REPOSITORY) return undefined;
  return `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}.git`;
}
