import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { schemaJson } from '../config/schemas.js';
import { didYouMean } from '../util/suggest.js';
import { invalid, type ApiError } from './errors.js';

/** The `gauntlet` block of a chat-completions request, as schemas/serve-request.schema.json has it. */
export interface RunbookBlock {
  runbook: true | string;
  agent?: string;
  task?: string;
  files?: string[];
  suite?: string;
}

let compiled: { validate: ValidateFunction; schema: any } | undefined;

function validator() {
  if (!compiled) {
    // The block reuses the suite schema's definitions (names, task ids), so a block and a
    // suite file accept the same values.
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addSchema(schemaJson('defs.schema.json'));
    ajv.addSchema(schemaJson('suite.schema.json'));
    const schema = schemaJson('serve-request.schema.json');
    compiled = { validate: ajv.compile(schema), schema };
  }
  return compiled;
}

const dotted = (pointer: string) =>
  pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');

/** What a field must be, in words: the description the schema gives it, else ajv's message. */
function describe(schema: any, field: string): string | undefined {
  const m = /^gauntlet\.([a-z]+)(\.\d+)?$/.exec(field);
  if (m) {
    const p = schema.$defs.block.properties[m[1]];
    if (m[2]) return schema.$defs.repoPath.description;
    return p?.description;
  }
  return schema.properties[field]?.description;
}

/** ajv reports each failed branch of an anyOf; one error per field is what a person acts on. */
function firstPerField(errors: ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>();
  const out: ErrorObject[] = [];
  for (const e of errors) {
    const key =
      e.keyword === 'additionalProperties'
        ? `${e.instancePath}/${(e.params as { additionalProperty: string }).additionalProperty}`
        : e.keyword === 'required'
          ? `${e.instancePath}/${(e.params as { missingProperty: string }).missingProperty}`
          : e.instancePath;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  return out;
}

function sentence(schema: any, e: ErrorObject): { field: string; text: string } {
  const at = dotted(e.instancePath);
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    const field = at ? `${at}.${missing}` : missing;
    const what = describe(schema, field);
    return { field, text: `${field} is required${what ? `: ${what}` : ''}` };
  }
  if (e.keyword === 'additionalProperties') {
    const key = (e.params as { additionalProperty: string }).additionalProperty;
    const allowed = Object.keys(schema.$defs.block.properties);
    const guess = didYouMean(key, allowed);
    return {
      field: `${at}.${key}`,
      text:
        `${at}: unknown field "${key}"` +
        (guess ? `; did you mean "${guess}"?` : `; the fields are ${allowed.join(', ')}`),
    };
  }
  const what = describe(schema, at);
  return { field: at, text: `${at || 'the body'}: ${what ? `must be ${what}` : e.message}` };
}

/**
 * Validates a chat-completions body against schemas/serve-request.schema.json. The error is a
 * 400 whose `param` names the first field at fault and whose message names every one.
 */
export function checkRequest(body: unknown): ApiError | undefined {
  const { validate, schema } = validator();
  if (validate(body)) return undefined;
  const parts = firstPerField(validate.errors ?? []).map((e) => sentence(schema, e));
  return invalid(parts.map((p) => p.text).join('; '), parts[0]?.field ?? null);
}
