import type { RunRecord, StructureCard, ToolCallRecord } from '../results/record.js';
import { mulberry32 } from '../util/seeded-random.js';
import { record } from './records.js';

/** A seeded PRNG (mulberry32): hostile inputs are reproducible from the seed in a failure. */
export const seeded = mulberry32;

/** Present in every generated string, so a test can see the hostile text did reach the output. */
export const CANARY = 'CANARY';

/** Pieces that break out of Markdown, HTML, terminals or XML when rendered raw. */
export const ADVERSARIAL = [
  '```',
  '````````````',
  '`'.repeat(40),
  '~~~',
  '\n```\n',
  '\n~~~~\n',
  '</details>',
  '<details>',
  '<details><summary>x</summary>',
  '</summary>',
  '<summary>',
  '<img src=x onerror=alert(1)>',
  '<script>alert(1)</script>',
  '<a href="javascript:x">a</a>',
  '<b>',
  '</code>',
  '<br>',
  '@octocat',
  '@org/team',
  ' @x',
  '#123',
  'o/r#9',
  'GH-12',
  'gh-7',
  '\n## All tests passed ✅\n',
  '## All tests passed ✅',
  '\n# h1\n',
  '[x](javascript:alert(1))',
  '![i](https://evil.example/x.png)',
  '<!--',
  '-->',
  '<!-- gauntlet:pr-comment -->',
  '|',
  ' | cell | ',
  '\r\n',
  '\r',
  '\n',
  '\n\n',
  '\0',
  '\x1b[31mred\x1b[0m',
  '\x1b[2J\x1b[H',
  '\x1b]8;;https://evil.example\x07link\x1b]8;;\x07',
  '\x1b]0;title\x1b\\',
  '\x1bPq#0\x1b\\',
  '\x1b[',
  '\x1b',
  '\x9b2J',
  '\x9d0;t\x07',
  '\x07',
  '\b',
  '\x7f',
  '\u202Eevil',
  '\u2066',
  '\u200F',
  '\uFFFE',
  '\uFFFF',
  '\uD800',
  '\uDC00x',
  '&lt;b&gt;',
  '&amp;',
  '&',
  '&#64;x',
  '    indented',
  '\n    indented',
  '\n> quote',
  '\n- item',
  '\n1. item',
  '\n---\n',
  '\n===\n',
  '\n| a | b |\n|---|---|\n',
  '*bold*',
  '**b**',
  '__u__',
  '_i_',
  '~~s~~',
  '\\',
  '\\`',
  ']]>',
  '<![CDATA[',
  '"',
  "'",
  ':smile:',
  '😀',
  '\t',
  'ü',
  '::error::forged',
  '\n::warning file=x::forged',
];

/** A hostile string from the seeded generator: adversarial pieces and words, after the canary. */
export function hostile(rng: () => number, parts = 12): string {
  const out: string[] = [CANARY];
  const n = 1 + Math.floor(rng() * parts);
  for (let i = 0; i < n; i++) {
    const r = rng();
    if (r < 0.7) out.push(ADVERSARIAL[Math.floor(rng() * ADVERSARIAL.length)]);
    else if (r < 0.95) out.push(['word', ' ', 'text', 'x1'][Math.floor(rng() * 4)]);
    else out.push('x'.repeat(1 + Math.floor(rng() * 20_000)));
  }
  return out.join('');
}

/** Records whose every text field that came from an agent, a model or a config is `text()`. */
/** Tool calls whose every agent- or model-written part is hostile: names, args, ledger. */
function hostileToolCalls(text: () => string): ToolCallRecord[] {
  const fields = { [text()]: text(), note: text() };
  const state = {
    entities: { [text()]: { [text()]: fields } },
    flags: [text()],
    tombstones: { order: { [text()]: fields } },
  };
  return (['odyssey', 'injected', 'passthrough', 'error', 'transport_error'] as const).map(
    (source, i) => ({
      id: `tc_${i}`,
      name: text(),
      source,
      args: { q: text() },
      response: { a: text() },
      error: text(),
      status: 200,
      latency_ms: 3,
      started_at: '2026-11-23T10:00:00Z',
      actor_id: text(),
      ledger: {
        state,
        changes: [
          { op: 'add' as const, entity_type: text(), entity_id: text(), fields },
          { op: 'set_flag' as const, flag: text(), value: true },
          { op: 'remove' as const, entity_type: text(), entity_id: text() },
        ],
      },
    }),
  );
}

/** A multi-agent card made of hostile actor ids and tool names. */
function hostileCard(text: () => string): StructureCard {
  const a = text();
  const b = text();
  return {
    summary: { sub_agents: 1, delegation_depth: 1, handoffs: 1, declared: true },
    attribution: { derived: 2, credited_via_owner: 0, unattributed: 1 },
    divergence: {
      declared_only_nodes: [text()],
      undeclared_nodes: [b],
      declared_only_edges: [{ from: text(), to: text() }],
      undeclared_edges: [{ from: a, to: b }],
    },
    roster: [{ actor: a, tools: [text()], calls: 2, provenance: 'observed' }],
    relationships: [{ from: a, to: b, kind: 'handoff', count: 1, exercised: true }],
    handoff_timeline: [{ at: text(), from: a, to: b }],
  };
}

