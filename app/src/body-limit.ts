import type { IncomingMessage } from 'node:http';

/** GitHub caps webhook payloads at 25 MB and does not deliver larger ones. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

export type CappedBody = { body: Buffer } | { tooLarge: true; bytesRead: number };

/**
 * Reads a request body, counting bytes as they arrive and stopping at the cap: past it the
 * stream is paused and left unread (the caller answers 413 and closes), so a chunked body with
 * no Content-Length costs at most `max` bytes plus one chunk, never the whole upload.
 */
export function readCappedBody(req: IncomingMessage, max: number): Promise<CappedBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytesRead = 0;
    const stop = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer) => {
      bytesRead += chunk.length;
      if (bytesRead <= max) return void chunks.push(chunk);
      stop();
      req.pause();
      chunks.length = 0;
      resolve({ tooLarge: true, bytesRead });
    };
    const onEnd = () => {
      stop();
      resolve({ body: Buffer.concat(chunks, bytesRead) });
    };
    const onError = (e: Error) => {
      stop();
      reject(e);
    };
    const onAborted = () => onError(new Error('the client closed the connection mid-body'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}
