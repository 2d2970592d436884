import { describe, expect, it } from 'vitest';
import { compareRuns } from '../results/compare.js';
import type { RunRecord } from '../results/record.js';
import { summarise } from '../results/summary.js';
import {
  ADVERSARIAL,
  CANARY,
  hostile,
  hostileRecords,
  markdownProblems,
  seeded,
  UNSAFE_CHARS,
  xmlProblems,
} from '../test-support/hostile-text.js';
import { longSession } from '../test-support/records.js';
import { renderCheckRun } from './check-run.js';
import { renderJobSummary } from './job-summary.js';
import { renderJunit } from './junit.js';
import { cutBytes, renderMarkdownReport } from './markdown.js';
import { COMMENT_MARKER, renderPrComment } from './pr-comment.js';
import { renderTrace } from './trace.js';

const prov = { gauntlet_version: '0', config_hash: 'x', host: 'h' };
const opts = {
  fullRecordsAt: 'https://github.com/o/r/tree/results/runs/s1',
  repoPath: (f: string) => f.replace('/repo/', ''),
};

/** Every GitHub surface, the JUnit file and the terminal trace for one suite of records. */
function renderAll(records: RunRecord[], suite: string) {
  const m = summarise('s1', suite, records, 2, { min_pass_rate: 0.5 }, Date.now(), prov);
  const base = records.map((r) => ({ ...r, verdict: 'PASS' as const }));
  const check = renderCheckRun(m, records, opts);
  const comparison = compareRuns(base, records);
  return {
    markdown: renderMarkdownReport(m, records),
    jobSummary: renderJobSummary(
      [
        { manifest: m, records },
        { manifest: m, records },
      ],
      ['**x**'],
    ),
    checkSummary: check.summary,
    checkText: check.text,
    comment: renderPrComment([{ suite, head: m, base: m, comparison }], {
      headSha: 'abcdef1',
      baseLabel: 'main',
      fullRecordsAt: 'x',
    }),
    check,
    junit: renderJunit(m, records),
    traces: records.map((r) => renderTrace(r)),
  };
}

/** hostileRecords, each a session of hostile messages, names, paths and errors too. */
function hostileSessions(text: () => string): RunRecord[] {
  return hostileRecords(text).map((r, i) => ({ ...r, multi_turn: longSession(2 + i, text) }));
}

function expectSafe(out: ReturnType<typeof renderAll>) {
  for (const k of ['markdown', 'jobSummary', 'checkSummary', 'checkText'] as const) {
    expect(markdownProblems(out[k]).join('\n'), k).toBe('');
  }
  expect(markdownProblems(out.comment, { marker: COMMENT_MARKER }).join('\n'), 'comment').toBe('');
  expect(out.comment.startsWith(COMMENT_MARKER + '\n')).toBe(true);
  expect(out.comment.split('<!--').length, 'one comment marker').toBe(2);
  expect(xmlProblems(out.junit).join('\n'), 'junit').toBe('');
  for (const t of out.traces) expect(UNSAFE_CHARS.exec(t)?.[0], 'terminal trace').toBeUndefined();
  for (const s of [out.check.name, out.check.title]) expect(s).not.toMatch(/[\n\r]|\p{Cc}/u);
  for (const a of out.check.annotationBatches.flat()) {
    expect(UNSAFE_CHARS.exec(a.title + a.message)?.[0], 'annotation').toBeUndefined();
    expect(a.title).not.toMatch(/[\n\r]/);
  }
}

