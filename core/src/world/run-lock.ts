/**
 * The per-run tool lock: calls are served one at a time, in arrival order. A caller that
 * cannot get it within its wait is told so (503 lock_contention) instead of queueing forever.
 */
export class RunLock {
  private held = false;
  private readonly queue: { grant: () => void }[] = [];

  /** A release function once the lock is held, or null when `waitMs` passed first. */
  acquire(waitMs: number): Promise<(() => void) | null> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve) => {
      const entry = {
        grant: () => {
          clearTimeout(timer);
          resolve(this.releaser());
        },
      };
      const timer = setTimeout(() => {
        this.queue.splice(this.queue.indexOf(entry), 1);
        resolve(null);
      }, waitMs);
      this.queue.push(entry);
    });
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.queue.shift();
      if (next) next.grant();
      else this.held = false;
    };
  }
}
