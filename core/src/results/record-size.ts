import type { RunRecord } from './record.js';
import { boundJson, clipText, noCut, wasCut, type Cut } from '../util/bounded.js';

/**
 * How big a run record may get. Everything an agent or a model produced is bounded where it
 * enters (the gateway's budgets, the report readers), and fitRecord is the last guard.
 */

/** A run record on disk (pretty-printed JSON) stays under this. */
export const RECORD_MAX_BYTES = 8 * 1024 * 1024;

/** Per-run budgets, in characters, for what the agent's process reports. */
export const OUTCOME_BUDGETS = {
  finalResponse: 256 * 1024,
  stepsBytes: 1024 * 1024,
  tail: 8000,
};

const SECTION_BUDGETS = {
  trajectory: 3 * 1024 * 1024,
  diff: 1100 * 1024,
  /** 1,000 entries (artifacts.max_files at most) of the longest paths and notes fit. */
  artifacts: 1536 * 1024,
  rest: 1024 * 1024,
};

/**
 * The last guard before a record is stored: every section within its budget, nothing nested
 * deeper than MAX_DEPTH, and the pretty-printed file under RECORD_MAX_BYTES (budgets halve
 * until it is). What is cut is named in a soft warning.
 */
export function fitRecord(record: RunRecord): RunRecord {
  for (let scale = 1; ; scale /= 2) {
    const cut: Cut = noCut();
    const { trajectory, diff, final_response, artifacts, ...rest } = record;
    const keptRest = boundJson(
      rest,
      { maxString: 64 * 1024, maxTotal: SECTION_BUDGETS.rest * scale },
      cut,
    ) as typeof rest;
    const out: RunRecord = {
      ...keptRest,
      final_response:
        final_response === null
          ? null
          : clipText(final_response, Math.floor(OUTCOME_BUDGETS.finalResponse * scale), cut),
      trajectory: boundJson(
        trajectory,
        { maxString: 64 * 1024, maxTotal: SECTION_BUDGETS.trajectory * scale },
        cut,
      ) as RunRecord['trajectory'],
      diff: diff === null ? null : clipText(diff, Math.floor(SECTION_BUDGETS.diff * scale), cut),
      // Its own budget: a long list of files cannot push provenance or debug out of the record.
      artifacts: boundJson(
        artifacts,
        { maxString: 4 * 1024, maxTotal: SECTION_BUDGETS.artifacts * scale },
        cut,
      ) as RunRecord['artifacts'],
    };
    // Keep the record's own key order: people read these files.
    const ordered = Object.fromEntries(
      Object.keys(record).map((k) => [k, out[k as keyof RunRecord]]),
    ) as unknown as RunRecord;
    if (wasCut(cut)) {
      ordered.soft_warnings = [
        ...(ordered.soft_warnings ?? []),
        `the record was cut to fit its size limit (${cut.bytes} characters, ${cut.items} items and ${cut.deep} over-nested values dropped)`,
      ];
    }
    if (Buffer.byteLength(JSON.stringify(ordered, null, 2)) < RECORD_MAX_BYTES || scale < 1 / 64)
      return ordered;
  }
}
