/**
 * mulberry32: a small, well-known 32-bit generator (uniform floats in [0, 1)). Not for secrets;
 * chosen because it is tiny, fast and gives the same sequence on every platform, so whatever
 * is drawn from a seed (failure rules, hostile test inputs, simulations) can be drawn again.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
