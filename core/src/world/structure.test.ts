import { describe, expect, it } from 'vitest';
import type { Topology } from '../config/types.js';
import type { ToolCallRecord, TraceEvent } from '../results/record.js';
import { actorPath, STRUCTURE_LIMITS, structureCard } from './structure.js';

let n = 0;
function call(name: string, actor_id?: string): ToolCallRecord {
  return {
    id: `c${++n}`,
    name,
    source: 'odyssey',
    args: {},
    latency_ms: 5,
    started_at: '2026-11-23T10:00:00.000Z',
    ...(actor_id !== undefined ? { actor_id } : {}),
  };
}

function handoff(at: string, data: Record<string, unknown>, actor_id?: string): TraceEvent {
  return {
    type: 'handoff',
    occurred_at: at,
    received_at: '2026-11-23T10:00:09.000Z',
    data,
    ...(actor_id !== undefined ? { actor_id } : {}),
  };
}

const card = (toolCalls: ToolCallRecord[], traceEvents: TraceEvent[] = [], topology = null) =>
  structureCard({ toolCalls, traceEvents, topology });

describe('actor_id paths', () => {
  it('split on `/`, dropping empty and blank segments', () => {
    expect(actorPath('orchestrator/billing/refunds')).toEqual([
      'orchestrator',
      'billing',
      'refunds',
    ]);
    expect(actorPath('/a//b/ ')).toEqual(['a', 'b']);
    expect(actorPath(' a / b ')).toEqual(['a', 'b']);
    expect(actorPath('//')).toEqual([]);
    expect(actorPath(42)).toEqual([]);
  });

  it('are clipped at 256 characters before they are split, never inside a surrogate pair', () => {
    const long = `root/${'x'.repeat(100_000)}/tail`;
    const path = actorPath(long);
    expect(path).toEqual(['root', 'x'.repeat(251)]);
    const emoji = `${'a'.repeat(255)}😀`;
    expect(actorPath(emoji)).toEqual(['a'.repeat(255)]);
  });
});

describe('the structure card from tool-call paths', () => {
  it('makes each adjacent pair a delegation edge and the last segment the caller', () => {
    const c = card([
      call('route', 'orchestrator'),
      call('refund', 'orchestrator/billing/refunds'),
      call('refund', 'orchestrator/billing/refunds'),
      call('lookup', 'orchestrator/billing'),
    ])!;
    expect(c.summary).toEqual({ sub_agents: 2, delegation_depth: 2, handoffs: 0, declared: false });
    expect(c.attribution).toEqual({ derived: 4, credited_via_owner: 0, unattributed: 0 });
    expect(c.roster).toEqual([
      { actor: 'orchestrator', tools: ['route'], calls: 1, provenance: 'observed' },
      { actor: 'billing', tools: ['lookup'], calls: 1, provenance: 'observed' },
      { actor: 'refunds', tools: ['refund'], calls: 2, provenance: 'observed' },
    ]);
    expect(c.relationships).toEqual([
      { from: 'orchestrator', to: 'billing', kind: 'delegation', count: 3, exercised: true },
      { from: 'billing', to: 'refunds', kind: 'delegation', count: 2, exercised: true },
    ]);
    // Without a declaration there is nothing to diverge from.
    expect(c.divergence).toEqual({
      declared_only_nodes: [],
      undeclared_nodes: [],
      declared_only_edges: [],
      undeclared_edges: [],
    });
    expect(c.handoff_timeline).toEqual([]);
    expect(c.omitted).toBeUndefined();
  });

  it('is null for a single-agent run', () => {
    expect(card([call('a'), call('b')])).toBeNull();
    expect(card([call('a', 'main'), call('b', 'main')])).toBeNull();
    expect(card([call('a', 'main')], [], null)).toBeNull();
    const one: Topology = { agents: [{ id: 'main', tools: ['a'] }] };
    expect(structureCard({ toolCalls: [call('a')], traceEvents: [], topology: one })).toBeNull();
    // One declared agent but another one observed is multi-agent.
    const other = structureCard({ toolCalls: [call('a', 'x')], traceEvents: [], topology: one });
    expect(other?.summary.sub_agents).toBe(1);
    expect(other?.divergence.undeclared_nodes).toEqual(['x']);
    expect(other?.divergence.declared_only_nodes).toEqual(['main']);
  });

  it('takes the most common first segment as the root, the earliest on a tie', () => {
    // `b` starts two paths, `a` one: b is the root, a and c are sub-agents.
    const c = card([call('t', 'a'), call('t', 'b/c'), call('t', 'b')])!;
    expect(c.roster.map((r) => r.actor)).toEqual(['b', 'a', 'c']);
    expect(c.summary.sub_agents).toBe(2);
    const tie = card([call('t', 'a'), call('t', 'b')])!;
    expect(tie.roster[0].actor).toBe('a');
    expect(tie.summary.sub_agents).toBe(1);
  });

  it("counts trace events' paths as observations (and never as calls)", () => {
    const ev: TraceEvent = {
      type: 'thinking',
      occurred_at: '2026-11-23T10:00:00.000Z',
      received_at: '2026-11-23T10:00:00.000Z',
      actor_id: 'lead/researcher',
      data: {},
    };
    const c = card([call('t', 'lead')], [ev])!;
    expect(c.summary.sub_agents).toBe(1);
    expect(c.attribution.derived).toBe(1);
    expect(c.roster).toContainEqual({
      actor: 'researcher',
      tools: [],
      calls: 0,
      provenance: 'observed',
    });
  });
});

