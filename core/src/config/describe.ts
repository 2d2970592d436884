import type { AgentConfig, EnvValue, ToolDecl } from './types.js';
import { stableStringify } from '../util/hash.js';

/**
 * What an agent change does, in words a reviewer can check: model, prompt, tools, timeout,
 * environment, source. Plain facts from the two configs; values of secrets are never shown.
 */

const show = (v: EnvValue | undefined) =>
  v === undefined
    ? '—'
    : typeof v === 'object' && v && 'secret' in v
      ? `{secret: ${(v as { secret: string }).secret}}`
      : JSON.stringify(v);
const same = (a: unknown, b: unknown) => stableStringify(a ?? null) === stableStringify(b ?? null);
const isModel = (k: string) => /MODEL/i.test(k);
const isPrompt = (k: string) => /PROMPT|SYSTEM|INSTRUCTION/i.test(k);

function source(a: AgentConfig): string {
  if (a.python) {
    const s = a.python.source;
    const where =
      s.inline !== undefined
        ? 'inline code'
        : s.files
          ? `files (${Object.keys(s.files).join(', ')})`
          : s.path !== undefined
            ? `path ${s.path}`
            : s.zip !== undefined
              ? `zip ${s.zip}`
              : s.git
                ? `git ${s.git.url}@${s.git.ref}`
                : 'unknown source';
    return `Python ${where}, entrypoint ${a.python.entrypoint_file ?? 'main.py'}:${a.python.entrypoint ?? 'run'}`;
  }
  if (a.http) return `HTTP endpoint ${a.http.url}`;
  if (a.command) return `command \`${a.command.slice(0, 200)}\``;
  return 'no implementation';
}

function listDelta(label: string, before: string[] = [], after: string[] = []): string[] {
  const added = after.filter((x) => !before.includes(x));
  const removed = before.filter((x) => !after.includes(x));
  return [
    ...(added.length ? [`${label} added: ${added.join(', ')}`] : []),
    ...(removed.length ? [`${label} removed: ${removed.join(', ')}`] : []),
  ];
}

function toolDelta(before: ToolDecl[] = [], after: ToolDecl[] = []): string[] {
  const out = listDelta(
    'tools',
    before.map((t) => t.name),
    after.map((t) => t.name),
  );
  for (const t of after) {
    const old = before.find((b) => b.name === t.name);
    if (old && !same(old, t))
      out.push(
        `tool ${t.name} changed its ${!same(old.input_schema, t.input_schema) ? 'input schema' : 'description'}`,
      );
  }
  return out;
}

export function describeAgentChange(
  base: AgentConfig | undefined,
  head: AgentConfig | undefined,
): string[] {
  if (!base && head)
    return [
      `new agent: ${source(head)}`,
      ...Object.entries(head.env ?? {})
        .filter(([k]) => isModel(k))
        .map(([k, v]) => `model (${k}): ${show(v)}`),
    ];
  if (base && !head) return ['agent removed'];
  if (!base || !head) return [];
  const out: string[] = [];
  if (source(base) !== source(head) || !same(base.python?.source, head.python?.source))
    out.push(`implementation: ${source(base)} → ${source(head)}`);
  const keys = [
    ...new Set([...Object.keys(base.env ?? {}), ...Object.keys(head.env ?? {})]),
  ].sort();
  for (const k of keys) {
    const a = base.env?.[k];
    const b = head.env?.[k];
    if (same(a, b)) continue;
    const what = isModel(k) ? `model (${k})` : isPrompt(k) ? `prompt (${k})` : `env ${k}`;
    out.push(`${what}: ${show(a)} → ${show(b)}`);
  }
  if (base.timeout !== head.timeout)
    out.push(`timeout: ${base.timeout ?? 300} s → ${head.timeout ?? 300} s`);
  out.push(...toolDelta(base.tools, head.tools));
  const ea = base.environment ?? {};
  const eb = head.environment ?? {};
  out.push(
    ...listDelta('system packages', ea.system_packages, eb.system_packages),
    ...listDelta('python requirements', ea.python_requirements, eb.python_requirements),
  );
  if (ea.setup_command !== eb.setup_command)
    out.push(
      `setup command: ${ea.setup_command ? `\`${ea.setup_command}\`` : '—'} → ${eb.setup_command ? `\`${eb.setup_command}\`` : '—'}`,
    );
  if (!same(ea.dockerfile, eb.dockerfile))
    out.push(
      `image Dockerfile body changed (${(ea.dockerfile ?? '').split('\n').filter(Boolean).length} → ${(eb.dockerfile ?? '').split('\n').filter(Boolean).length} lines); the image is rebuilt`,
    );
  if (base.status !== head.status)
    out.push(
      `status: ${base.status ?? 'published'} → ${head.status ?? 'published'}${head.status === 'draft' ? ' (draft agents are not dispatched)' : ''}`,
    );
  if (base.version !== head.version)
    out.push(`version: ${base.version ?? 'content hash'} → ${head.version ?? 'content hash'}`);
  if (!same(base.http?.headers, head.http?.headers)) out.push('HTTP headers changed');
  return out.length ? out : ['no change that affects runs (formatting or comments only)'];
}
