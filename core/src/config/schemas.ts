import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { packageRoot } from '../util/paths.js';

export type Kind = 'agent' | 'suite' | 'scenario' | 'project';
const FILES: Record<Kind, string> = {
  agent: 'agent.schema.json',
  suite: 'suite.schema.json',
  scenario: 'scenario.schema.json',
  project: 'project.schema.json',
};

let validators: Map<Kind, ValidateFunction> | undefined;

export function schemaJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(packageRoot(), 'schemas', file), 'utf8'));
}

export function validatorFor(kind: Kind): ValidateFunction {
  if (!validators) {
    // verbose: errors carry parentSchema, which the did-you-mean hints read.
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
    ajv.addSchema(schemaJson('defs.schema.json'));
    validators = new Map();
    for (const [k, f] of Object.entries(FILES) as [Kind, string][])
      validators.set(k, ajv.compile(schemaJson(f)));
  }
  return validators.get(kind)!;
}

export type { ErrorObject };
