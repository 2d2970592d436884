import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretResolver } from '../config/secrets.js';
import type { Loaded, ProjectConfig } from '../config/types.js';
import { ModelEnvironment, ModelUnresolved } from './environment.js';

function unresolved(f: () => unknown): ModelUnresolved {
  try {
    f();
  } catch (e) {
    if (e instanceof ModelUnresolved) return e;
    throw e;
  }
  throw new Error('expected ModelUnresolved');
}

async function envWith(providers: ProjectConfig['providers']): Promise<ModelEnvironment> {
  const dir = await mkdtemp(join(tmpdir(), 'gauntlet-env-'));
  await writeFile(join(dir, 'script.json'), JSON.stringify({ rules: [] }));
  const project: Loaded<ProjectConfig> = {
    value: { providers },
    file: join(dir, 'gauntlet.yaml'),
    dir,
    pos: () => ({ file: 'gauntlet.yaml', line: 1, column: 1 }),
  };
  return ModelEnvironment.start(project, new SecretResolver({}), { redact: (s) => s });
}

describe('ModelEnvironment.simulatorTarget', () => {
  let scripted: ModelEnvironment;
  let bare: ModelEnvironment;
  beforeAll(async () => {
    scripted = await envWith({
      anthropic: { script: 'script.json' },
      openai: { script: 'script.json' },
    });
    bare = await envWith(undefined);
  });
  afterAll(async () => {
    await scripted?.close();
    await bare?.close();
  });

  it("takes the suite's model, then gauntlet.yaml's, through the host relay", () => {
    const suite = scripted.simulatorTarget('gpt-4o', 'claude-sonnet-4-6');
    expect(suite).toMatchObject({ model: 'gpt-4o', format: 'openai' });
    const project = scripted.simulatorTarget(undefined, 'anthropic/claude-haiku-4-5');
    expect(project).toMatchObject({ model: 'claude-haiku-4-5', format: 'anthropic' });
    expect(project.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(project.baseUrl).toBe(scripted.judgeTarget('claude-sonnet-4-6', undefined).baseUrl);
    expect(project.redact).toBeTypeOf('function');
  });

  it('fails as simulator_model_unresolved with the fix when nothing names a model', () => {
    const e = unresolved(() => scripted.simulatorTarget());
    expect(e.code).toBe('simulator_model_unresolved');
    expect(e.message).toMatch(
      /set simulator\.model on the suite or simulator_model in gauntlet\.yaml/,
    );
  });

  it('names the provider key or the spelling to fix', () => {
    const key = unresolved(() => bare.simulatorTarget('claude-haiku-4-5'));
    expect(key.code).toBe('simulator_model_unresolved');
    expect(key.message).toMatch(/ANTHROPIC_API_KEY or providers\.anthropic in gauntlet\.yaml/);
    const family = unresolved(() => scripted.simulatorTarget(undefined, 'llama-3'));
    expect(family.code).toBe('simulator_model_unresolved');
    expect(family.message).toMatch(/anthropic\/llama-3 or openai\/llama-3/);
  });

  it('leaves the judge failing as agent_model_unresolved', () => {
    expect(unresolved(() => scripted.judgeTarget(undefined, undefined)).code).toBe(
      'agent_model_unresolved',
    );
  });
});
