/** Runbook runs in flight against their cap: each holds a sandbox until it ends. */
export class RunSlots {
  private inFlight = 0;
  private waiters: (() => void)[] = [];

  constructor(readonly max: number) {}

  /** A slot, or false when all are taken. */
  take(): boolean {
    if (this.inFlight >= this.max) return false;
    this.inFlight++;
    return true;
  }

  give() {
    this.inFlight--;
    if (this.inFlight === 0) for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves when no run is in flight (at once if none is). */
  idle(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((r) => this.waiters.push(r));
  }
}
