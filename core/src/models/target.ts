import type { PriceTable } from './prices.js';
import type { WireFormat } from './wire.js';

/** A model the host calls on the engine's own behalf (the judge), through its loopback relay. */
export interface ModelTarget {
  model: string;
  format: WireFormat;
  /** The host relay (loopback), which holds the provider key and records the call. */
  baseUrl: string;
  token: string;
  prices: PriceTable;
  /** The suite's redactor: every prompt is passed through it, so no secret reaches the model. */
  redact?: (text: string) => string;
}