export function hostileRecords(text: () => string): RunRecord[] {
  const at = '2026-11-23T10:00:00Z';
  const steps = [
    { at, type: 'shell' as const, summary: text(), actor_id: text() },
    { at, type: 'assistant' as const, summary: text(), count: 2 },
  ];
  const common = {
    suite: text(),
    agent: { name: text(), version: text(), kind: 'command' as const },
    final_response: text(),
    banners: [text()],
    soft_warnings: [text()],
    diff: text(),
    seed: {
      user_instruction: text(),
      behavior_instructions: text(),
      expected_outcome: 'completion' as const,
      initial_state: { k: text() },
      failure_rules: [{ tool: text(), args: { q: text() }, error: { message: text() } }],
      origin: { file: '/repo/.gauntlet/suites/s.yaml', line: 3 },
    },
    trajectory: {
      steps,
      model_calls: [],
      tool_calls: hostileToolCalls(text),
      trace_events: [],
      dropped_steps: 0,
    },
    behavior_config: text(),
    ledger_violations: [
      { call_id: 'tc_1', tool: text(), attempt: 'first' as const, errors: [text(), text()] },
    ],
    multi_agent: hostileCard(text),
    debug: {
      stdout_tail: text(),
      stderr_tail: text(),
      raw_response: text(),
      exception: { type: text(), message: text(), traceback: text() },
    },
  };
  const scores = { task_completion: 1, instruction_adherence: null, efficiency: 2 };
  return [
    record({
      ...common,
      task_id: text(),
      trial: 2,
      status: 'failed',
      verdict: 'NOT APPLICABLE',
      judge: null,
      error: { class: 'agent_timeout', code: text(), message: text(), detail: text() },
    }),
    record({
      ...common,
      task_id: text(),
      status: 'completed',
      verdict: 'FAIL',
      overall: 'FAIL',
      judge: {
        verdict: 'FAIL',
        scores,
        failure_mode: text(),
        reasoning: text(),
        model: text(),
        cost_usd: 0.01,
        latency_ms: 3,
      },
      scorers: [
        { name: text(), passed: false, score: 0, tail: text() },
        { name: text(), passed: true },
        { name: text(), passed: false },
      ],
      cli_usage: { input_tokens: 1, output_tokens: 2, cost_usd: 0.5 },
    }),
  ];
}

