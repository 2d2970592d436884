import type {
  FailureRule,
  LedgerOp,
  LedgerState,
  LedgerViolation,
  RunRecord,
  ToolCallRecord,
} from '../results/record.js';
import { clipHead, mdCode, mdText, plainLine } from '../util/untrusted-text.js';
import { ms, sourceBadge, toolCalls } from './format.js';

/**
 * A run's tool calls as the reports show them (`gauntlet show`, the check run's failure
 * sections, the job summary): one ledger row per call (tool, source badge, latency, status or
 * error, arguments and response), the Changes the call applied, one line each, and the State
 * after a call (entities by type and id, flags, tombstones) for the last row or on request.
 * Tool names, arguments, responses, errors, entity types, ids, fields and flags all came from
 * the agent, the simulator model or a tool endpoint: each surface makes them inert its own way,
 * and the bounds keep one busy run from crowding out the rest.
 */

/** How much of a run's tool calls a surface shows. */
export interface LedgerBounds {
  /** Characters kept of one value: arguments, response, error, an op's fields, an entity. */
  valueChars: number;
  /** Changes lines of one row; the rest are counted. */
  opLines: number;
  /** Entity lines (and flags, tombstones) of one State; the rest are counted. */
  stateLines: number;
  /** Bytes one row may take once inert; its untrusted parts shrink until it fits. */
  rowBytes: number;
  /** Bytes one State may take once inert. */
  stateBytes: number;
  /** Bytes of the whole section; rows from the middle are left out first. */
  totalBytes: number;
}

/**
 * GitHub surfaces: the first and the last row and one State always fit (2 x 2,500 + 3,000 bytes
 * and the header and the gap note are under 12,000), and the section stays under 12 KB so a
 * check run's 65,535 characters still hold several failing runs.
 */
export const MARKDOWN_LEDGER_BOUNDS: LedgerBounds = {
  valueChars: 300,
  opLines: 10,
  stateLines: 20,
  rowBytes: 2500,
  stateBytes: 3000,
  totalBytes: 12_000,
};

/**
 * The terminal: more of each value and of the run; with every State shown, the first and the
 * last row with theirs still fit (2 x (12,000 + 24,000) bytes). `--json` has everything.
 */
export const TERMINAL_LEDGER_BOUNDS: LedgerBounds = {
  valueChars: 2000,
  opLines: 50,
  stateLines: 200,
  rowBytes: 12_000,
  stateBytes: 24_000,
  totalBytes: 96_000,
};

/** Which State a section shows: after the last row (the default), after every row, or one. */
export type StateChoice = 'last' | 'all' | 'none' | { call: string };

const bytes = (s: string) => Buffer.byteLength(s);
const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
/** Caps at a scale: 0 drops the untrusted part, anything else keeps at least one character. */
const scaled = (n: number, scale: number) => (scale <= 0 ? 0 : Math.max(1, Math.ceil(n * scale)));
const clip = (s: string, max: number) => (max <= 0 ? '' : clipHead(s, max));
/** A table's own entry for a key from the record (`__proto__` or `constructor` find nothing). */
const own = <T extends object>(table: T, key: unknown): T[keyof T] | undefined =>
  typeof key === 'string' && Object.hasOwn(table, key) ? table[key as keyof T] : undefined;
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A value from the record as one line of JSON, at most `max` characters; never throws. Strings
 * show as JSON too, so an empty string and a missing value read differently.
 */
export function jsonLine(v: unknown, max: number): string {
  if (max <= 0) return '';
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = '[not JSON]';
  }
  return clipHead(text, max);
}

/**
 * One line of a Changes or State list. `op` and `note` are our own words; `target` (an entity's
 * type/id, a flag) and `detail` (fields as JSON) came from the record, clipped here, to be made
 * inert by the surface.
 */
export interface LineFact {
  op: string;
  target: string;
  detail: string;
  note?: string;
}

