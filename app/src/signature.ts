import { createHmac, timingSafeEqual } from 'node:crypto';

const SHAPE = /^sha256=([0-9a-f]{64})$/;

/**
 * GitHub signs the raw body: X-Hub-Signature-256 is `sha256=` + the hex HMAC-SHA256 of the
 * bytes as sent, keyed by the webhook secret. Compared in constant time, so a forger cannot
 * learn the digest byte by byte from response times.
 */
export function signatureMatches(
  secret: string,
  body: Buffer,
  header: string | undefined,
): boolean {
  const m = SHAPE.exec(header ?? '');
  if (!m || !secret) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(m[1]!, 'hex'));
}

/** Whether a header could be a signature at all: checked before the body is read. */
export function looksLikeSignature(header: string | undefined): boolean {
  return SHAPE.test(header ?? '');
}
