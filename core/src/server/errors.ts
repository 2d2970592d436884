import type { ServerResponse } from 'node:http';

/**
 * OpenAI's error body, which every client library parses: `{error: {message, type, param,
 * code}}`. `param` names the request field at fault (dotted, `gauntlet.agent`), or null.
 */
export interface ApiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** An error answered before any response byte went out: a plain HTTP status and body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): ApiErrorBody {
    return errorBody(this.message, this.type, this.code, this.param);
  }
}

export function errorBody(
  message: string,
  type: string,
  code: string | null = null,
  param: string | null = null,
): ApiErrorBody {
  return { error: { message, type, param, code } };
}

/** 400 invalid_request_error naming the field at fault. */
export const invalid = (message: string, param: string | null = null, code = 'invalid_value') =>
  new ApiError(400, 'invalid_request_error', message, code, param);

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  res
    .writeHead(status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      ...headers,
    })
    .end(text);
}

export function sendApiError(res: ServerResponse, e: ApiError) {
  sendJson(res, e.status, e.body(), e.headers);
}
