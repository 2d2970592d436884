import type { EnvValue, SecretRef } from './types.js';

export class SecretUnresolved extends Error {
  readonly code = 'agent_secret_unresolved';
  constructor(
    readonly secretName: string,
    where: string,
  ) {
    super(
      `secret ${secretName} (${where}) is not set; export ${secretName} in the environment (the Action maps repository secrets)`,
    );
  }
}

export function isSecretRef(v: unknown): v is SecretRef {
  return (
    !!v &&
    typeof v === 'object' &&
    typeof (v as SecretRef).secret === 'string' &&
    Object.keys(v).length === 1
  );
}

/** Resolves `{ secret: NAME }` from the environment and remembers every value for redaction. */
export class SecretResolver {
  private readonly resolved = new Set<string>();

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  resolve(ref: SecretRef, where: string): string {
    const v = this.env[ref.secret];
    if (v === undefined || v === '') throw new SecretUnresolved(ref.secret, where);
    this.track(v);
    return v;
  }

  /** A value that is not a config secret but must never be stored either (run tokens, keys). */
  track(value: string) {
    if (value.length >= 4) this.resolved.add(value);
  }

  optional(ref: SecretRef | undefined, where: string): string | undefined {
    if (!ref) return undefined;
    return this.resolve(ref, where);
  }

  envMap(env: Record<string, EnvValue> | undefined, where: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(env ?? {}))
      out[k] = isSecretRef(v) ? this.resolve(v, `${where}.${k}`) : String(v);
    return out;
  }

  values(): string[] {
    return [...this.resolved];
  }
}
