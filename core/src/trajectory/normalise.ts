import type { ModelCall } from '../models/wire.js';
import { normaliseAiderHistory } from './aider.js';
import { normaliseClaudeStream } from './claude.js';
import { normaliseCodexJson, patchesFromCalls } from './codex.js';
import { normaliseCursorStream } from './cursor.js';
import { normaliseGeminiStream } from './gemini.js';
import type { NormalisedTranscript } from './steps.js';

/** The native transcript formats gauntlet reads, one normaliser each. */
export type TranscriptFormat =
  | 'claude-stream-json'
  | 'codex-json'
  | 'cursor-stream-json'
  | 'gemini-stream-json'
  | 'aider-history';

/**
 * The normaliser for each preset's native transcript. `session_id` is always set: the CLI's
 * own session id (a validated UUID) for CLIs that announce one, else null.
 */
export function normaliseTranscript(
  kind: TranscriptFormat,
  transcript: string,
  modelCalls: ModelCall[] = [],
): NormalisedTranscript & { session_id: string | null } {
  const n = normalised(kind, transcript, modelCalls);
  return { ...n, session_id: n.session_id ?? null };
}

function normalised(
  kind: TranscriptFormat,
  transcript: string,
  modelCalls: ModelCall[],
): NormalisedTranscript {
  switch (kind) {
    case 'claude-stream-json':
      return normaliseClaudeStream(transcript);
    case 'codex-json':
      return normaliseCodexJson(transcript, { patches: patchesFromCalls(modelCalls) });
    case 'gemini-stream-json':
      return normaliseGeminiStream(transcript, {
        toolResults: modelCalls.flatMap((c) => c.tool_results ?? []),
      });
    case 'cursor-stream-json':
      return normaliseCursorStream(transcript);
    case 'aider-history':
      return normaliseAiderHistory(transcript);
  }
}
