import { Writable } from 'node:stream';

/** Output kept per exec stream; an agent printing forever must not exhaust the host. */
export const MAX_EXEC_OUTPUT = 64 * 1024 * 1024;

/** A sink that keeps the first `max` bytes written to it and drops the rest. */
export function boundedSink(max = MAX_EXEC_OUTPUT) {
  const chunks: Buffer[] = [];
  let size = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (size < max) chunks.push(chunk.subarray(0, max - size));
      size += chunk.length;
      cb();
    },
  });
  return { sink, text: () => Buffer.concat(chunks).toString('utf8') };
}
