import type { Preset } from '../agents/command/presets.js';
import type { ModelCall } from '../models/wire.js';
import { normaliseAiderHistory } from './aider.js';
import { normaliseClaudeStream } from './claude.js';
import { normaliseCodexJson, patchesFromCalls } from './codex.js';
import { normaliseCursorStream } from './cursor.js';
import { normaliseGeminiStream } from './gemini.js';
import type { NormalisedTranscript } from './steps.js';

/** The normaliser for each preset's native transcript. */
export function normaliseTranscript(
  kind: Preset['transcript'],
  transcript: string,
  modelCalls: ModelCall[] = [],
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