const entity = (type: unknown, id: unknown) => `${String(type)}/${String(id)}`;

/** How each ledger operation reads, by its op: a table, so a new op is one entry. */
const OP_LINES: {
  [K in LedgerOp['op']]: (op: Extract<LedgerOp, { op: K }>, max: number) => LineFact;
} = {
  add: (o, max) => ({
    op: 'add',
    target: clip(entity(o.entity_type, o.entity_id), max),
    detail: jsonLine(o.fields, max),
  }),
  update: (o, max) => ({
    op: 'update',
    target: clip(entity(o.entity_type, o.entity_id), max),
    detail: jsonLine(o.fields, max),
  }),
  remove: (o, max) => ({
    op: 'remove',
    target: clip(entity(o.entity_type, o.entity_id), max),
    detail: '',
  }),
  set_flag: (o, max) => ({
    op: 'set_flag',
    target: clip(String(o.flag), max),
    detail: '',
    ...(o.value === false ? { note: '(cleared)' } : {}),
  }),
};

/** An op's line; an op this version does not know shows as its JSON. */
export function opLine(op: LedgerOp, max: number): LineFact {
  const line = isObject(op) ? own(OP_LINES, op.op) : undefined;
  if (!line) return { op: 'op', target: '', detail: jsonLine(op, max) };
  return (line as (o: LedgerOp, m: number) => LineFact)(op, max);
}

/** What a report says about one row. `numbers` are our words; the rest is clipped record text. */
export interface RowFacts {
  /** 1-based position in the run's calls. */
  n: number;
  tool: string;
  /** Source badge (and the failure rule that fired), latency, HTTP status, fault, turn. */
  numbers: string[];
  actor: string;
  args: string;
  response: string | null;
  error: string | null;
  /** null when the call left no ledger row (refused before the ledger, or no ledger). */
  changes: LineFact[] | null;
  moreChanges: number;
}

const CAP = { tool: 200, actor: 256 };
/** Whose fault a failed call is, in our words (the record's value is never shown raw). */
const FAULTS: Record<string, string> = {
  agent: 'agent fault',
  simulator: 'simulator fault',
  platform: 'platform fault',
};
/** Which attempt of a write the ledger refused. */
const ATTEMPTS: Record<string, string> = {
  first: 'first reply',
  retry: 'retry',
  adapter: 'adapter write',
};

/** A row's facts with its untrusted parts' caps scaled (0: our own words and counts only). */
export function rowFacts(c: ToolCallRecord, n: number, b: LedgerBounds, scale = 1): RowFacts {
  const value = scaled(b.valueChars, scale);
  const badge = sourceBadge(String(c.source));
  const rule = c.source === 'injected' && typeof c.rule === 'number' ? ` (rule ${c.rule})` : '';
  const numbers = [
    `${badge}${rule}`,
    ms(Number(c.latency_ms) || 0),
    ...(typeof c.status === 'number' ? [`status ${c.status}`] : []),
    ...(c.fault ? [own(FAULTS, c.fault) ?? 'fault'] : []),
    ...(typeof c.turn === 'number' ? [`turn ${c.turn}`] : []),
  ];
  const ops = Array.isArray(c.ledger?.changes) ? c.ledger.changes : null;
  const shown = ops ? ops.slice(0, scaled(b.opLines, scale)) : [];
  return {
    n,
    tool: clip(String(c.name ?? ''), scaled(CAP.tool, scale)),
    numbers,
    actor: typeof c.actor_id === 'string' ? clip(c.actor_id, scaled(CAP.actor, scale)) : '',
    args: jsonLine(c.args, value),
    response: c.response === undefined ? null : jsonLine(c.response, value),
    error: typeof c.error === 'string' ? clip(c.error, value) : null,
    changes: ops ? shown.map((op) => opLine(op, value)) : null,
    moreChanges: ops ? ops.length - shown.length : 0,
  };
}

