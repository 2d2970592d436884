import type { MultiTurnRecord, TranscriptEntry } from '../results/record.js';
import { clipHead, mdCode, mdProse, mdText, plainLine, plainText } from '../util/untrusted-text.js';
import { ms, usd } from './format.js';

/**
 * A session's transcript as the reports show it (`gauntlet show`, the check run's failure
 * sections, the job summary): a header, then each turn's messages and numbers. Every message,
 * agent name, path and error in it came from an agent or the simulator, so each surface makes
 * it inert its own way; the bounds keep one long session from crowding out the rest.
 */

type TurnEntry = MultiTurnRecord['turns'][number];

/** How much of a session a surface shows. */
export interface SessionBounds {
  /** Characters of one message kept; a cut message says how much was cut. */
  messageChars: number;
  /**
   * Bytes one message may take once made inert (escaping can grow text several times); a turn's
   * numbers, with its agent name, paths and error, take at most half that.
   */
  messageBytes: number;
  /** Bytes the whole session may take; turns from the middle are left out first. */
  totalBytes: number;
}

/**
 * GitHub surfaces: a message stays under a screenful, and the whole under 12 KB, so a check
 * run's 65,535 characters still hold several failing sessions. A turn (two messages and its
 * numbers, at most half a message) takes at most 2.5 messages, so the first and the last turn
 * always fit: 5 x 2,000 bytes and the header and the gap note are under 12,000.
 */
export const MARKDOWN_SESSION_BOUNDS: SessionBounds = {
  messageChars: 1000,
  messageBytes: 2000,
  totalBytes: 12_000,
};

/** The terminal: more of each message and of the session; `--json` has everything. */
export const TERMINAL_SESSION_BOUNDS: SessionBounds = {
  messageChars: 4000,
  messageBytes: 16_000,
  totalBytes: 96_000,
};

export interface SessionTurn {
  turn: number;
  /** The turn's transcript entries in order: the user's message, then the agent's reply. */
  messages: TranscriptEntry[];
  /** The turn's numbers; absent for the simulator's closing message, which no agent answered. */
  stats?: TurnEntry;
}

/** The transcript grouped by turn, joined with each turn's numbers, in turn order. */
export function sessionTurns(mt: MultiTurnRecord): SessionTurn[] {
  const byTurn = new Map<number, SessionTurn>();
  const at = (turn: number) => {
    let t = byTurn.get(turn);
    if (!t) byTurn.set(turn, (t = { turn, messages: [] }));
    return t;
  };
  for (const e of mt.transcript ?? []) at(e.turn).messages.push(e);
  for (const s of mt.turns ?? []) at(s.turn).stats = s;
  return [...byTurn.values()].sort((a, b) => a.turn - b.turn);
}