/** Lines outside fenced code blocks, after checking every fence is well formed and closed. */
export function liveLines(md: string): string[] {
  const live: string[] = [];
  let fence: { ch: string; n: number } | null = null;
  for (const line of md.split('\n')) {
    if (fence) {
      const close = /^ {0,3}(`+|~+)[ \t]*$/.exec(line);
      if (close && close[1][0] === fence.ch && close[1].length >= fence.n) fence = null;
      continue;
    }
    const open = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (open && !(open[1][0] === '`' && open[2].includes('`'))) {
      fence = { ch: open[1][0], n: open[1].length };
      continue;
    }
    live.push(line);
  }
  if (fence) throw new Error(`a ${fence.ch.repeat(fence.n)} fence is never closed`);
  return live;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const codePoint = (ref: string) =>
  ref[1] === 'x' ? parseInt(ref.slice(2), 16) : Number(ref.slice(1));
const decodeEntities = (s: string) =>
  s.replace(/&(#[0-9]+|#x[0-9A-Fa-f]+|[A-Za-z]+);/g, (m, e: string) =>
    e[0] !== '#' ? (NAMED[e] ?? m) : String.fromCodePoint(codePoint(e)),
  );

const ALLOWED_TAGS = new Set(['details', 'summary', 'b', 'code', 'br']);
/** What no renderer may emit: controls (but newline and tab), bidi controls, non-characters. */
export const UNSAFE_CHARS = new RegExp(
  [
    /[\x00-\x08\x0B-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069\uFFFE\uFFFF]/.source,
    /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.source,
  ].join('|'),
);

/**
 * The structure GitHub would render, checked line by line: fences closed, only our own tags live
 * and balanced, no mention, reference, heading, comment, image or script link from the input.
 * Returns the problems found (empty when the Markdown is safe).
 */
export function markdownProblems(md: string, o: { marker?: string } = {}): string[] {
  const problems: string[] = [];
  const bad = UNSAFE_CHARS.exec(md);
  if (bad) problems.push(`unsafe character U+${bad[0].charCodeAt(0).toString(16)} in the output`);
  let live: string[];
  try {
    live = liveLines(md);
  } catch (e) {
    return [...problems, (e as Error).message];
  }
  const depth: Record<string, number> = { details: 0, summary: 0 };
  let tableCells = -1;
  live.forEach((raw, i) => {
    const line = o.marker && i === 0 && raw === o.marker ? '' : raw;
    const at = JSON.stringify(line.slice(0, 120));
    const problem = (what: string) => problems.push(`${what} in ${at}`);
    for (const m of line.matchAll(/<(\/?)([A-Za-z][A-Za-z0-9-]*)|<!--|<!\[|<\?/g)) {
      const name = m[2]?.toLowerCase();
      if (!name || !ALLOWED_TAGS.has(name)) problem(`live HTML ${JSON.stringify(m[0])}`);
      else if (name in depth) {
        depth[name] += m[1] ? -1 : 1;
        if (depth[name] < 0) problems.push(`</${name}> closes nothing`);
      }
    }
    // GitHub links mentions and references in text (not link targets), after decoding entities.
    const text = decodeEntities(line.replace(/\]\([^)\s]*\)/g, ']()'));
    if (/(^|[^A-Za-z0-9_])@[A-Za-z0-9]/.test(text)) problem('raw @mention');
    if (/#\d/.test(text) || /\bGH-\d/i.test(text)) problem('raw issue reference');
    if (/\]\(\s*javascript:/i.test(line) || /!\[/.test(line)) problem('live link or image');
    const heading = /^ {0,3}(> ?)*#{1,6}(\s|$)/.test(line);
    if (heading && !/^(## gauntlet\b|### )/.test(line)) problem('injected heading');
    if (/^ {0,3}(=+|-+)[ \t]*$/.test(line) && live[i - 1]?.trim()) problem('setext underline');
    if (!line.startsWith('|')) tableCells = -1;
    else {
      const cells = line.replace(/\\\|/g, '').split('|').length;
      if (tableCells === -1) tableCells = cells;
      else if (cells !== tableCells) problem(`${cells - 2} cells under ${tableCells - 2} headers`);
    }
  });
  for (const [name, d] of Object.entries(depth)) {
    if (d !== 0) problems.push(`<${name}> opened ${d} more time(s) than closed`);
  }
  return problems;
}

/** XML 1.0's Char production. */
const isXmlChar = (c: number) =>
  c === 0x9 ||
  c === 0xa ||
  c === 0xd ||
  (c >= 0x20 && c <= 0xd7ff) ||
  (c >= 0xe000 && c <= 0xfffd) ||
  (c >= 0x10000 && c <= 0x10ffff);

/** A strict well-formedness check of the XML renderers emit: prolog, elements, attributes, text. */
export function xmlProblems(xml: string): string[] {
  for (const ch of xml) {
    const c = ch.codePointAt(0)!;
    if (!isXmlChar(c)) return [`character U+${c.toString(16)} is not allowed in XML 1.0`];
  }
  let i = /^<\?xml[^?]*\?>/.exec(xml)?.[0].length ?? 0;
  const at = () => JSON.stringify(xml.slice(i, i + 40));
  const take = (re: RegExp) => {
    re.lastIndex = i;
    const m = re.exec(xml);
    if (m) i += m[0].length;
    return m;
  };
  const NAME = /[A-Za-z_:][A-Za-z0-9_:.-]*/y;
  const ENTITY = /&(lt|gt|amp|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);/y;
  const entity = (): string | null => {
    const m = take(ENTITY);
    if (!m) return `bad "&" at ${at()}`;
    if (!m[1].startsWith('#')) return null;
    const code = m[1][1] === 'x' ? parseInt(m[1].slice(2), 16) : parseInt(m[1].slice(1), 10);
    return isXmlChar(code) ? null : `character reference ${m[0]} names a forbidden character`;
  };
  const stack: string[] = [];
  let roots = 0;
  while (i < xml.length) {
    const c = xml[i];
    if (c === '&') {
      const e = entity();
      if (e) return [e];
    } else if (c === '>' && xml.startsWith(']]>', i - 2)) return [`"]]>" in text at ${at()}`];
    else if (c !== '<') {
      if (!stack.length && c.trim()) return [`text outside the root element at ${at()}`];
      i++;
    } else if (xml[i + 1] === '/') {
      i += 2;
      const name = take(NAME)?.[0];
      if (!name || name !== stack.pop() || xml[i] !== '>') return [`bad end tag at ${at()}`];
      i++;
    } else {
      i++;
      const name = take(NAME)?.[0];
      if (!name) return [`bad "<" at ${at()}`];
      if (!stack.length && ++roots > 1) return ['more than one root element'];
      const seen = new Set<string>();
      for (;;) {
        take(/[ \t\r\n]+/y);
        if (xml.startsWith('/>', i)) {
          i += 2;
          break;
        }
        if (xml[i] === '>') {
          stack.push(name);
          i++;
          break;
        }
        const attr = take(NAME)?.[0];
        if (!attr || seen.has(attr)) return [`bad attribute in <${name}> at ${at()}`];
        seen.add(attr);
        const q = take(/=(["'])/y);
        if (!q) return [`attribute ${attr} is not quoted`];
        while (xml[i] !== q[1]) {
          if (i >= xml.length || xml[i] === '<') return [`bad value of attribute ${attr}`];
          if (xml[i] === '&') {
            const e = entity();
            if (e) return [e];
          } else i++;
        }
        i++;
      }
    }
  }
  if (stack.length) return [`unclosed <${stack.join('>, <')}>`];
  return roots === 1 ? [] : ['no root element'];
}