/** What a report says about one State. `title` and `note` are ours. */
export interface StateFacts {
  title: string;
  entities: LineFact[];
  moreEntities: number;
  flags: string[];
  moreFlags: number;
  removed: string[];
  moreRemoved: number;
  /** Why there is no State to show. */
  note?: string;
}

/** Entities `type/id` with their fields, at most `max`, and how many there are in all. */
function entityLines(
  byType: unknown,
  max: number,
  value: number,
  withFields: boolean,
): [LineFact[], number] {
  const lines: LineFact[] = [];
  let total = 0;
  for (const [type, ids] of Object.entries(isObject(byType) ? byType : {})) {
    for (const [id, fields] of Object.entries(isObject(ids) ? ids : {})) {
      total++;
      if (lines.length >= max) continue;
      const detail = withFields ? jsonLine(fields, value) : '';
      lines.push({ op: '', target: clip(entity(type, id), value), detail });
    }
  }
  return [lines, total];
}

/** A State's facts with its caps scaled; a null state says it was not kept. */
export function stateFacts(
  title: string,
  state: LedgerState | null,
  b: LedgerBounds,
  scale = 1,
): StateFacts {
  const empty = { entities: [], moreEntities: 0, flags: [], moreFlags: 0, removed: [] };
  if (!state)
    return {
      title,
      ...empty,
      moreRemoved: 0,
      note: "not kept: the run's budget for ledger snapshots was spent (the Changes rebuild it)",
    };
  const lines = scaled(b.stateLines, scale);
  const value = scaled(b.valueChars, scale);
  const [entities, total] = entityLines(state.entities, lines, value, true);
  const [removed, gone] = entityLines(state.tombstones, lines, value, false);
  const flags = Array.isArray(state.flags) ? state.flags : [];
  const shownFlags = flags.slice(0, lines).map((f) => clip(String(f), value));
  return {
    title,
    entities,
    moreEntities: total - entities.length,
    flags: shownFlags,
    moreFlags: flags.length - shownFlags.length,
    removed: removed.map((r) => r.target),
    moreRemoved: gone - removed.length,
  };
}

/** How a surface writes each part of the section; every untrusted string goes through it. */
export interface LedgerSurface {
  bounds: LedgerBounds;
  /** The section's head line: our own words and numbers. */
  header(text: string): string;
  row(f: RowFacts): string;
  state(f: StateFacts): string;
  /** Where `n` rows, `first`..`last` (1-based), were left out. */
  gap(n: number, first: number, last: number): string;
  /** Joins the blocks (header, rows, gap, State) into the section. */
  join(blocks: string[]): string;
}

/** Renders at the first scale whose output is within `max` bytes (the last scale otherwise). */
export function fitScaled(render: (scale: number) => string, max: number): string {
  let out = '';
  for (const scale of [1, 0.5, 0.25, 0.1, 0]) {
    out = render(scale);
    if (bytes(out) <= max) break;
  }
  return out;
}

const fitRow = (s: LedgerSurface, c: ToolCallRecord, n: number) =>
  fitScaled((scale) => s.row(rowFacts(c, n, s.bounds, scale)), s.bounds.rowBytes);
const fitState = (s: LedgerSurface, title: string, state: LedgerState | null) =>
  fitScaled((scale) => s.state(stateFacts(title, state, s.bounds, scale)), s.bounds.stateBytes);

/** The one State a section shows after its rows, or undefined: its title and the state. */
function chosenState(
  r: RunRecord,
  calls: ToolCallRecord[],
  choice: StateChoice,
): { title: string; state: LedgerState | null } | undefined {
  if (choice === 'none' || choice === 'all') return undefined;
  const at =
    choice === 'last'
      ? calls.map((c) => Boolean(c.ledger)).lastIndexOf(true)
      : calls.findIndex((c) => c.id === choice.call);
  const row = calls[at];
  // After the last row, a snapshot the budget dropped is the run's final ledger.
  if (choice === 'last' && (!row || !row.ledger?.state) && r.ledger?.final)
    return { title: 'State at the end of the run', state: r.ledger.final };
  if (!row?.ledger) return undefined;
  return { title: `State after call ${at + 1}`, state: row.ledger.state ?? null };
}

