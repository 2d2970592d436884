import type { StructureCard } from '../results/record.js';
import { clipHead, mdCode, mdText, plainLine } from '../util/untrusted-text.js';
import type { BoundedStructureCard, StructureOmitted } from '../world/structure.js';
import { markdownTable } from './format.js';

/**
 * The multi-agent structure card (seed 001) as the reports show it, in six parts: summary
 * stats, attribution integrity, declared-vs-observed divergence, the sub-agent roster, the
 * relationships, and the handoff timeline. Actor ids and tool names came from the agent: each
 * surface makes them inert, and the card stays within its bytes whatever the agent named.
 */

export interface CardBounds {
  /** Entries of each list (roster, relationships, timeline, divergence); the rest counted. */
  items: number;
  /** Characters of one actor id, tool name or time. */
  idChars: number;
  /** Bytes of the whole card once inert; its lists shrink until it fits. */
  bytes: number;
}

export const MARKDOWN_CARD_BOUNDS: CardBounds = { items: 20, idChars: 100, bytes: 6000 };
export const TERMINAL_CARD_BOUNDS: CardBounds = { items: 200, idChars: 256, bytes: 48_000 };

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const list = <T>(v: T[] | undefined): T[] => (Array.isArray(v) ? v : []);
const scaled = (n: number, scale: number) => (scale <= 0 ? 0 : Math.max(1, Math.ceil(n * scale)));

/** The card's numbers in our words: the summary line and the attribution line. */
function summaryWords(c: StructureCard): { summary: string; attribution: string } {
  const s = c.summary ?? ({} as StructureCard['summary']);
  const a = c.attribution ?? ({} as StructureCard['attribution']);
  return {
    summary: [
      plural(num(s.sub_agents), 'sub-agent'),
      `delegation depth ${num(s.delegation_depth)}`,
      plural(num(s.handoffs), 'handoff'),
      s.declared ? 'declared topology' : 'no declared topology',
    ].join(' · '),
    attribution: [
      `${num(a.derived)} derived`,
      `${num(a.credited_via_owner)} credited via a single declared owner`,
      `${num(a.unattributed)} unattributed`,
    ].join(' · '),
  };
}

/** A list cut at `max`, and how many it leaves out with what the card itself left out. */
function cut<T>(items: T[], max: number, omitted = 0): [T[], number] {
  return [items.slice(0, max), Math.max(0, items.length - max) + num(omitted)];
}

/** How a surface writes the parts; every id and tool name goes through `id`. */
interface CardSurface {
  bounds: CardBounds;
  /** An actor id or tool name, inert. */
  id(s: string): string;
  /** Our own words, made safe for the surface. */
  words(s: string): string;
  more(n: number, what: string): string;
  /** Assembles the parts: `summary` and `attribution` are lines, the rest lists of lines. */
  layout(p: CardParts): string;
}

interface CardParts {
  summary: string;
  attribution: string;
  divergence: string[];
  roster: StructureCard['roster'];
  moreRoster: number;
  relationships: string[];
  timeline: string[];
}

const omittedOf = (c: StructureCard): StructureOmitted => (c as BoundedStructureCard).omitted ?? {};

function parts(c: StructureCard, s: CardSurface, scale: number): CardParts {
  const max = scaled(s.bounds.items, scale);
  const chars = scaled(s.bounds.idChars, scale);
  const id = (v: unknown) => s.id(chars ? clipHead(String(v ?? ''), chars) : '');
  const edge = (e: { from: string; to: string }) => `${id(e.from)} → ${id(e.to)}`;
  const o = omittedOf(c);
  const d = c.divergence ?? ({} as StructureCard['divergence']);
  const divergence: string[] = [];
  const named = <T>(
    what: string,
    items: T[],
    omitted: number | undefined,
    show: (x: T) => string,
  ) => {
    const [kept, rest] = cut(list(items), max, omitted);
    if (kept.length || rest)
      divergence.push(
        `${s.words(what)} ${[...kept.map(show), ...(rest ? [s.more(rest, '')] : [])].join(', ')}`,
      );
  };
  named('declared-only nodes', d.declared_only_nodes, o.declared_only_nodes, id);
  named('undeclared nodes', d.undeclared_nodes, o.undeclared_nodes, id);
  named('declared-only edges', d.declared_only_edges, o.declared_only_edges, edge);
  named('undeclared edges', d.undeclared_edges, o.undeclared_edges, edge);
  if (!divergence.length)
    divergence.push(
      s.words(
        c.summary?.declared
          ? 'none: the run matched the declared topology'
          : 'no declared topology to compare with',
      ),
    );
  const [roster, moreRoster] = cut(list(c.roster), max, o.roster);
  const [rels, moreRels] = cut(list(c.relationships), max, o.relationships);
  const relationships = rels.map((r) => {
    const kind = r.kind === 'handoff' ? 'handoff' : 'delegation';
    const use = r.exercised ? `×${num(r.count)}` : 'declared, never exercised';
    return `${edge(r)} · ${s.words(`${kind} ${use}`)}`;
  });
  if (moreRels) relationships.push(s.more(moreRels, 'relationships'));
  const [hand, moreHand] = cut(list(c.handoff_timeline), max, o.handoff_timeline);
  const timeline = hand.map((h) => `${id(h.at)} · ${edge(h)}`);
  if (moreHand) timeline.push(s.more(moreHand, 'handoffs'));
  return {
    ...summaryWords(c),
    divergence,
    roster: roster.map((r) => ({
      ...r,
      actor: chars ? clipHead(String(r.actor ?? ''), chars) : '',
      tools: list(r.tools)
        .slice(0, max)
        .map((t) => (chars ? clipHead(String(t), chars) : '')),
    })),
    moreRoster,
    relationships,
    timeline,
  };
}