/** Files, added and removed lines of a unified diff. */
export function diffStat(diff: string): { files: number; added: number; removed: number } {
  let files = 0;
  let added = 0;
  let removed = 0;
  for (const line of diff.split('\n')) {
    if (line.startsWith('diff --git ')) files++;
    else if (line.startsWith('+') && !line.startsWith('+++ ')) added++;
    else if (line.startsWith('-') && !line.startsWith('--- ')) removed++;
  }
  return { files, added, removed };
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** The session's header, our own words and numbers: how it ended, turns, memory, simulator. */
export function sessionHeader(mt: MultiTurnRecord): string {
  const ended = mt.termination_reason ? `ended by ${mt.termination_reason}` : 'not ended';
  return [
    ended,
    `${mt.turns_used} of ${mt.max_turns} turns`,
    `memory ${mt.memory_mode}`,
    `simulator ${mt.simulator_mode} ${usd(mt.simulator_usd ?? 0)}`,
  ].join(' · ');
}

/** Who speaks: `user (persona)`, `user (task)`, `user (persona, closing)` or `agent`. */
export function speaker(e: TranscriptEntry): string {
  if (e.role === 'assistant') return 'agent';
  return `user (${e.source}${e.closing ? ', closing' : ''})`;
}

/**
 * What a report says about one turn. `numbers` and `change` are our own words; `agent`, `paths`
 * and `error` came from the record and are clipped here, to be made inert by the surface.
 */
export interface TurnFacts {
  agent: string;
  /** Status, latency (and the agent's own time when it differs), cost, model and tool calls. */
  numbers: string[];
  /** `2 files changed (+3 −1)`, or '' when the turn changed nothing. */
  change: string;
  paths: string[];
  /** Changed paths not named. */
  more: number;
  error?: { code: string; message: string };
}

/** Untrusted parts' caps at scale 1; a turn over its bound is shown again at a smaller scale. */
const CAP = { agent: 200, path: 200, paths: 5, error: 300 };
const clip = (s: string, max: number) => (max <= 0 ? '' : clipHead(s, max));

/** A turn's facts with the untrusted parts' caps scaled (0: numbers and our words only). */
export function turnFacts(s: TurnEntry, scale = 1): TurnFacts {
  const cap = (n: number) => Math.ceil(n * scale);
  // The agent's own time, when it reads differently from the turn's (the rest is overhead).
  const agentTime = ms(s.agent_ms) !== ms(s.latency_ms) ? ` (agent ${ms(s.agent_ms)})` : '';
  const paths = s.changed_paths ?? [];
  const d = diffStat(s.diff ?? '');
  const files = Math.max(paths.length, d.files);
  const named = paths.slice(0, cap(CAP.paths)).map((p) => clip(p, cap(CAP.path)));
  return {
    agent: clip(s.agent ?? '', cap(CAP.agent)),
    numbers: [
      s.status,
      `${ms(s.latency_ms)}${agentTime}`,
      usd(s.cost_usd),
      plural(s.model_calls, 'model call'),
      plural(s.tool_calls, 'tool call'),
    ],
    change: files || s.diff ? `${plural(files, 'file')} changed (+${d.added} −${d.removed})` : '',
    paths: named.filter(Boolean),
    more: paths.length - named.filter(Boolean).length,
    ...(s.error
      ? {
          error: {
            code: clip(s.error.code ?? '', cap(CAP.agent)) || s.error.class,
            message: clip(s.error.message ?? '', cap(CAP.error)),
          },
        }
      : {}),
  };
}

/** How a surface writes each part of a session; every untrusted string goes through it. */
export interface SessionSurface {
  bounds: SessionBounds;
  header(text: string): string;
  /** One message: `who` is ours, `text` is untrusted (already clipped), `cut` ours or ''. */
  message(turn: number, who: string, text: string, cut: string): string;
  /** A turn's numbers, diff stat and error. */
  stats(turn: number, facts: TurnFacts): string;
  /** Where `n` turns, `first`..`last`, were left out. */
  gap(n: number, first: number, last: number): string;
  /** Joins the blocks (header, turns, gap) into the section. */
  join(blocks: string[]): string;
}

const bytes = (s: string) => Buffer.byteLength(s);

/** The note after a cut message: how much of it is shown. */
function cutNote(kept: number, total: number): string {
  const n = (x: number) => x.toLocaleString('en-US');
  return `(cut: ${n(kept)} of ${n(total)} characters shown)`;
}

/**
 * One message within the bounds: at most `messageChars` characters, then fewer (halving) while
 * its inert rendering is over `messageBytes`; a cut is named with what was kept.
 */
function fitMessage(surface: SessionSurface, turn: number, who: string, content: string): string {
  const { messageChars, messageBytes } = surface.bounds;
  const total = content.length;
  let keep = Math.min(total, messageChars);
  for (;;) {
    const cut = keep < total;
    // clipHead keeps keep-1 characters and an ellipsis.
    const text = cut ? clipHead(content, keep) : content;
    const out = surface.message(turn, who, text, cut ? cutNote(keep - 1, total) : '');
    if (bytes(out) <= messageBytes || keep <= 1) return out;
    keep = Math.max(1, Math.floor(keep / 2));
  }
}

/** A turn's numbers within half a message: the untrusted parts shrink until they fit. */
function fitStats(surface: SessionSurface, turn: number, s: TurnEntry): string {
  let out = '';
  for (const scale of [1, 0.5, 0.25, 0.1, 0]) {
    out = surface.stats(turn, turnFacts(s, scale));
    if (bytes(out) <= surface.bounds.messageBytes / 2) break;
  }
  return out;
}

function turnBlock(surface: SessionSurface, t: SessionTurn): string {
  const parts = t.messages.map((e) => fitMessage(surface, t.turn, speaker(e), e.content ?? ''));
  if (t.stats) parts.push(fitStats(surface, t.turn, t.stats));
  return surface.join(parts);
}

/**
 * The session on a surface, within `totalBytes`: the header, then turns taken from both ends
 * (first, last, second, second to last, …) while they fit, and one note for the turns between.
 */
export function renderSession(mt: MultiTurnRecord, surface: SessionSurface): string {
  const turns = sessionTurns(mt);
  const header = surface.header(sessionHeader(mt));
  const gapRoom = bytes(surface.gap(turns.length, 999_999, 999_999)) + 2;
  let room = surface.bounds.totalBytes - bytes(header) - gapRoom;
  // Blocks are rendered as they are taken: a long session costs what it shows, not its length.
  const first: string[] = [];
  const last: string[] = [];
  let head = 0;
  let tail = turns.length;
  for (let fromHead = true; head < tail; fromHead = !fromHead) {
    const block = turnBlock(surface, turns[fromHead ? head : tail - 1]);
    const need = bytes(block) + 2;
    if (need > room) break;
    room -= need;
    if (fromHead) {
      first.push(block);
      head++;
    } else {
      last.unshift(block);
      tail--;
    }
  }
  const gap = head < tail ? [surface.gap(tail - head, turns[head].turn, turns[tail - 1].turn)] : [];
  return surface.join([header, ...first, ...gap, ...last]);
}

const turnRange = (n: number, first: number, last: number) =>
  `${plural(n, 'turn')} not shown (${first === last ? `turn ${first}` : `turns ${first}–${last}`})`;

/**
 * GitHub Markdown: one paragraph per message, each made inert by mdProse (lines joined by
 * `<br>`), so nothing in a message can open a block, a tag, a mention or a reference.
 */
export const markdownSessionSurface: SessionSurface = {
  bounds: MARKDOWN_SESSION_BOUNDS,
  header: (text) => `**Session** · ${mdText(text)}`,
  message: (turn, who, text, cut) =>
    `**turn ${turn} · ${mdText(who)}**: ${text ? mdProse(text) : '_(empty)_'}` +
    (cut ? ` _${mdText(cut)}_` : ''),
  stats: (turn, f) => {
    const agent = f.agent ? ` · ${mdCode(f.agent)}` : '';
    const out = [`↳ turn ${turn}${agent}`, ...f.numbers.map(mdText)];
    if (f.change) {
      const named = [...f.paths.map(mdCode), ...(f.more ? [`+${f.more} more`] : [])];
      out.push(`${mdText(f.change)}${named.length ? `: ${named.join(', ')}` : ''}`);
    }
    if (f.error) out.push(`error ${mdCode(f.error.code)}: ${mdText(f.error.message)}`);
    return out.join(' · ');
  },
  gap: (n, first, last) =>
    `_… ${turnRange(n, first, last)}; the full record has the whole transcript._`,
  join: (blocks) => blocks.join('\n\n'),
};

/**
 * A terminal: plain text with terminal sequences and controls removed; a message's further
 * lines are indented under its `turn N · who:` line.
 */
export const terminalSessionSurface: SessionSurface = {
  bounds: TERMINAL_SESSION_BOUNDS,
  header: (text) => plainLine(text),
  message: (turn, who, text, cut) => {
    const lines = plainText(text).replace(/\n+$/, '').split('\n');
    const body = [lines[0], ...lines.slice(1).map((l) => `    ${l}`)].join('\n');
    const note = cut ? `\n    ${cut}` : '';
    return `turn ${turn} · ${plainLine(who)}: ${text ? body : '(empty)'}${note}`;
  },
  stats: (_turn, f) => {
    const out = [`  ↳ ${f.agent ? plainLine(f.agent) : 'agent'}`, ...f.numbers];
    if (f.change) {
      const named = [...f.paths.map(plainLine), ...(f.more ? [`+${f.more} more`] : [])];
      out.push(`${f.change}${named.length ? `: ${named.join(', ')}` : ''}`);
    }
    if (f.error) out.push(`error ${plainLine(f.error.code)}: ${plainLine(f.error.message)}`);
    return out.join(' · ');
  },
  gap: (n, first, last) => `… ${turnRange(n, first, last)}; --json has the whole transcript`,
  join: (blocks) => blocks.join('\n'),
};

/** The session as inert GitHub Markdown, within MARKDOWN_SESSION_BOUNDS. */
export function sessionMarkdown(mt: MultiTurnRecord): string {
  return renderSession(mt, markdownSessionSurface);
}

/** The session as inert terminal text, within TERMINAL_SESSION_BOUNDS. */
export function sessionText(mt: MultiTurnRecord): string {
  return renderSession(mt, terminalSessionSurface);
}
