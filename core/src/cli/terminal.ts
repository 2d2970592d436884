/**
 * Colour only for a terminal that asks for it: the stream is a TTY, NO_COLOR is unset or empty
 * (no-color.org) and TERM is not "dumb". Piped or redirected output never carries colour.
 */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
}
