/** The exit status of a run stopped by Ctrl-C or SIGTERM (128 + SIGINT), as shells expect. */
export const INTERRUPTED = 130;

/**
 * Ctrl-C and SIGTERM during a run: the first asks the engine to stop (cancel in flight,
 * write what finished, remove sandboxes and temp dirs); a second one exits at once, leaving
 * the sweep at the next start to clean up. Returns the signal and a function to unhook.
 */
export function onInterrupt(say: (line: string) => void): {
  signal: AbortSignal;
  dispose: () => void;
} {
  const ctl = new AbortController();
  const handler = (sig: NodeJS.Signals) => {
    if (ctl.signal.aborted) {
      say(`gauntlet: ${sig} again: exiting now; the next run sweeps what is left`);
      process.exit(INTERRUPTED);
    }
    say(
      `gauntlet: ${sig}: stopping, cancelling runs in flight and writing what finished (Ctrl-C again to force)`,
    );
    ctl.abort(new Error(`interrupted by ${sig}`));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: ctl.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
