/**
 * Removes every secret value from text before it is stored, logged or shown: the raw value
 * and its JSON-escaped, URL-encoded and base64 forms (at each of the three byte alignments,
 * so a secret inside a longer base64 blob is caught too).
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
  forms.add(JSON.stringify(secret).slice(1, -1));
  forms.add(JSON.stringify(JSON.stringify(secret).slice(1, -1)).slice(1, -1));
  forms.add(encodeURIComponent(secret));
  forms.add(encodeURIComponent(secret).replace(/%20/g, '+'));
  for (const b of base64Forms(secret)) forms.add(b);
  return [...forms].filter((f) => f.length >= 4).sort((a, b) => b.length - a.length);
}

export class Redactor {
  private forms: string[] = [];

  constructor(secrets: Iterable<string> = []) {
    for (const s of secrets) this.add(s);
  }

  add(secret: string) {
    if (!secret || secret.length < 4) return;
    this.forms = [...new Set([...this.forms, ...secretForms(secret)])].sort((a, b) => b.length - a.length);
  }

  text(s: string): string {
    let out = s;
    for (const f of this.forms) if (out.includes(f)) out = out.split(f).join(MASK);
    return out;
  }

  /** Whether any form of any secret occurs in the text. */
  finds(s: string): boolean {
    return this.forms.some((f) => s.includes(f));
  }

  /** Redacts a value by its JSON text, so nothing nested escapes. */
  value<T>(v: T): T {
    return JSON.parse(this.text(JSON.stringify(v))) as T;
  }
}
