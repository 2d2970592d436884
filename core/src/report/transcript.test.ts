import { describe, expect, it } from 'vitest';
import type { MultiTurnRecord } from '../results/record.js';
import { markdownProblems, UNSAFE_CHARS } from '../test-support/hostile-text.js';
import { CODING_SESSION, longSession, REFUND_SESSION } from '../test-support/records.js';
import {
  diffStat,
  MARKDOWN_SESSION_BOUNDS,
  sessionMarkdown,
  sessionText,
  sessionTurns,
  TERMINAL_SESSION_BOUNDS,
} from './transcript.js';

const bytes = (s: string) => Buffer.byteLength(s);

describe('a session as the reports show it', () => {
  it('prints the header, each turn of the transcript and its numbers on a terminal', () => {
    expect(sessionText(REFUND_SESSION).split('\n')).toEqual([
      'ended by user_done · 2 of 6 turns · memory stateful · simulator persona $0.0012',
      'turn 1 · user (task): Help me fix my failed refund for order #4521.',
      'turn 1 · agent: I see the refund for order #4521 failed because the card on file has' +
        ' expired. Shall I reissue it as store credit, or to a new card?',
      '  ↳ support-bot · completed · 1.0 s · $0.0003 · 1 model call · 0 tool calls',
      'turn 2 · user (persona): Store credit is fine, go ahead.',
      'turn 2 · agent: Done: the $42.00 refund for order #4521 has been issued as store credit;' +
        ' it is in your account now.',
      '  ↳ support-bot · completed · 280 ms · $0.0004 · 1 model call · 0 tool calls',
      "turn 3 · user (persona, closing): Great, that's all I needed. Thanks!",
    ]);
  });

  it("gives a coding session's turns their diff stat and changed paths", () => {
    const text = sessionText(CODING_SESSION);
    expect(text).toContain('ended by max_turns · 2 of 2 turns · memory stateful');
    expect(text).toContain('simulator scripted $0');
    expect(text).toContain('turn 2 · user (scripted): Now add a subtract(a, b) function');
    expect(text).toMatch(/ · 1 file changed \(\+1 −1\): calc\.py$/m);
    expect(text).toMatch(/ · 2 files changed \(\+10 −1\): calc\.py, test_calc\.py$/m);
    const md = sessionMarkdown(CODING_SESSION);
    expect(md).toContain('**turn 1 · user (task)**: Fix add() in calc.py so the test suite');
    expect(md).toContain(
      '↳ turn 2 · <code>claude-code</code> · completed · 2.9 s (agent 2.5 s) · $0.088' +
        ' · 6 model calls · 0 tool calls · 2 files changed (+10 −1):' +
        ' <code>calc.py</code>, <code>test_calc.py</code>',
    );
    expect(markdownProblems(md)).toEqual([]);
  });

  it('groups the transcript by turn, the closing message in a turn without numbers', () => {
    const turns = sessionTurns(REFUND_SESSION);
    expect(turns.map((t) => [t.turn, t.messages.length, !!t.stats])).toEqual([
      [1, 2, true],
      [2, 2, true],
      [3, 1, false],
    ]);
    expect(diffStat(CODING_SESSION.cumulative_diff!)).toEqual({ files: 3, added: 11, removed: 2 });
  });

  it('cuts a long message and names the cut', () => {
    const mt: MultiTurnRecord = {
      ...REFUND_SESSION,
      transcript: [{ ...REFUND_SESSION.transcript[0], content: 'a'.repeat(25_000) }],
    };
    expect(sessionMarkdown(mt)).toContain(
      `**turn 1 · user (task)**: ${'a'.repeat(999)}… _(cut: 999 of 25,000 characters shown)_`,
    );
    expect(sessionText(mt)).toContain(`${'a'.repeat(3999)}…\n    (cut: 3,999 of 25,000 characters`);
  });

  it('cuts a message shorter when escaping would grow it past its byte bound', () => {
    const mt: MultiTurnRecord = {
      ...REFUND_SESSION,
      transcript: [{ ...REFUND_SESSION.transcript[0], content: '`@#<\u202e'.repeat(400) }],
    };
    const md = sessionMarkdown(mt).split('\n\n')[1];
    expect(bytes(md)).toBeLessThanOrEqual(MARKDOWN_SESSION_BOUNDS.messageBytes);
    expect(md).toMatch(/_\(cut: \d+ of 2,000 characters shown\)_$/);
    expect(markdownProblems(md)).toEqual([]);
  });

  it('keeps the first and the last turns of a long session and counts those left out', () => {
    const mt = longSession(50, (turn) => `message of turn ${turn}: ${'lorem ipsum '.repeat(300)}`);
    for (const [text, bound] of [
      [sessionMarkdown(mt), MARKDOWN_SESSION_BOUNDS.totalBytes],
      [sessionText(mt), TERMINAL_SESSION_BOUNDS.totalBytes],
    ] as const) {
      expect(bytes(text)).toBeLessThanOrEqual(bound);
      expect(text).toContain('turn 1 · user (task)');
      expect(text).toContain('turn 51 · user (persona, closing)');
      expect(text).toContain('turn 50 · agent');
      const [, n, first, last] = /(\d+) turns not shown \(turns (\d+)–(\d+)\)/.exec(text)!;
      expect(Number(last) - Number(first) + 1).toBe(Number(n));
      // Nothing between the shown turns is shown, and nothing around them is left out.
      expect(text).not.toContain(`turn ${first} · agent`);
      expect(text).not.toContain(`turn ${last} · agent`);
      expect(text).toContain(`turn ${Number(first) - 1} · agent`);
      expect(text).toContain(`turn ${Number(last) + 1} · user`);
    }
  });

  it('shows a session that fits whole without a gap note', () => {
    expect(sessionMarkdown(REFUND_SESSION)).not.toMatch(/not shown/);
    expect(sessionText(longSession(10, () => 'short'))).not.toMatch(/not shown/);
  });

  it("shrinks a turn's names, paths and error when they would take more than a message", () => {
    const huge = '<@x>'.repeat(5000);
    const mt = longSession(1, () => huge);
    const stats = sessionMarkdown(mt)
      .split('\n\n')
      .find((p) => p.startsWith('↳'))!;
    expect(bytes(stats)).toBeLessThanOrEqual(MARKDOWN_SESSION_BOUNDS.messageBytes / 2);
    expect(stats).toContain('failed · 1.2 s (agent 1.1 s) · $0.0020 · 2 model calls · 1 tool call');
    expect(markdownProblems(stats)).toEqual([]);
    expect(UNSAFE_CHARS.exec(sessionText(longSession(3, () => `\x1b[2J${huge}\u202e`)))).toBe(null);
  });

  it('always has room for the first and the last turn, however their text escapes', () => {
    const worst = longSession(50, () => '`<@&\u202e\n'.repeat(2000));
    worst.transcript.pop(); // no closing message: the last turn is a whole turn
    for (const text of [sessionMarkdown(worst), sessionText(worst)]) {
      expect(text).toContain('turn 1 · agent');
      expect(text).toContain('turn 50 · agent');
      expect(text).toMatch(/turns not shown/);
    }
    expect(bytes(sessionMarkdown(worst))).toBeLessThanOrEqual(MARKDOWN_SESSION_BOUNDS.totalBytes);
  });
});
