import type { StructureCard, ToolCallRecord, Topology, TraceEvent } from '../results/record.js';

/**
 * The multi-agent structure card (seed 001), reconstructed at read time from what the run left:
 *
 * - An actor_id is a path of actor ids joined by `/` (`orchestrator/billing/refunds`): each
 *   adjacent pair is a delegation edge, and the last segment is the caller. Empty segments
 *   (`a//b`, a leading or trailing `/`) and blanks around a segment are dropped; an actor_id with
 *   no segment left names nobody and counts as absent. Paths come from tool calls and from every
 *   trace event that carries an actor_id.
 * - A `handoff` trace event is a peer transfer from `data.from` to `data.to`; without a string
 *   `data.from`, the event's own actor_id (its caller) is the from. Either end may be written as
 *   a path: its last segment is the actor. An event with no from or no to is not a handoff.
 *   Handoffs are ordered by occurred_at (the agent's `__occurred_at`, else arrival), then by
 *   the order they arrived; they may form cycles.
 * - The root is the declared topology's first agent; without a topology, the first segment most
 *   paths start with (the earliest seen on a tie); without any path, the first handoff's from.
 *   Sub-agents are the observed actors other than the root; the delegation depth is the number
 *   of edges of the longest path.
 * - A call without an actor_id is credited to a declared node only when exactly one declared
 *   node lists its tool; otherwise it is unattributed. Nothing is guessed.
 * - Everything here came from the agent, so it is bounded: ids are clipped to 256 characters
 *   and each list of the card to STRUCTURE_LIMITS, with what was left out counted in `omitted`.
 *   Maps, never plain objects, hold ids, so `__proto__` is just a name.
 */

export const STRUCTURE_LIMITS = {
  /** Characters of one actor id, tool name or timestamp (the gateway clips actor_id alike). */
  idChars: 256,
  roster: 200,
  /** Tools named on one roster entry. */
  tools: 50,
  relationships: 400,
  handoffTimeline: 200,
  /** Each of the divergence lists. */
  divergence: 100,
} as const;

/** How many entries each bounded list of the card left out (only the lists that were cut). */
export interface StructureOmitted {
  roster?: number;
  /** Tool names left out across all roster entries. */
  tools?: number;
  relationships?: number;
  handoff_timeline?: number;
  declared_only_nodes?: number;
  undeclared_nodes?: number;
  declared_only_edges?: number;
  undeclared_edges?: number;
}

/**
 * The stored card with the counts of what its bounds left out. `omitted` is absent when nothing
 * was cut; it is an addition to StructureCard that the stored schema should take in.
 */
export interface BoundedStructureCard extends StructureCard {
  omitted?: StructureOmitted;
}

export interface StructureInput {
  toolCalls: ToolCallRecord[];
  traceEvents: TraceEvent[];
  topology: Topology | null;
}

type EdgeKind = StructureCard['relationships'][number]['kind'];
type Roster = StructureCard['roster'][number];
interface Edge {
  from: string;
  to: string;
  kind: EdgeKind;
  count: number;
}

/** Keeps at most `max` characters, never splitting a surrogate pair. */
function clipId(s: string, max: number = STRUCTURE_LIMITS.idChars): string {
  if (s.length <= max) return s;
  return s.slice(0, /[\ud800-\udbff]/.test(s[max - 1]) ? max - 1 : max);
}

