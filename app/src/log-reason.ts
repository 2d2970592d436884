/**
 * What the App may write about a delivery: its event name, its id and a short reason. Never an
 * error object as such: Octokit's errors carry request and response bodies, and
 * @octokit/webhooks hangs the whole payload on the errors it raises.
 */
export interface DeliveryLine {
  event: string;
  delivery: string;
  reason: string;
}

const MAX_FIELD = 300;

/** Header values come from whoever sent the request: bounded, printable. */
export function clip(s: string | undefined, max = MAX_FIELD): string {
  const flat = (s ?? '').replace(/[^\x20-\x7e]/g, '?');
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** An error as a one-line reason: its class, an HTTP status if it has one, and its message. */
export function reasonOf(e: unknown): string {
  if (!(e instanceof Error)) return clip(String(e));
  const status = (e as { status?: unknown }).status;
  return clip(`${e.name}${typeof status === 'number' ? ` ${status}` : ''}: ${e.message}`);
}

export function deliveryLine(
  event: string | undefined,
  delivery: string | undefined,
  reason: string,
): DeliveryLine {
  return { event: clip(event, 100), delivery: clip(delivery, 100), reason: clip(reason) };
}