describe('handoffs', () => {
  it('order peer transfers by occurred_at, cycles included, from data.from or the actor_id', () => {
    const c = card(
      [call('t', 'triage')],
      [
        handoff('2026-11-23T10:00:03.000Z', { to: 'triage' }, 'orchestrator/billing'),
        handoff('2026-11-23T10:00:01.000Z', { from: 'triage', to: 'billing' }),
        handoff('2026-11-23T10:00:02.000Z', { from: 'billing', to: 'support/triage' }, 'x'),
        // No to, or no from at all: not a handoff.
        handoff('2026-11-23T10:00:00.000Z', { from: 'triage' }),
        handoff('2026-11-23T10:00:00.000Z', { to: 'billing' }),
      ],
    )!;
    expect(c.handoff_timeline).toEqual([
      { at: '2026-11-23T10:00:01.000Z', from: 'triage', to: 'billing' },
      { at: '2026-11-23T10:00:02.000Z', from: 'billing', to: 'triage' },
      { at: '2026-11-23T10:00:03.000Z', from: 'billing', to: 'triage' },
    ]);
    expect(c.summary.handoffs).toBe(3);
    const handoffs = c.relationships.filter((r) => r.kind === 'handoff');
    expect(handoffs).toEqual([
      { from: 'triage', to: 'billing', kind: 'handoff', count: 1, exercised: true },
      { from: 'billing', to: 'triage', kind: 'handoff', count: 2, exercised: true },
    ]);
  });

  it('keep arrival order for equal times, and make a handoff-only run multi-agent', () => {
    const at = '2026-11-23T10:00:00.000Z';
    const c = card([], [handoff(at, { from: 'a', to: 'b' }), handoff(at, { from: 'b', to: 'a' })])!;
    expect(c.handoff_timeline.map((h) => `${h.from}>${h.to}`)).toEqual(['a>b', 'b>a']);
    // No path: the first handoff's from is the root.
    expect(c.summary).toMatchObject({ sub_agents: 1, delegation_depth: 0, handoffs: 2 });
  });
});

