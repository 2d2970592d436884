import { execa } from 'execa';

/** The docker CLI, for image builds: rare, long, and best left to the client's own builder. */
export async function docker(
  args: string[],
  opts: { input?: string; env?: Record<string, string>; reject?: boolean } = {},
) {
  return execa('docker', args, {
    input: opts.input,
    env: opts.env,
    reject: opts.reject ?? true,
    stripFinalNewline: true,
  });
}
