import { newId } from '../../util/hash.js';
import { GEMINI_PATH, type ReplyBlock, type Usage } from '../wire.js';
import { halves, json, sse, startSse, type Dialect } from './types.js';

/**
 * Gemini API (`POST /v1beta/models/{model}:generateContent | :streamGenerateContent |
 * :countTokens`), the wire Gemini CLI speaks. The model and the method are in the path.
 */

function partText(p: any): string {
  if (typeof p?.text === 'string' && !p.thought) return p.text;
  if (p?.functionResponse) return JSON.stringify(p.functionResponse.response ?? {});
  return '';
}

const contentText = (c: any) =>
  Array.isArray(c?.parts) ? c.parts.map(partText).filter(Boolean).join('\n') : '';

type Part = {
  text?: string;
  thought?: boolean;
  functionCall?: { name: string; args: Record<string, unknown> };
};

function parts(blocks: ReplyBlock[]): Part[] {
  return blocks.map((b) => {
    if (b.type === 'thinking') return { text: b.thinking, thought: true };
    if (b.type === 'text') return { text: b.text };
    return { functionCall: { name: b.name, args: b.input } };
  });
}

const usageOf = (u: Usage) => ({
  promptTokenCount: u.input_tokens,
  candidatesTokenCount: u.output_tokens,
  totalTokenCount: u.input_tokens + u.output_tokens,
});

function chunk(model: string, id: string, ps: unknown[], finish?: string, usage?: Usage) {
  return {
    candidates: [
      {
        content: { role: 'model', parts: ps },
        index: 0,
        ...(finish ? { finishReason: finish } : {}),
      },
    ],
    ...(usage ? { usageMetadata: usageOf(usage) } : {}),
    modelVersion: model,
    responseId: id,
  };
}

const STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

export const gemini: Dialect = {
  id: 'gemini',
  read(body, raw, path) {
    const m = GEMINI_PATH.exec(path);
    const contents: any[] = Array.isArray(body.contents) ? body.contents : [];
    const users = contents.filter((c) => c.role !== 'model');
    return {
      model: m?.[2] ?? '',
      stream: m?.[3] === 'streamGenerateContent',
      raw,
      includeUsage: true,
      customTools: new Set(),
      system: contentText(body.systemInstruction ?? body.system_instruction),
      lastUser: contentText(users[users.length - 1]),
      turn: contents.filter((c) => c.role === 'model').length,
    };
  },
  utility(res, path, raw) {
    if (GEMINI_PATH.exec(path)?.[3] !== 'countTokens') return false;
    json(res, 200, { totalTokens: Math.ceil(raw.length / 4) });
    return true;
  },
  reply(res, req, blocks, usage) {
    const id = newId();
    const ps = parts(blocks);
    if (!req.stream) return json(res, 200, chunk(req.model, id, ps, 'STOP', usage));
    // One chunk per part, text split in two; usage and finishReason on the last.
    startSse(res);
    const pieces = ps.flatMap((p): Part[] =>
      p.text !== undefined ? halves(p.text).map((t) => ({ ...p, text: t })) : [p],
    );
    pieces.forEach((p, i) =>
      sse(
        res,
        undefined,
        chunk(
          req.model,
          id,
          [p],
          i === pieces.length - 1 ? 'STOP' : undefined,
          i === pieces.length - 1 ? usage : undefined,
        ),
      ),
    );
    if (!pieces.length) sse(res, undefined, chunk(req.model, id, [{ text: '' }], 'STOP', usage));
    res.end();
  },
  error(res, status, _type, message) {
    json(res, status, { error: { code: status, message, status: STATUS[status] ?? 'UNKNOWN' } });
  },
};
