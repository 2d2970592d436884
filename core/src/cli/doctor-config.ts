import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { recognise } from '../agents/command/presets.js';
import { ConfigError } from '../config/errors.js';
import { DEFAULT_CONFIG_DIR, loadConfig } from '../config/load.js';
import { isSecretRef } from '../config/secrets.js';
import type { ConfigTree } from '../config/types.js';
import { DEFAULT_KEY, modelFormat } from '../models/environment.js';
import type { WireFormat } from '../models/wire.js';
import { DEFAULT_DISK_MB } from '../sandbox/docker.js';
import { DEFAULT_BASE_IMAGE } from '../sandbox/images.js';
import type { Finding } from './doctor.js';

/** What the engine checks need to know of the project: its base image and sandbox sizes. */
export interface SandboxNeeds {
  image: string;
  concurrency: number;
  diskMb: number;
}

const DEFAULTS: SandboxNeeds = {
  image: DEFAULT_BASE_IMAGE,
  concurrency: 2,
  diskMb: DEFAULT_DISK_MB,
};

/** The config itself, then the provider keys and secrets it needs: names only, never values. */
export async function configFindings(
  root: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ findings: Finding[]; sandbox: SandboxNeeds }> {
  if (!existsSync(join(root, DEFAULT_CONFIG_DIR))) {
    const detail = `no ${DEFAULT_CONFIG_DIR}/ in ${root}: nothing to check beyond this machine`;
    const fix = 'gauntlet init scaffolds one';
    const none: Finding = { check: 'config', level: 'note', detail, fix };
    return { findings: [none], sandbox: DEFAULTS };
  }
  let tree: ConfigTree;
  try {
    tree = await loadConfig(root);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const first = e.issues[0];
    const at = `${first.file}:${first.line}`;
    const detail = `${e.issues.length} config error(s), the first: ${at}: ${first.message}`;
    const fix = `gauntlet validate ${relative(process.cwd(), root) || '.'} lists each with its fix`;
    return { findings: [{ check: 'config', level: 'blocker', detail, fix }], sandbox: DEFAULTS };
  }
  const p = tree.project.value;
  const suiteConcurrency = [...tree.suites.values()].map((s) => s.value.concurrency ?? 0);
  const sandbox = {
    image: p.image ?? DEFAULT_BASE_IMAGE,
    concurrency: Math.max(p.concurrency ?? 2, ...suiteConcurrency),
    diskMb: p.sandbox?.disk_mb ?? DEFAULT_DISK_MB,
  };
  const { agents, suites, scenarios } = tree;
  const counts = `${agents.size} agent(s), ${suites.size} suite(s), ${scenarios.size} scenario(s)`;
  return {
    findings: [
      { check: 'config', level: 'ok', detail: `${counts} in ${relative(root, tree.configDir)}/` },
      ...providerFindings(tree, env),
      ...secretFindings(tree, env),
    ],
    sandbox,
  };
}

/** Which providers the suites need, and why: judge models and coding CLIs. */
function providerNeeds(tree: ConfigTree): {
  needs: Map<WireFormat, string[]>;
  findings: Finding[];
} {
  const needs = new Map<WireFormat, string[]>();
  const findings: Finding[] = [];
  const need = (f: WireFormat, why: string) => needs.set(f, [...(needs.get(f) ?? []), why]);
  for (const [name, s] of tree.suites) {
    if (s.value.judge === 'none') continue;
    const model = s.value.judge?.model ?? tree.project.value.judge_model;
    const format = model ? modelFormat(model)?.format : undefined;
    if (format) need(format, `the judge of suite ${name}`);
    else {
      findings.push(
        model
          ? {
              check: 'models',
              level: 'blocker',
              detail: `suite ${name}: cannot tell which provider serves judge model "${model}"`,
              fix: `write it as anthropic/${model} or openai/${model}`,
            }
          : {
              check: 'models',
              level: 'blocker',
              detail: `suite ${name} has no judge model`,
              fix: 'set judge.model on the suite, judge_model in gauntlet.yaml, or judge: none',
            },
      );
    }
  }
  for (const [name, a] of tree.agents) {
    const provider = a.value.command ? recognise(a.value.command).preset?.provider : undefined;
    if (provider) need(provider, `agent ${name}`);
  }
  return { needs, findings };
}

function providerFindings(tree: ConfigTree, env: NodeJS.ProcessEnv): Finding[] {
  const { needs, findings } = providerNeeds(tree);
  for (const [format, why] of needs) {
    const p = tree.project.value.providers?.[format];
    const uses = why.join(', ');
    if (p?.script) {
      const detail = `${format}: the scripted model (${p.script}) serves ${uses}; no key needed`;
      findings.push({ check: 'models', level: 'ok', detail });
      continue;
    }
    const key = p?.api_key?.secret ?? DEFAULT_KEY[format];
    if (env[key]) {
      findings.push({ check: 'models', level: 'ok', detail: `${key} is set (${format}: ${uses})` });
      continue;
    }
    // A non-default base URL (a local proxy, a gateway of your own) may take no key.
    const own = p?.base_url ? ` at ${p.base_url}` : '';
    findings.push({
      check: 'models',
      level: own ? 'warn' : 'blocker',
      detail: `${key} is not set; ${format}${own} serves ${uses}`,
      fix:
        `export ${key}=… (in CI: the Action's ${format}-api-key input, from a repository ` +
        `secret), or serve ${format} with the scripted model (providers.${format}.script)`,
    });
  }
  return findings;
}

/** Every `{ secret: NAME }` in agents, scenarios and suites, with where it is used. */
function secretFindings(tree: ConfigTree, env: NodeJS.ProcessEnv): Finding[] {
  const where = new Map<string, string[]>();
  const walk = (v: unknown, at: string) => {
    if (isSecretRef(v)) where.set(v.secret, [...(where.get(v.secret) ?? []), at]);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
    }
  };
  for (const [name, l] of tree.agents) walk(l.value, `agent ${name}`);
  for (const [name, l] of tree.scenarios) walk(l.value, `scenario ${name}`);
  for (const [name, l] of tree.suites) walk(l.value, `suite ${name}`);
  return [...where].map(([name, at]): Finding => {
    const uses = at.slice(0, 3).join(', ') + (at.length > 3 ? ` and ${at.length - 3} more` : '');
    if (env[name]) return { check: 'secrets', level: 'ok', detail: `${name} is set (${uses})` };
    return {
      check: 'secrets',
      level: 'blocker',
      detail: `${name} is not set (${uses}): runs that need it fail as agent_secret_unresolved`,
      fix: `export ${name}=… (in CI: env: ${name}: \${{ secrets.${name} }} on the gauntlet step)`,
    };
  });
}