/**
 * The run's tool calls on a surface within `totalBytes`: the header, then rows taken from both
 * ends (first, last, second, second to last, …) while they fit, one note for the rows between,
 * and the chosen State. '' when the run made no tool call.
 */
export function renderLedger(r: RunRecord, surface: LedgerSurface, choice: StateChoice): string {
  const calls = Array.isArray(r.trajectory?.tool_calls) ? r.trajectory.tool_calls : [];
  if (!calls.length) return '';
  const header = surface.header(`Tool calls · ${toolCalls(r)}`);
  const tailState = chosenState(r, calls, choice);
  const trailer = tailState ? [fitState(surface, tailState.title, tailState.state)] : [];
  const gapRoom = bytes(surface.gap(calls.length, 999_999, 999_999)) + 2;
  let room =
    surface.bounds.totalBytes -
    bytes(header) -
    gapRoom -
    trailer.reduce((n, t) => n + bytes(t) + 2, 0);
  const block = (i: number) => {
    const row = fitRow(surface, calls[i], i + 1);
    const own = calls[i].ledger;
    if (choice !== 'all' || !own) return row;
    return surface.join([row, fitState(surface, `State after call ${i + 1}`, own.state ?? null)]);
  };
  // Blocks are rendered as they are taken: a long run costs what it shows, not its length.
  const first: string[] = [];
  const last: string[] = [];
  let head = 0;
  let tail = calls.length;
  for (let fromHead = true; head < tail; fromHead = !fromHead) {
    const b = block(fromHead ? head : tail - 1);
    const need = bytes(b) + 2;
    if (need > room) break;
    room -= need;
    if (fromHead) {
      first.push(b);
      head++;
    } else {
      last.unshift(b);
      tail--;
    }
  }
  const gap = head < tail ? [surface.gap(tail - head, head + 1, tail)] : [];
  return surface.join([header, ...first, ...gap, ...last, ...trailer]);
}

const rowRange = (n: number, first: number, last: number) =>
  `${plural(n, 'tool call')} not shown (${first === last ? `call ${first}` : `calls ${first}–${last}`})`;
const more = (n: number, what: string) => (n > 0 ? `… ${n} more ${what}` : '');

/** A terminal: plain text, terminal sequences and controls removed, one line per fact. */
export const terminalLedgerSurface: LedgerSurface = {
  bounds: TERMINAL_LEDGER_BOUNDS,
  header: (text) => plainLine(text),
  row: (f) => {
    const by = f.actor ? ` · by ${plainLine(f.actor)}` : '';
    const tool = f.tool ? ` ${plainLine(f.tool)}` : '';
    const out = [`call ${f.n}${tool} · ${plainLine(f.numbers.join(' · '))}${by}`];
    const field = (name: string, text: string) => out.push(`    ${name.padEnd(9)} ${text}`);
    field('args', plainLine(f.args));
    if (f.response !== null) field('response', plainLine(f.response));
    if (f.error !== null) field('error', plainLine(f.error));
    if (f.changes) {
      const lines = f.changes.map(terminalLine);
      if (f.moreChanges) lines.push(more(f.moreChanges, 'changes'));
      lines.forEach((l, i) => field(i ? '' : 'changes', l));
      if (!lines.length) field('changes', '(none)');
    }
    return out.join('\n');
  },
  state: (f) => {
    const out = [`    ${f.title}:${f.note ? ` ${f.note}` : ''}`];
    const item = (text: string) => out.push(`      ${text}`);
    f.entities.forEach((e) => item(terminalLine(e)));
    if (f.moreEntities) item(more(f.moreEntities, 'entities'));
    if (!f.note && !f.entities.length && !f.moreEntities) item('(no entities)');
    const list = (name: string, xs: string[], n: number) => {
      if (xs.length || n)
        item(`${name}: ${[...xs.map(plainLine), ...(n ? [`+${n} more`] : [])].join(', ')}`);
    };
    list('flags', f.flags, f.moreFlags);
    list('removed', f.removed, f.moreRemoved);
    return out.join('\n');
  },
  gap: (n, first, last) => `… ${rowRange(n, first, last)}; --json has every row`,
  join: (blocks) => blocks.join('\n'),
};