describe('renderers given hostile agent, model and config text', () => {
  it('keep their structure for every seeded hostile input', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const rng = seeded(seed);
      const out = renderAll(
        hostileSessions(() => hostile(rng)),
        hostile(rng, 3),
      );
      try {
        expectSafe(out);
      } catch (e) {
        throw new Error(`seed ${seed}: ${(e as Error).message}`);
      }
      // The hostile text did reach every surface: the test is not passing on empty output.
      for (const text of [out.markdown, out.checkText, out.comment, out.junit, out.traces[0]]) {
        expect(text).toContain(CANARY);
      }
    }
  });

  it('keep their structure for each adversarial piece alone', () => {
    for (const piece of ADVERSARIAL) {
      const text = () => `${CANARY}${piece}${CANARY}`;
      try {
        expectSafe(renderAll(hostileSessions(text), text()));
      } catch (e) {
        throw new Error(`piece ${JSON.stringify(piece)}: ${(e as Error).message}`);
      }
    }
  });

  it("keep a session's transcript inert and bounded on every surface", () => {
    // Markdown, HTML, mentions, terminal sequences, `</details>` and sheer size, in one message.
    const text = () => `${CANARY}${ADVERSARIAL.join('')}${'</details>@all\x1b[2J'.repeat(3000)}`;
    const out = renderAll(hostileSessions(text), 'suite');
    expectSafe(out);
    for (const md of [out.markdown, out.jobSummary, out.checkText]) {
      expect(md).toContain(`**turn 1 · user (task)**: ${CANARY}`);
      expect(md).toMatch(/_\(cut: \d+ of [\d,]+ characters shown\)_/);
    }
    expect(out.traces[1]).toMatch(/^── Session ─+$/m);
    expect(out.traces[1]).toContain(`turn 1 · user (task): ${CANARY}`);
    expect(out.traces[1]).toMatch(/^ {4}\(cut: 3,999 of [\d,]+ characters shown\)$/m);
  });

  it('fence a tail whose backtick run is longer than any fixed fence, and show it whole', () => {
    const tail = `before\n${'`'.repeat(500)}\n## All tests passed ✅\n<details>\n`;
    const [r] = hostileRecords(() => 'x');
    const failing: RunRecord = {
      ...r,
      status: 'completed',
      error: null,
      verdict: 'FAIL',
      scorers: [{ name: 'tests', passed: false, tail }],
    };
    const m = summarise('s1', 's', [failing], 1, {}, Date.now(), prov);
    const md = renderMarkdownReport(m, [failing]);
    expect(markdownProblems(md)).toEqual([]);
    const fence = '`'.repeat(501);
    expect(md).toContain(`${fence}\n${tail}${fence}\n`);
  });

  it('keep a very long line and a very large record within the surface limits', () => {
    const text = () => `${CANARY}${'`@#<'.repeat(50_000)}\n${'y'.repeat(300_000)}`;
    const out = renderAll(hostileSessions(text), 'suite');
    expectSafe(out);
    expect(out.checkText.length).toBeLessThanOrEqual(65_535);
    expect(out.comment.length).toBeLessThanOrEqual(65_536);
    // One huge field does not push its run out of the report.
    expect(out.checkText).toContain(CANARY);
  });

  it('close the fence and the <details> a last-resort cut lands in', () => {
    const open = '<details><summary>x</summary>\n\n<details><summary>y</summary>\n\n````\n';
    const text = `${open}${'line ```\n'.repeat(5000)}\`\`\`\`\n</details>\n</details>\n`;
    const cut = cutBytes(text, 2000, 'the results branch');
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(2000);
    expect(markdownProblems(cut)).toEqual([]);
    const note = '\n\n_…truncated; the full records are in the results branch._\n';
    expect(cut.endsWith(`line \`\`\`\n\`\`\`\`\n</details>\n</details>${note}`)).toBe(true);
  });

  it('is checked by tests that can fail: raw rendering of the same text is caught', () => {
    const raw = 'x\n```\nok ``` \n```\n## All tests passed ✅\n<details><img src=x> @octocat #12';
    const problems = markdownProblems(raw).join('\n');
    expect(problems).toMatch(/injected heading/);
    expect(problems).toMatch(/live HTML "<img"/);
    expect(problems).toMatch(/raw @mention/);
    expect(problems).toMatch(/raw issue reference/);
    expect(problems).toMatch(/<details> opened 1 more/);
    const table = '| a | b |\n|---|---|\n| x | y | z |';
    expect(markdownProblems(table).join()).toMatch(/3 cells under 2 headers/);
    expect(markdownProblems('```\nopen')).toEqual(['a ``` fence is never closed']);
    expect(xmlProblems('<a b="\uFFFE"/>')).toEqual(['character U+fffe is not allowed in XML 1.0']);
    expect(xmlProblems('<a>&#0;</a>')[0]).toMatch(/forbidden/);
    expect(xmlProblems('<a><b></a>')[0]).toMatch(/bad end tag/);
    expect(xmlProblems('<a x="1">t &amp; u</a>')).toEqual([]);
  });
});
