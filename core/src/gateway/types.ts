/**
 * What the gateway saw during one run; merged into the run record's trajectory. The shapes are
 * the stored record's (results/record.ts owns them), so there is one definition of each.
 */
export type { ToolCallRecord, TraceEvent } from '../results/record.js';
