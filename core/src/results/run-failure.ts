import type { RunError } from './record.js';

/**
 * A run's own failure, thrown by the phase that found it and caught once, by the lifecycle,
 * which records it as the run's error: the one way a phase says "this run failed".
 */
export class RunFailure extends Error {
  constructor(readonly error: RunError) {
    super(error.message);
    this.name = 'RunFailure';
  }
}

export const failure = (
  cls: RunError['class'],
  code: string,
  message: string,
  detail?: string,
): RunFailure => new RunFailure({ class: cls, code, message, ...(detail ? { detail } : {}) });
