import { RunFailure } from '../results/run-failure.js';
import type { RunError } from '../results/record.js';

/** The phases of one run, in the order the lifecycle takes them (DESIGN.md §3). */
export type PhaseName =
  'resolve' | 'image' | 'open' | 'seed' | 'turns' | 'collect' | 'grade' | 'record';

/**
 * Times each phase of a run and classifies what it throws, in one place: a RunFailure is the
 * run's own error, anything else is gauntlet's and named for the phase it broke. The first
 * failure is the run's; later phases that still run (collect, grade, record) cannot replace it.
 */
export class PhaseClock {
  readonly ms: Record<string, number> = {};
  error: RunError | null = null;

  /** `onPhase` hears each phase start (ms undefined) and end (its ms); it must not throw. */
  constructor(private readonly onPhase?: (name: PhaseName, ms?: number) => void) {}

  async run<T>(name: PhaseName, body: () => Promise<T>): Promise<T> {
    const t0 = Date.now();
    this.onPhase?.(name);
    try {
      return await body();
    } catch (e) {
      throw this.classify(name, e);
    } finally {
      const ms = Date.now() - t0;
      this.ms[`${name}_ms`] = (this.ms[`${name}_ms`] ?? 0) + ms;
      this.onPhase?.(name, ms);
    }
  }

  /** The run's error for what a phase threw; the first one recorded stays. */
  private classify(name: PhaseName, e: unknown): RunFailure {
    const f =
      e instanceof RunFailure
        ? e
        : new RunFailure({
            class: 'internal_error',
            code: `${name}_phase_failed`,
            message: `gauntlet failed in the ${name} phase: ${String((e as Error)?.message ?? e).slice(0, 500)}`,
            detail: String((e as Error)?.stack ?? '').slice(0, 4000),
          });
    this.error ??= f.error;
    return f;
  }
}