/** The card on a surface, its lists shrinking until it is within the surface's bytes. */
function renderCard(c: StructureCard, s: CardSurface): string {
  let out = '';
  for (const scale of [1, 0.5, 0.25, 0.1, 0]) {
    out = s.layout(parts(c, s, scale));
    if (Buffer.byteLength(out) <= s.bounds.bytes) break;
  }
  return out;
}

const PROVENANCE: Record<string, string> = {
  observed: 'observed',
  declared: 'declared',
  'observed+declared': 'observed+declared',
};
const provenance = (p: unknown) =>
  typeof p === 'string' && Object.hasOwn(PROVENANCE, p) ? PROVENANCE[p] : '?';

const terminalCard: CardSurface = {
  bounds: TERMINAL_CARD_BOUNDS,
  id: plainLine,
  words: (s) => s,
  more: (n, what) => `… ${n} more${what ? ` ${what}` : ''}`,
  layout: (p) => {
    const out = [p.summary, `attribution: ${p.attribution}`, 'divergence:'];
    out.push(...p.divergence.map((l) => `  ${l}`), 'roster:');
    for (const r of p.roster) {
      const tools = r.tools.length ? ` · tools ${r.tools.map(plainLine).join(', ')}` : '';
      out.push(
        `  ${plainLine(r.actor)} · ${provenance(r.provenance)} · ${plural(num(r.calls), 'call')}${tools}`,
      );
    }
    if (p.moreRoster) out.push(`  … ${p.moreRoster} more actors`);
    if (p.relationships.length) out.push('relationships:', ...p.relationships.map((l) => `  ${l}`));
    if (p.timeline.length) out.push('handoff timeline:', ...p.timeline.map((l) => `  ${l}`));
    return out.join('\n');
  },
};

const markdownCard: CardSurface = {
  bounds: MARKDOWN_CARD_BOUNDS,
  id: mdCode,
  words: mdText,
  more: (n, what) => `_… ${n} more${what ? ` ${what}` : ''}_`,
  layout: (p) => {
    const out = [
      `<details><summary>Multi-agent structure · ${mdText(p.summary)}</summary>`,
      '',
      `**Attribution** ${mdText(p.attribution)}`,
      '',
      `**Divergence** ${p.divergence.join(' · ')}`,
      '',
    ];
    if (p.roster.length) {
      const rows = p.roster.map((r) => [
        r.actor,
        provenance(r.provenance),
        String(num(r.calls)),
        r.tools.join(', '),
      ]);
      out.push(markdownTable(['Actor', 'Provenance', 'Calls', 'Tools'], rows), '');
    }
    if (p.moreRoster) out.push(`_… ${p.moreRoster} more actors_`, '');
    if (p.relationships.length)
      out.push('**Relationships**', '', ...p.relationships.map((l) => `- ${l}`), '');
    if (p.timeline.length)
      out.push('**Handoff timeline**', '', ...p.timeline.map((l) => `- ${l}`), '');
    out.push('</details>');
    return out.join('\n');
  },
};

/** The card as inert terminal text, within TERMINAL_CARD_BOUNDS. */
export function structureText(c: StructureCard): string {
  return renderCard(c, terminalCard);
}

/** The card as a collapsed, inert GitHub Markdown section, within MARKDOWN_CARD_BOUNDS. */
export function structureMarkdown(c: StructureCard): string {
  return renderCard(c, markdownCard);
}