/** The actor ids of an actor_id path, first (the outermost delegator) to last (the caller). */
export function actorPath(raw: unknown): string[] {
  if (typeof raw !== 'string') return [];
  return clipId(raw)
    .split('/')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The actor an id or a path names: its last segment, or undefined. */
const actorOf = (raw: unknown) => actorPath(raw).at(-1);

// JSON of the triple: ids may hold any character, so no separator could keep keys apart.
const edgeKey = (kind: EdgeKind, from: string, to: string) => JSON.stringify([kind, from, to]);

/** Where `items` was cut at `max`: the kept items and how many were left out. */
function bound<T>(items: T[], max: number): [T[], number] {
  return [items.slice(0, max), Math.max(0, items.length - max)];
}

/** What the run shows: actors with their calls and tools, edges, paths, handoffs in order. */
class Observed {
  /** Actors in the order first seen; the calls credited to each and the tools it called. */
  readonly actors = new Map<string, { calls: number; tools: Set<string> }>();
  readonly edges = new Map<string, Edge>();
  /** How many paths start with each first segment, in the order first seen. */
  readonly starts = new Map<string, number>();
  depth = 0;
  handoffs: { at: string; time: number; from: string; to: string }[] = [];
  /** Tool calls with a path. */
  derived = 0;
  /** Calls without a path, by the single declared node that owns their tool. */
  readonly credited = new Map<string, number>();
  unattributed = 0;

  actor(id: string) {
    let a = this.actors.get(id);
    if (!a) this.actors.set(id, (a = { calls: 0, tools: new Set() }));
    return a;
  }

  edge(kind: EdgeKind, from: string, to: string, seen: Set<string>) {
    const key = edgeKey(kind, from, to);
    // An edge a path runs through twice (a cycle) is counted once for that path.
    if (seen.has(key)) return;
    seen.add(key);
    const e = this.edges.get(key);
    if (e) e.count++;
    else this.edges.set(key, { from, to, kind, count: 1 });
  }

  /** Records a path's actors and delegation edges; returns its caller. */
  path(segments: string[]): string | undefined {
    if (!segments.length) return undefined;
    this.starts.set(segments[0], (this.starts.get(segments[0]) ?? 0) + 1);
    this.depth = Math.max(this.depth, segments.length - 1);
    const seen = new Set<string>();
    segments.forEach((id, i) => {
      this.actor(id);
      if (i) this.edge('delegation', segments[i - 1], id, seen);
    });
    return segments.at(-1);
  }
}

/** The declared topology, normalised: nodes in order with their tools, edges, tool owners. */
interface Declared {
  nodes: Map<string, Set<string>>;
  edges: Map<string, { from: string; to: string; kind: EdgeKind }>;
  /** Each tool's declared owners. */
  owners: Map<string, string[]>;
}

function declared(topology: Topology | null): Declared {
  const nodes = new Map<string, Set<string>>();
  const edges = new Map<string, { from: string; to: string; kind: EdgeKind }>();
  const add = (kind: EdgeKind, from: unknown, to: unknown) => {
    const f = actorOf(from);
    const t = actorOf(to);
    if (f && t) edges.set(edgeKey(kind, f, t), { from: f, to: t, kind });
  };
  for (const a of topology?.agents ?? []) {
    const id = actorOf(a?.id);
    if (!id) continue;
    const tools = nodes.get(id) ?? new Set<string>();
    nodes.set(id, tools);
    for (const t of a.tools ?? []) if (typeof t === 'string' && t) tools.add(clipId(t));
    for (const d of a.delegates_to ?? []) add('delegation', id, d);
  }
  for (const h of topology?.handoffs ?? []) if (Array.isArray(h)) add('handoff', h[0], h[1]);
  const owners = new Map<string, string[]>();
  for (const [id, tools] of nodes)
    for (const t of tools) owners.set(t, [...(owners.get(t) ?? []), id]);
  return { nodes, edges, owners };
}

/** A handoff event's time for ordering: occurred_at, else arrival, else last. */
function eventTime(e: TraceEvent): number {
  for (const s of [e.occurred_at, e.received_at]) {
    const t = typeof s === 'string' ? Date.parse(s) : NaN;
    if (!Number.isNaN(t)) return t;
  }
  return Number.POSITIVE_INFINITY;
}

/**
 * Tool calls first (each with a path is derived; without one, credited to its single declared
 * owner or unattributed), then trace events' paths, then the handoffs in time order.
 */
function observe(input: StructureInput, decl: Declared): Observed {
  const seen = new Observed();
  for (const c of input.toolCalls ?? []) {
    const tool = clipId(typeof c?.name === 'string' ? c.name : '');
    const caller = seen.path(actorPath(c?.actor_id));
    if (caller) {
      seen.derived++;
      const a = seen.actor(caller);
      a.calls++;
      if (tool) a.tools.add(tool);
      continue;
    }
    const owners = tool ? (decl.owners.get(tool) ?? []) : [];
    if (owners.length === 1) {
      seen.credited.set(owners[0], (seen.credited.get(owners[0]) ?? 0) + 1);
    } else seen.unattributed++;
  }
  for (const e of input.traceEvents ?? []) {
    // The sender's path is an observation of its own, whatever the event says.
    const caller = seen.path(actorPath(e?.actor_id));
    if (e?.type !== 'handoff') continue;
    const data: Record<string, unknown> = e.data && typeof e.data === 'object' ? e.data : {};
    const from = typeof data.from === 'string' ? actorOf(data.from) : caller;
    const to = actorOf(data.to);
    if (!from || !to) continue;
    const time = eventTime(e);
    const at = Number.isFinite(time) ? new Date(time).toISOString() : '';
    seen.handoffs.push({ at, time, from, to });
  }
  // Array.prototype.sort is stable: equal times keep the order the events arrived in.
  seen.handoffs.sort((a, b) => (a.time === b.time ? 0 : a.time < b.time ? -1 : 1));
  for (const h of seen.handoffs) {
    seen.actor(h.from);
    seen.actor(h.to);
    seen.edge('handoff', h.from, h.to, new Set());
  }
  return seen;
}

/** The root: the topology's first agent, else the most common first segment, else a handoff's. */
function rootOf(seen: Observed, decl: Declared): string | undefined {
  const first = decl.nodes.keys().next();
  if (!first.done) return first.value;
  let root: string | undefined;
  let most = 0;
  for (const [id, n] of seen.starts) if (n > most) [root, most] = [id, n];
  return root ?? seen.handoffs[0]?.from;
}

/** `a` then the items of `b` that are not in `a`, in order. */
const union = (a: Iterable<string>, b: Iterable<string>) => [...new Set([...a, ...b])];

/**
 * The structure card of a run, or null for a single-agent run: no actor other than the root, no
 * handoff, and no topology of more than one agent.
 */
export function structureCard(input: StructureInput): BoundedStructureCard | null {
  const decl = declared(input.topology ?? null);
  const seen = observe(input, decl);
  const root = rootOf(seen, decl);
  const subAgents = [...seen.actors.keys()].filter((id) => id !== root).length;
  // The card is about what the run did: a run in which only the root acted is single-agent,
  // whatever the system's declared shape.
  if (subAgents === 0 && seen.handoffs.length === 0) return null;
  const isDeclared = Boolean(input.topology);
  const omitted: StructureOmitted = {};
  const cut = <T>(items: T[], max: number, what: keyof StructureOmitted): T[] => {
    const [kept, left] = bound(items, max);
    if (left) omitted[what] = (omitted[what] ?? 0) + left;
    return kept;
  };

  // Roster: the root first, then actors as first observed, then declared-only ones in order.
  const ids = union(root ? [root] : [], union(seen.actors.keys(), decl.nodes.keys()));
  const roster = cut(ids, STRUCTURE_LIMITS.roster, 'roster').map((actor): Roster => {
    const observed = seen.actors.get(actor);
    const owned = decl.nodes.get(actor);
    const tools = union(owned ?? [], observed?.tools ?? []);
    return {
      actor,
      tools: cut(tools, STRUCTURE_LIMITS.tools, 'tools'),
      calls: (observed?.calls ?? 0) + (seen.credited.get(actor) ?? 0),
      provenance: observed && owned ? 'observed+declared' : observed ? 'observed' : 'declared',
    };
  });

  // Relationships: what the run exercised, then declared edges it never used. A pair of nodes
  // the design connects is declared whichever way the run crossed it (a delegation edge used
  // for a handoff, or the reverse), so divergence compares pairs, not kinds.
  const pairKey = (e: { from: string; to: string }) => JSON.stringify([e.from, e.to]);
  const seenPairs = new Set([...seen.edges.values()].map(pairKey));
  const declPairs = new Set([...decl.edges.values()].map(pairKey));
  const unused = [...decl.edges.values()].filter((e) => !seenPairs.has(pairKey(e)));
  const relationships = cut(
    [
      ...[...seen.edges.values()].map((e) => ({ ...e, exercised: true })),
      ...unused.map((e) => ({ ...e, count: 0, exercised: false })),
    ],
    STRUCTURE_LIMITS.relationships,
    'relationships',
  );

  // Divergence only means something against a declaration.
  const pairs = (edges: { from: string; to: string }[]) => {
    const byPair = new Map(edges.map((e) => [JSON.stringify([e.from, e.to]), e]));
    return [...byPair.values()].map(({ from, to }) => ({ from, to }));
  };
  const D = STRUCTURE_LIMITS.divergence;
  const divergence = {
    declared_only_nodes: isDeclared
      ? cut(
          [...decl.nodes.keys()].filter((id) => !seen.actors.has(id)),
          D,
          'declared_only_nodes',
        )
      : [],
    undeclared_nodes: isDeclared
      ? cut(
          [...seen.actors.keys()].filter((id) => !decl.nodes.has(id)),
          D,
          'undeclared_nodes',
        )
      : [],
    declared_only_edges: isDeclared ? cut(pairs(unused), D, 'declared_only_edges') : [],
    undeclared_edges: isDeclared
      ? cut(
          pairs([...seen.edges.values()].filter((e) => !declPairs.has(pairKey(e)))),
          D,
          'undeclared_edges',
        )
      : [],
  };

  const card: BoundedStructureCard = {
    summary: {
      sub_agents: subAgents,
      delegation_depth: seen.depth,
      handoffs: seen.handoffs.length,
      declared: isDeclared,
    },
    attribution: {
      derived: seen.derived,
      credited_via_owner: [...seen.credited.values()].reduce((a, b) => a + b, 0),
      unattributed: seen.unattributed,
    },
    divergence,
    roster,
    relationships,
    handoff_timeline: cut(
      seen.handoffs.map(({ at, from, to }) => ({ at, from, to })),
      STRUCTURE_LIMITS.handoffTimeline,
      'handoff_timeline',
    ),
  };
  if (Object.keys(omitted).length) card.omitted = omitted;
  return card;
}
