/**
 * Webhook work runs after the delivery is answered (GitHub waits 10 s at most), and each
 * delivery id at most once: GitHub redelivers on timeouts and people press "Redeliver".
 */
export class DeliveryQueue {
  private readonly seen = new Map<string, number>();
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly onError: (id: string, e: unknown, event: string) => void,
    private readonly remember = 10_000,
  ) {}

  /** Returns false when this delivery was already taken. */
  push(deliveryId: string, work: () => Promise<void>, event = ''): boolean {
    if (this.seen.has(deliveryId)) return false;
    this.seen.set(deliveryId, Date.now());
    if (this.seen.size > this.remember) this.seen.delete(this.seen.keys().next().value!);
    const p: Promise<void> = new Promise<void>((r) => setImmediate(r))
      .then(work)
      .catch((e) => this.onError(deliveryId, e, event))
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
    return true;
  }

  /** Resolves when every accepted delivery has been processed (tests, graceful shutdown). */
  async drain(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }
}
