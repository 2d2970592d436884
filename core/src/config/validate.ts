import type { ErrorObject, ValidateFunction } from 'ajv';
import { didYouMean } from '../util/suggest.js';
import type { ConfigIssue } from './errors.js';
import { validatorFor, type Kind } from './schemas.js';
import { pointerToPath, type YamlFile } from './yaml-file.js';

const KIND_HINT: Record<string, string> = {
  '/': 'declare exactly one of `python`, `command` or `http` for how the agent runs',
};

/** Validates a parsed file against its kind's schema; returns issues with positions. */
export function validateAgainstSchema(kind: Kind, yf: YamlFile, value: unknown): ConfigIssue[] {
  const validate = validatorFor(kind);
  if (validate(value)) return [];
  return simplify(validate.errors ?? []).map((e) => toIssue(kind, yf, e));
}

/**
 * Validates a value found at `prefix` within a file (an imported tool in its JSON file) with
 * a compiled schema, with the same issue wording and positions as whole-file validation.
 */
export function validateWith(
  validate: ValidateFunction,
  kind: Kind,
  yf: YamlFile,
  value: unknown,
  prefix: (string | number)[],
): ConfigIssue[] {
  if (validate(value)) return [];
  const at = prefix.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
  return simplify(validate.errors ?? []).map((e) =>
    toIssue(kind, yf, { ...e, instancePath: at + e.instancePath }),
  );
}

/** ajv reports every failed branch of anyOf/oneOf; keep the errors a person can act on. */
function simplify(errors: ErrorObject[]): ErrorObject[] {
  const deeper = (e: ErrorObject) =>
    errors.some(
      (o) =>
        o !== e &&
        o.keyword !== e.keyword &&
        (o.instancePath + '/').startsWith(e.instancePath + '/') &&
        // Any error further down is the one to act on (`judge.samples: must be integer`); at
        // the same place, only one that is not itself an alternative's mismatch.
        (o.instancePath !== e.instancePath ||
          !['anyOf', 'oneOf', 'type', 'const', 'if'].includes(o.keyword)),
    );
  let out = errors.filter((e) => {
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf')
      return !deeper(e) || (e.instancePath === '' && e.keyword === 'oneOf');
    if (e.keyword === 'type' || e.keyword === 'const') return !deeper(e);
    return true;
  });
  // A oneOf at the root over `required` branches: report it once, not per branch.
  if (out.some((e) => e.keyword === 'oneOf' && e.instancePath === '')) {
    out = out.filter(
      (e) => !(e.keyword === 'required' && e.instancePath === '' && e.schemaPath.includes('oneOf')),
    );
  }
  const seen = new Set<string>();
  return out.filter((e) => {
    const k = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
}

function toIssue(kind: Kind, yf: YamlFile, e: ErrorObject): ConfigIssue {
  const path = pointerToPath(e.instancePath);
  const field = path.join('.');
  const base = { file: yf.file, field };
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {});
      const guess = didYouMean(key, allowed);
      return {
        ...base,
        ...yf.pos([...path, key], true),
        code: 'unknown_key',
        field: [...path, key].join('.'),
        message: `unknown key "${key}"${guess ? `; did you mean "${guess}"?` : ''}`,
        fix: guess
          ? `rename "${key}" to "${guess}"`
          : `remove "${key}"; allowed keys here: ${allowed.join(', ')}`,
      };
    }
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      return {
        ...base,
        ...yf.pos(path),
        code: 'missing_field',
        field: [...path, missing].join('.'),
        message: `missing required field "${missing}"`,
        fix: `add "${missing}:"`,
      };
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      const guess = didYouMean(String(e.data), allowed.map(String));
      return {
        ...base,
        ...yf.pos(path),
        code: 'invalid_value',
        message: `${JSON.stringify(e.data)} is not one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}${guess ? `; did you mean ${JSON.stringify(guess)}?` : ''}`,
        fix: `use one of ${allowed.join(', ')}`,
      };
    }
    case 'const':
      return {
        ...base,
        ...yf.pos(path),
        code: 'invalid_value',
        message: `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`,
        fix: `set it to ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`,
      };
    case 'oneOf':
      return {
        ...base,
        ...yf.pos(path),
        code: 'invalid_shape',
        message:
          KIND_HINT[e.instancePath || '/'] && kind === 'agent' && e.instancePath === ''
            ? KIND_HINT['/']
            : 'matches none or several of the allowed shapes',
        fix: 'see the README section for this field',
      };
    case 'not':
      return {
        ...base,
        ...yf.pos(path),
        code: 'invalid_shape',
        message:
          kind === 'suite'
            ? 'use either `agent` or `agents`, not both'
            : 'this combination of fields is not allowed',
        fix: 'remove one of them',
      };
    case 'pattern': {
      const desc = (e.parentSchema as { description?: string })?.description;
      return {
        ...base,
        ...yf.pos(path),
        code: 'invalid_value',
        message: `${JSON.stringify(e.data)} is not valid${desc ? `: ${desc}` : ` (must match ${(e.params as { pattern: string }).pattern})`}`,
        fix: desc ? `use ${desc}` : 'correct the value',
      };
    }
    default: {
      // A schema's description says what the value should be; scalars are quoted back.
      const desc = (e.parentSchema as { description?: string })?.description;
      const scalar = e.data === null || typeof e.data !== 'object';
      const shown = scalar ? `${JSON.stringify(e.data)?.slice(0, 80)}: ` : '';
      return {
        ...base,
        ...yf.pos(path),
        code: 'invalid_value',
        message: `${shown}${e.message ?? 'invalid'}`,
        fix: desc ? `use ${desc}` : 'correct the value',
      };
    }
  }
}
