import type Docker from 'dockerode';
import type { LimitHit } from './driver.js';

const MIB = 1024 * 1024;

/**
 * Enforces a sandbox's disk budget where the storage driver has no quota (overlay2 on ext4,
 * the common case): polls the size of the container's writable layer through the Engine API
 * and kills the container when it passes the budget. Writes between two polls can overshoot
 * the budget by what the disk absorbs in that time; a poll is spaced by at least twice what
 * the last one cost, so a huge layer does not turn the watchdog into the load.
 */
export class DiskWatchdog {
  hit?: LimitHit;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly container: Docker.Container,
    private readonly limitMb: number,
    private readonly by: LimitHit['by'],
    private readonly everyMs: number,
  ) {}

  start(): this {
    this.schedule(this.everyMs);
    return this;
  }

  stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(ms: number) {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick() {
    const t0 = Date.now();
    // `size` is a query parameter the Engine API takes; the typings leave it out.
    const opts = { size: true } as Docker.ContainerInspectOptions;
    const info = await this.container.inspect(opts).catch(() => undefined);
    if (!info || this.stopped) return;
    const used = (info as { SizeRw?: number }).SizeRw ?? 0;
    if (used > this.limitMb * MIB) {
      this.hit = {
        kind: 'disk',
        usedMb: Math.round(used / MIB),
        limitMb: this.limitMb,
        by: this.by,
      };
      this.stop();
      await this.container.kill().catch(() => undefined);
      return;
    }
    this.schedule(Math.max(this.everyMs, 2 * (Date.now() - t0)));
  }
}
