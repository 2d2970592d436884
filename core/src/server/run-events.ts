import { artifactPath } from './runs.js';
import type { ArtifactEntry, RunRecord } from '../results/record.js';
import { boundJson, noCut } from '../util/bounded.js';
import type { LaunchEvent } from './launch.js';

const MESSAGE_CHARS = 2000;
const STEP_BOUNDS = { maxString: 2000, maxTotal: 8 * 1024 };

/** What a client sees of one run event: a line of text, and the event as structure. */
export interface EventView {
  text: string;
  event: Record<string, unknown>;
}

const clip = (s: string) => (s.length > MESSAGE_CHARS ? `${s.slice(0, MESSAGE_CHARS)}…` : s);

/**
 * A run event as a client sees it: plain text for `delta.reasoning_content` and a bounded
 * object for the `gauntlet.event` vendor field. The record itself is never streamed whole
 * (GET /v1/runs/{id} has it); `redact` removes secrets from every string.
 */
export function viewEvent(e: LaunchEvent, redact: (s: string) => string): EventView | undefined {
  const r = (s: string) => clip(redact(s));
  switch (e.type) {
    case 'suite_start':
      return {
        text: `suite ${e.suite}: run started`,
        event: { type: e.type, suite: e.suite, suite_run_id: e.suiteRunId },
      };
    case 'run_start':
      return {
        text: `run ${e.runId}: ${e.agent} on task ${e.task}`,
        event: { type: e.type, run_id: e.runId, task: e.task, agent: e.agent },
      };
    case 'log':
      return { text: r(e.message), event: { type: e.type, message: r(e.message) } };
    case 'progress': {
      const step = e.step
        ? JSON.parse(redact(JSON.stringify(boundJson(e.step, STEP_BOUNDS, noCut()))))
        : undefined;
      return {
        text: `${e.phase ? `[${e.phase}] ` : ''}${r(e.message)}`,
        event: {
          type: e.type,
          run_id: e.runId,
          ...(e.phase ? { phase: e.phase } : {}),
          ...(step ? { step } : {}),
          message: r(e.message),
        },
      };
    }
    case 'run_end':
      return {
        text: `run ${e.record.id}: ${e.record.status}`,
        event: { type: e.type, ...runSummary(e.record) },
      };
    case 'suite_end':
      return undefined;
    default:
      return undefined;
  }
}

/** The run as the vendor field carries it: where its record is, how it ended. */
export function runSummary(record: RunRecord, baseUrl?: string) {
  const path = `/v1/runs/${encodeURIComponent(record.id)}`;
  return {
    run_id: record.id,
    suite_run_id: record.suite_run_id,
    path,
    ...(baseUrl ? { url: baseUrl + path } : {}),
    status: record.status,
    verdict: record.verdict,
    overall: record.overall,
    error: record.error
      ? {
          class: record.error.class,
          code: record.error.code ?? null,
          message: clip(record.error.message),
        }
      : null,
    artifacts: artifactsOf(record, baseUrl),
  };
}

/**
 * The run's artifacts with where to fetch each stored one (seed 002: results with file URLs):
 * path, size, type, and `path`/`url` of GET /v1/runs/{id}/artifacts/{path}; a file that was
 * not stored says why instead.
 */
/** One artifact as a client sees it: where to fetch it when stored, else why it was not. */
export interface ServedArtifact {
  path: string;
  size: number | null;
  content_type: string | null;
  stored: boolean;
  note?: string | null;
  href?: string;
  url?: string;
}

function artifactsOf(record: RunRecord, baseUrl?: string): ServedArtifact[] {
  const listed: unknown[] = Array.isArray(record.artifacts) ? record.artifacts : [];
  return listed.flatMap((a): ServedArtifact[] => {
    // Records written before artifacts were entries list bare paths, none of them stored.
    const e: Partial<ArtifactEntry> =
      typeof a === 'string' ? { path: a } : typeof a === 'object' && a !== null ? a : {};
    if (typeof e.path !== 'string') return [];
    const common = { path: e.path, size: e.size ?? null, content_type: e.content_type ?? null };
    if (e.stored !== true) return [{ ...common, stored: false, note: e.note ?? null }];
    const href = artifactPath(record.id, e.path);
    return [{ ...common, stored: true, href, ...(baseUrl ? { url: baseUrl + href } : {}) }];
  });
}

/** Tokens as the host saw them: the run's model calls through its gateway. */
export function runUsage(record: RunRecord) {
  let prompt = 0;
  let completion = 0;
  for (const c of record.trajectory.model_calls) {
    prompt += c.input_tokens;
    completion += c.output_tokens;
  }
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
}