describe('grounding against the declared topology', () => {
  const topology: Topology = {
    agents: [
      { id: 'orchestrator', tools: ['route'], delegates_to: ['billing', 'audit'] },
      { id: 'billing', tools: ['refund', 'lookup'] },
      { id: 'support', tools: ['lookup'] },
      { id: 'audit', tools: ['log'] },
    ],
    handoffs: [['billing', 'support']],
  };

  it('credits a call without actor_id to a single owner only, and names divergence', () => {
    const toolCalls = [
      call('route', 'orchestrator'),
      call('refund', 'orchestrator/billing'),
      call('refund'), // billing alone owns refund: credited
      call('lookup'), // billing and support own lookup: unattributed
      call('mystery'), // nobody owns it: unattributed
      call('log', '//'), // an actor_id naming nobody counts as absent: credited to audit
      call('scrape', 'orchestrator/rogue'),
    ];
    const c = structureCard({ toolCalls, traceEvents: [], topology })!;
    expect(c.summary).toEqual({ sub_agents: 2, delegation_depth: 1, handoffs: 0, declared: true });
    expect(c.attribution).toEqual({ derived: 3, credited_via_owner: 2, unattributed: 2 });
    const total = c.attribution.derived + c.attribution.credited_via_owner;
    expect(total + c.attribution.unattributed).toBe(toolCalls.length);
    expect(c.roster).toEqual([
      { actor: 'orchestrator', tools: ['route'], calls: 1, provenance: 'observed+declared' },
      { actor: 'billing', tools: ['refund', 'lookup'], calls: 2, provenance: 'observed+declared' },
      { actor: 'rogue', tools: ['scrape'], calls: 1, provenance: 'observed' },
      { actor: 'support', tools: ['lookup'], calls: 0, provenance: 'declared' },
      // Credited calls count for the owner, but crediting is not an observation.
      { actor: 'audit', tools: ['log'], calls: 1, provenance: 'declared' },
    ]);
    expect(c.divergence).toEqual({
      declared_only_nodes: ['support', 'audit'],
      undeclared_nodes: ['rogue'],
      declared_only_edges: [
        { from: 'orchestrator', to: 'audit' },
        { from: 'billing', to: 'support' },
      ],
      undeclared_edges: [{ from: 'orchestrator', to: 'rogue' }],
    });
    expect(c.relationships).toEqual([
      { from: 'orchestrator', to: 'billing', kind: 'delegation', count: 1, exercised: true },
      { from: 'orchestrator', to: 'rogue', kind: 'delegation', count: 1, exercised: true },
      { from: 'orchestrator', to: 'audit', kind: 'delegation', count: 0, exercised: false },
      { from: 'billing', to: 'support', kind: 'handoff', count: 0, exercised: false },
    ]);
  });

  it("roots at the topology's first agent even when paths start elsewhere", () => {
    const c = structureCard({
      toolCalls: [call('refund', 'billing'), call('refund', 'billing')],
      traceEvents: [],
      topology,
    })!;
    expect(c.roster[0]).toMatchObject({ actor: 'orchestrator', provenance: 'declared' });
    expect(c.summary.sub_agents).toBe(1);
  });

  it('compares node pairs: a declared delegation crossed as a handoff is not a divergence', () => {
    const c = structureCard({
      toolCalls: [],
      traceEvents: [handoff('2026-11-23T10:00:00Z', { from: 'orchestrator', to: 'billing' })],
      topology,
    })!;
    expect(c.divergence.undeclared_edges).toEqual([]);
    expect(c.divergence.declared_only_edges).not.toContainEqual({
      from: 'orchestrator',
      to: 'billing',
    });
    const back = structureCard({
      toolCalls: [],
      traceEvents: [handoff('2026-11-23T10:00:00Z', { from: 'billing', to: 'orchestrator' })],
      topology,
    })!;
    expect(back.divergence.undeclared_edges).toEqual([{ from: 'billing', to: 'orchestrator' }]);
  });

  it('is no card when only the root acted, even for a declared topology of several agents', () => {
    expect(structureCard({ toolCalls: [call('mystery')], traceEvents: [], topology })).toBeNull();
    expect(
      structureCard({ toolCalls: [call('mystery', 'orchestrator')], traceEvents: [], topology }),
    ).toBeNull();
  });
});

