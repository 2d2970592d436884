import { parse } from 'yaml';

/**
 * Whether this workflow run may execute the code under evaluation with the secrets it has.
 * Pure: the event and the actor's permission in, a decision out; decided before any sandbox.
 */

export type TriggerDecision = { ok: true } | { ok: false; reason: string };

/** Events whose runs carry secrets yet can be set off by people outside the repository. */
const OUTSIDER_EVENTS = new Set([
  'pull_request_target',
  'workflow_run',
  'issue_comment',
  'pull_request_review',
  'pull_request_review_comment',
  'discussion',
  'discussion_comment',
]);

export function needsPermissionCheck(eventName: string): boolean {
  return OUTSIDER_EVENTS.has(eventName);
}

interface Payload {
  repository?: { full_name?: string };
  pull_request?: { head?: { repo?: { full_name?: string } | null } };
  workflow_run?: { head_repository?: { full_name?: string } | null; event?: string };
}

export function checkTrigger(
  eventName: string,
  payload: Payload,
  opts: { allowDangerous: boolean; actor?: string; actorPermission?: string },
): TriggerDecision {
  if (opts.allowDangerous) return { ok: true };
  const repo = payload.repository?.full_name;
  const optIn = 'if you have reviewed what this runs, set allow-dangerous-triggers: true';
  if (eventName === 'pull_request_target') {
    const head = payload.pull_request?.head?.repo?.full_name;
    if (!head || head !== repo)
      return {
        ok: false,
        reason: `refusing pull_request_target from ${head ?? 'a deleted fork'}: it would run fork code with this repository's secrets. Use the pull_request event for forks (no secrets; the scripted model or cassettes still grade), or ${optIn}`,
      };
  }
  if (eventName === 'workflow_run') {
    const head = payload.workflow_run?.head_repository?.full_name;
    if (!head || head !== repo)
      return {
        ok: false,
        reason: `refusing workflow_run triggered from ${head ?? 'an unknown repository'}: it would run fork code with this repository's secrets; ${optIn}`,
      };
  }
  if (needsPermissionCheck(eventName)) {
    const p = opts.actorPermission ?? 'none';
    if (p !== 'admin' && p !== 'write' && p !== 'maintain')
      return {
        ok: false,
        reason: `refusing ${eventName} set off by ${opts.actor ?? 'an unknown actor'}, who has ${p} permission on ${repo}; evaluations with secrets need write permission. ${optIn}`,
      };
  }
  return { ok: true };
}

/** A warning when neither the workflow nor the job narrows the token's permissions. */
export function permissionsWarning(
  workflowYaml: string,
  job: string | undefined,
): string | undefined {
  let doc: { permissions?: unknown; jobs?: Record<string, { permissions?: unknown }> };
  try {
    doc = parse(workflowYaml) ?? {};
  } catch {
    return undefined;
  }
  if (doc.permissions !== undefined) return undefined;
  if (job && doc.jobs?.[job]?.permissions !== undefined) return undefined;
  return 'this workflow sets no permissions:, so its token gets the repository default (often write-all). Add `permissions: { contents: write }` (contents: write is what the results branch needs; add checks: write only if other steps need it).';
}