function terminalLine(l: LineFact): string {
  return [l.op, plainLine(l.target), plainLine(l.detail), l.note ?? ''].filter(Boolean).join(' ');
}

function markdownLine(l: LineFact): string {
  const parts = [l.op, l.target && mdCode(l.target), l.detail && mdCode(l.detail)];
  return [...parts, l.note && mdText(l.note)].filter(Boolean).join(' ');
}

/**
 * GitHub Markdown: a paragraph per row, then a list of its fields and Changes. Every record
 * string is in mdCode or mdText, so nothing in it can open a block, a tag, a mention or a link.
 */
export const markdownLedgerSurface: LedgerSurface = {
  bounds: MARKDOWN_LEDGER_BOUNDS,
  header: (text) => `<details><summary>${mdText(text)}</summary>`,
  row: (f) => {
    const by = f.actor ? ` · by ${mdCode(f.actor)}` : '';
    const tool = f.tool ? ` ${mdCode(f.tool)}` : '';
    const out = [`**call ${f.n}**${tool} · ${f.numbers.map(mdText).join(' · ')}${by}`, ''];
    out.push(`- args ${mdCode(f.args)}`);
    if (f.response !== null) out.push(`- response ${mdCode(f.response)}`);
    if (f.error !== null) out.push(`- error: ${mdText(f.error)}`);
    if (f.changes) {
      const lines = f.changes.map(markdownLine);
      if (f.moreChanges) lines.push(`_${more(f.moreChanges, 'changes')}_`);
      out.push(lines.length ? '- Changes:' : '- Changes: none');
      out.push(...lines.map((l) => `  - ${l}`));
    }
    return out.join('\n');
  },
  state: (f) => {
    const out = [`**${mdText(f.title)}**${f.note ? `: ${mdText(f.note)}` : ''}`, ''];
    const items = f.entities.map((e) => `- ${markdownLine(e)}`);
    if (f.moreEntities) items.push(`- _${more(f.moreEntities, 'entities')}_`);
    if (!f.note && !f.entities.length && !f.moreEntities) items.push('- no entities');
    const list = (name: string, xs: string[], n: number) => {
      if (xs.length || n)
        items.push(`- ${name}: ${[...xs.map(mdCode), ...(n ? [`+${n} more`] : [])].join(', ')}`);
    };
    list('flags', f.flags, f.moreFlags);
    list('removed', f.removed, f.moreRemoved);
    return [...out, ...items].join('\n').replace(/\n$/, '');
  },
  gap: (n, first, last) => `_… ${rowRange(n, first, last)}; the full record has every row._`,
  join: (blocks) => blocks.join('\n\n'),
};

/** The run's tool calls as inert terminal text; `state` picks the State shown. */
export function ledgerText(r: RunRecord, state: StateChoice = 'last'): string {
  return renderLedger(r, terminalLedgerSurface, state);
}

/**
 * The run's tool calls as a collapsed, inert GitHub Markdown section, with the State after the
 * last row. '' when the run made no tool call.
 */
export function ledgerMarkdown(r: RunRecord): string {
  const section = renderLedger(r, markdownLedgerSurface, 'last');
  return section && `${section}\n\n</details>`;
}

/** Ledger violations a surface lists, and the bytes they may take. */
const VIOLATIONS = {
  markdown: { items: 5, errors: 3, chars: 300, bytes: 3000 },
  terminal: { items: 50, errors: 10, chars: 1000, bytes: 24_000 },
};

