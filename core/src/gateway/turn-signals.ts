/** A turn's end as the in-sandbox harness posted it: its report file's text, when small. */
export interface TurnSignal {
  report?: string;
  /** How many posts came for the turn; the harness makes one. */
  posts: number;
}

/** The turns a live agent process said it finished, and who waits to hear of one. */
export class TurnSignals {
  private readonly done = new Map<number, TurnSignal>();
  private readonly waiters = new Map<number, (signal: TurnSignal) => void>();

  /** Resolves once turn `n` is posted. */
  wait(n: number): Promise<TurnSignal> {
    const seen = this.done.get(n);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.set(n, resolve));
  }

  get(n: number): TurnSignal | undefined {
    return this.done.get(n);
  }

  /** Every post is counted, so a second one (someone else's) shows. */
  post(n: number, report: string | undefined) {
    const seen = this.done.get(n);
    if (seen) seen.posts++;
    else if (this.done.size < 10_000) {
      const signal = { posts: 1, ...(report !== undefined ? { report } : {}) };
      this.done.set(n, signal);
      this.waiters.get(n)?.(signal);
    }
    this.waiters.delete(n);
  }
}
