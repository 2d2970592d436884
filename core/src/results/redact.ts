/**
 * Removes every secret value from text before it is stored, logged, shown or sent to a model:
 * the raw value and its JSON-escaped (once and twice), URL-encoded, hex (lower and upper) and
 * base64/base64url forms. Base64 is matched at each of the three byte alignments, so a secret
 * inside a longer blob is caught, and the characters at its edges that still carry some of the
 * secret's bits are masked with it. What no redactor can catch (a reversed, split or otherwise
 * re-encoded value) is listed in the README; the rule is honesty over a promise.
 */
export const MASK = '***';

function base64Forms(secret: string): string[] {
  const out: string[] = [];
  const bytes = Buffer.from(secret);
  for (let pad = 0; pad < 3; pad++) {
    const enc = Buffer.concat([Buffer.alloc(pad), bytes]).toString('base64');
    // Drop characters influenced by the padding prefix or by whatever follows the secret.
    const start = Math.ceil((pad * 4) / 3) + (pad ? 1 : 0);
    const end = Math.floor(((pad + bytes.length) * 4) / 3) - 1;
    const core = enc.slice(start, end).replace(/=+$/, '');
    if (core.length >= 8) out.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return out;
}

export function secretForms(secret: string): string[] {
  const forms = new Set<string>([secret]);
  const hex = Buffer.from(secret).toString('hex');
  forms.add(hex);
  forms.add(hex.toUpperCase());
  forms.add(JSON.stringify(secret).slice(1, -1));
  forms.add(JSON.stringify(JSON.stringify(secret).slice(1, -1)).slice(1, -1));
  forms.add(encodeURIComponent(secret));
  forms.add(encodeURIComponent(secret).replace(/%20/g, '+'));
  for (const b of base64Forms(secret)) forms.add(b);
  return [...forms].filter((f) => f.length >= 4).sort((a, b) => b.length - a.length);
}

const B64 = '[A-Za-z0-9+/_-]';
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

export class Redactor {
  private forms: string[] = [];
  /** Base64 cores, matched with the up to 2 leading and 3 trailing characters they touch. */
  private b64: { core: string; re: RegExp }[] = [];

  constructor(secrets: Iterable<string> = []) {
    for (const s of secrets) this.add(s);
  }

  add(secret: string) {
    if (!secret || secret.length < 4) return;
    this.forms = [...new Set([...this.forms, ...secretForms(secret)])].sort(
      (a, b) => b.length - a.length,
    );
    for (const core of base64Forms(secret)) {
      if (this.b64.some((b) => b.core === core)) continue;
      this.b64.push({ core, re: new RegExp(`${B64}{0,2}${escapeRe(core)}${B64}{0,3}={0,2}`, 'g') });
    }
  }

  text(s: string): string {
    let out = s;
    // Base64 first, edges included: a plain-form pass first would leave `***DI=` behind.
    for (const b of this.b64) if (out.includes(b.core)) out = out.replace(b.re, MASK);
    for (const f of this.forms) if (out.includes(f)) out = out.split(f).join(MASK);
    return out;
  }

  /** Whether any form of any secret occurs in the text. */
  finds(s: string): boolean {
    return this.forms.some((f) => s.includes(f));
  }

  /** Whether any form of any secret occurs in bytes (a binary file: its UTF-8 forms). */
  findsIn(data: Buffer): boolean {
    return this.forms.some((f) => data.includes(f));
  }

  /** Redacts a value by its JSON text, so nothing nested escapes. */
  value<T>(v: T): T {
    return JSON.parse(this.text(JSON.stringify(v))) as T;
  }
}
