import { boundJson, noCut, wasCut, type BoundOptions, type Cut } from '../util/bounded.js';

/**
 * What one run may leave in its record through the gateway, in bytes as well as counts: an
 * agent that sends more gets the excess cut (and counted), never an unbounded record.
 */
export const GATEWAY_BUDGETS = {
  traceEvents: {
    count: 5000,
    totalBytes: 1024 * 1024,
    each: { maxString: 16 * 1024, maxTotal: 64 * 1024 },
  },
  toolCalls: { totalBytes: 1024 * 1024, each: { maxString: 16 * 1024, maxTotal: 32 * 1024 } },
  modelCalls: { totalBytes: 1024 * 1024, each: { maxString: 8 * 1024, maxTotal: 32 * 1024 } },
  /** The ledger State kept on each tool-call row; past it rows keep only their Changes. */
  ledgerSnapshots: { totalBytes: 4 * 1024 * 1024 },
} as const;

type Kind = 'trace event' | 'tool call' | 'model call' | 'ledger snapshot';

interface Tally {
  kept: number;
  dropped: number;
  clipped: number;
  cutBytes: number;
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(n < 1024 * 1024 ? 2 : 1)} MiB`;

/** One run's spending against GATEWAY_BUDGETS, and the soft warnings that name what was cut. */
export class RunBudget {
  private readonly tallies = new Map<Kind, Tally>();
  private refusedDeep = 0;
  private refusedLarge = 0;

  private tally(kind: Kind): Tally {
    let t = this.tallies.get(kind);
    if (!t) this.tallies.set(kind, (t = { kept: 0, dropped: 0, clipped: 0, cutBytes: 0 }));
    return t;
  }

  /**
   * Bounds one item and charges it to its kind's total. Returns the kept copy, or undefined
   * when the total is spent (the caller keeps a stub saying so).
   */
  keep(kind: Kind, value: unknown, each: BoundOptions, totalBytes: number): unknown {
    const t = this.tally(kind);
    const cut: Cut = noCut();
    const kept = boundJson(value, each, cut);
    const size = JSON.stringify(kept)?.length ?? 0;
    if (t.kept + size > totalBytes) {
      t.dropped++;
      t.cutBytes += size + cut.bytes;
      return undefined;
    }
    t.kept += size;
    if (wasCut(cut)) {
      t.clipped++;
      t.cutBytes += cut.bytes;
    }
    return kept;
  }

  /**
   * Charges `bytes` of an item kept whole or not at all (a ledger snapshot) to its kind's
   * total: false, and counted as dropped, when it does not fit.
   */
  fits(kind: Kind, bytes: number, totalBytes: number): boolean {
    const t = this.tally(kind);
    if (t.kept + bytes > totalBytes) {
      t.dropped++;
      t.cutBytes += bytes;
      return false;
    }
    t.kept += bytes;
    return true;
  }

  /** Counts an item dropped whole (over a count limit). */
  drop(kind: Kind) {
    this.tally(kind).dropped++;
  }

  refusedNested() {
    this.refusedDeep++;
  }

  refusedBody() {
    this.refusedLarge++;
  }

  /** One line per kind that lost anything, for the record's soft warnings. */
  notes(): string[] {
    const out: string[] = [];
    for (const [kind, t] of this.tallies) {
      if (!t.dropped && !t.clipped) continue;
      const parts = [];
      if (t.clipped) parts.push(`${t.clipped} ${kind}(s) cut to fit their per-item limit`);
      if (t.dropped)
        parts.push(`${t.dropped} ${kind}(s) over the run's budget kept without their content`);
      out.push(
        `${parts.join('; ')} (${mib(t.cutBytes)} cut in all; the ${kind} budget is ${mib(budgetOf(kind))} a run)`,
      );
    }
    if (this.refusedDeep)
      out.push(`${this.refusedDeep} request(s) refused: JSON nested deeper than 64 levels`);
    if (this.refusedLarge)
      out.push(
        `${this.refusedLarge} request(s) refused: body over the gateway's size limit for that route`,
      );
    return out;
  }
}

function budgetOf(kind: Kind): number {
  if (kind === 'trace event') return GATEWAY_BUDGETS.traceEvents.totalBytes;
  if (kind === 'tool call') return GATEWAY_BUDGETS.toolCalls.totalBytes;
  if (kind === 'ledger snapshot') return GATEWAY_BUDGETS.ledgerSnapshots.totalBytes;
  return GATEWAY_BUDGETS.modelCalls.totalBytes;
}