interface ViolationFacts {
  call: string;
  tool: string;
  attempt: string;
  errors: string[];
  moreErrors: number;
}

function violationFacts(v: LedgerViolation, errors: number, chars: number): ViolationFacts {
  const all = Array.isArray(v.errors) ? v.errors : [];
  const kept = all.slice(0, errors).map((e) => clip(String(e), chars));
  return {
    call: clip(String(v.call_id ?? ''), chars),
    tool: clip(String(v.tool ?? ''), chars),
    attempt: own(ATTEMPTS, v.attempt) ?? 'attempt',
    errors: kept.filter(Boolean),
    moreErrors: all.length - kept.filter(Boolean).length,
  };
}

/**
 * Operations the simulator or a passthrough write proposed that the ledger refused, as lines a
 * surface writes; at most `items` of them, within `bytes`, the rest counted.
 */
function violationLines(
  r: RunRecord,
  limits: (typeof VIOLATIONS)['markdown'],
  line: (f: ViolationFacts) => string,
  join: (lines: string[]) => string,
): string {
  const all = Array.isArray(r.ledger_violations) ? r.ledger_violations : [];
  if (!all.length) return '';
  return fitScaled((scale) => {
    const shown = all.slice(0, scaled(limits.items, Math.max(scale, 0.1)));
    const lines = shown.map((v) =>
      line(violationFacts(v, scaled(limits.errors, scale), scaled(limits.chars, scale))),
    );
    if (all.length > shown.length) lines.push(more(all.length - shown.length, 'violations'));
    return join(lines);
  }, limits.bytes);
}

/** Ledger violations for a terminal, one line each. '' when there are none. */
export function violationsText(r: RunRecord): string {
  return violationLines(
    r,
    VIOLATIONS.terminal,
    (f) => {
      const errors = [...f.errors.map(plainLine), ...(f.moreErrors ? [`+${f.moreErrors}`] : [])];
      return `${plainLine(f.call)} ${plainLine(f.tool)} (${f.attempt}): ${errors.join('; ')}`;
    },
    (lines) => lines.join('\n'),
  );
}

/** Ledger violations as inert Markdown: a head line and a list. '' when there are none. */
export function violationsMarkdown(r: RunRecord): string {
  const n = Array.isArray(r.ledger_violations) ? r.ledger_violations.length : 0;
  const list = violationLines(
    r,
    VIOLATIONS.markdown,
    (f) => {
      const errors = [...f.errors.map(mdText), ...(f.moreErrors ? [`+${f.moreErrors}`] : [])];
      return `- ${mdCode(f.call)} ${mdCode(f.tool)} (${f.attempt}): ${errors.join('; ')}`;
    },
    (lines) => lines.map((l) => (l.startsWith('- ') ? l : `- _${l}_`)).join('\n'),
  );
  return list ? `**Ledger violations** ${n}\n\n${list}` : '';
}

/**
 * A task's failure rule on one line for the seed panel: `#0 refund_order · args {…} · nth 2 ·
 * probability 0.5 → 503 rate_limited: message`. Config text, still made inert.
 */
export function failureRuleText(rule: FailureRule, i: number, max = 300): string {
  const when = [
    rule.args !== undefined ? `args ${jsonLine(rule.args, max)}` : '',
    typeof rule.nth === 'number' ? `nth ${rule.nth}` : '',
    typeof rule.probability === 'number' ? `probability ${rule.probability}` : '',
  ].filter(Boolean);
  const e = isObject(rule.error) ? rule.error : { message: '' };
  const type = typeof e.type === 'string' ? ` ${clip(e.type, max)}` : '';
  const message = clip(String(e.message ?? ''), max);
  const head = [`rule ${i}: ${clip(String(rule.tool ?? ''), max)}`, ...when].join(' · ');
  return plainLine(`${head} → ${typeof e.status === 'number' ? e.status : 500}${type}: ${message}`);
}