describe('hostile actor ids', () => {
  it('are names like any other: __proto__, constructor, toString', () => {
    const c = card([
      call('__proto__', '__proto__/constructor'),
      call('hasOwnProperty', '__proto__/toString'),
    ])!;
    expect(c.roster.map((r) => r.actor)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(c.roster[1].tools).toEqual(['__proto__']);
    expect(c.relationships.map((r) => `${r.from}>${r.to}`)).toEqual([
      '__proto__>constructor',
      '__proto__>toString',
    ]);
    expect(({} as Record<string, unknown>).constructor).toBe(Object);
  });

  it('keep ids apart that a separator would join', () => {
    const c = card(
      [],
      [
        handoff('2026-11-23T10:00:00Z', { from: 'a\u0000b', to: 'c' }),
        handoff('2026-11-23T10:00:01Z', { from: 'a', to: 'b\u0000c' }),
      ],
    )!;
    expect(c.relationships).toHaveLength(2);
  });

  it('count a cyclic path once per edge and its depth in edges', () => {
    const c = card([call('t', 'a/b/a/b/a')])!;
    expect(c.summary.delegation_depth).toBe(4);
    expect(c.summary.sub_agents).toBe(1);
    expect(c.relationships).toEqual([
      { from: 'a', to: 'b', kind: 'delegation', count: 1, exercised: true },
      { from: 'b', to: 'a', kind: 'delegation', count: 1, exercised: true },
    ]);
  });

  it('are bounded: clipped ids, and at most the limits of each list with the rest counted', () => {
    const many = Array.from({ length: 1000 }, (_, i) => call(`tool-${i % 70}`, `root/a${i}`));
    const huge = call('t', `root/${'y'.repeat(1_000_000)}`);
    const sameTools = Array.from({ length: 70 }, (_, i) => call(`tool-${i}`, 'root/a0'));
    const hand = Array.from({ length: 500 }, (_, i) =>
      handoff(new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), { from: `h${i}`, to: 'root' }),
    );
    const c = card([...many, huge, ...sameTools], hand)!;
    const R = STRUCTURE_LIMITS;
    expect(c.roster).toHaveLength(R.roster);
    expect(c.relationships).toHaveLength(R.relationships);
    expect(c.handoff_timeline).toHaveLength(R.handoffTimeline);
    expect(c.handoff_timeline[0].from).toBe('h0');
    expect(c.summary.handoffs).toBe(500);
    expect(c.summary.sub_agents).toBe(1000 + 1 + 500);
    expect(c.roster.find((r) => r.actor === 'a0')?.tools).toHaveLength(R.tools);
    expect(c.omitted).toMatchObject({
      roster: 1502 - R.roster,
      relationships: 1000 + 1 + 500 - R.relationships,
      handoff_timeline: 500 - R.handoffTimeline,
      tools: 70 - R.tools,
    });
    for (const r of c.roster) expect(r.actor.length).toBeLessThanOrEqual(R.idChars);
    expect(JSON.stringify(c).length).toBeLessThan(400_000);
  });

  it('bound the divergence lists against a declaration', () => {
    const topology: Topology = {
      agents: Array.from({ length: 300 }, (_, i) => ({ id: `d${i}`, delegates_to: [`d${i + 1}`] })),
    };
    const toolCalls = Array.from({ length: 300 }, (_, i) => call('t', `u${i}/v${i}`));
    const c = structureCard({ toolCalls, traceEvents: [], topology })!;
    const D = STRUCTURE_LIMITS.divergence;
    for (const list of Object.values(c.divergence)) expect(list).toHaveLength(D);
    expect(c.omitted).toMatchObject({
      declared_only_nodes: 300 - D,
      undeclared_nodes: 600 - D,
      declared_only_edges: 300 - D,
      undeclared_edges: 300 - D,
    });
  });
});
