import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../core/src/results/record.js';
import {
  CODING_SESSION,
  record,
  REFUND_SESSION,
  sessionRecord,
} from '../core/src/test-support/records.js';

const schema = JSON.parse(
  readFileSync(join(__dirname, '..', 'schemas', 'run-record.schema.json'), 'utf8'),
);
const validate = new Ajv({ strict: false }).compile(schema);
const errors = (r: unknown) => (validate(r) ? '' : JSON.stringify(validate.errors));
/** A copy of a record as it is stored: JSON, so undefined fields are gone. */
const stored = (r: RunRecord) => JSON.parse(JSON.stringify(r));

describe('schemas/run-record.schema.json', () => {
  it('accepts a one-shot record (multi_turn null) and the recorded sessions', () => {
    expect(errors(stored(record({ task_id: 'hours' })))).toBe('');
    expect(errors(stored(sessionRecord(REFUND_SESSION, { task_id: 'refund' })))).toBe('');
    expect(errors(stored(sessionRecord(CODING_SESSION, { task_id: 'fix-then-extend' })))).toBe('');
  });

  it('accepts an UNCERTAIN run with its sampled judge card, and rejects a malformed one', () => {
    const split = stored(record({ task_id: 'split', verdict: 'UNCERTAIN' }));
    expect(errors(split)).toBe('');
    split.judge.samples.agreement = 2;
    expect(errors(split)).toMatch(/maximum/);
    delete split.judge.samples.uncertain;
    expect(errors(split)).toMatch(/uncertain/);
  });

  it('accepts a session whose turn failed, and one that never ended', () => {
    const failed = structuredClone(REFUND_SESSION);
    failed.termination_reason = null;
    failed.turns[1].status = 'failed';
    failed.turns[1].error = { class: 'agent_timeout', message: 'ran past 30 s' };
    expect(errors(stored(sessionRecord(failed, { task_id: 'refund' })))).toBe('');
  });

  it('rejects what the record type does not allow in a session', () => {
    // The stored JSON, loosely typed: the point is to write what the type forbids.
    type Loose = { multi_turn: Record<string, unknown>; trajectory: { steps: { turn: number }[] } };
    const bad = (change: (r: Loose) => void) => {
      const r = stored(sessionRecord(REFUND_SESSION, { task_id: 'refund' }));
      change(r);
      return errors(r);
    };
    expect(bad((r) => (r.multi_turn.extra = 1))).toMatch(/additionalProperties/);
    expect(bad((r) => (r.multi_turn.termination_reason = 'bored'))).toMatch(/enum/);
    expect(bad((r) => (r.multi_turn.memory_mode = 'forgetful'))).toMatch(/enum/);
    expect(bad((r) => delete r.multi_turn.transcript)).toMatch(/transcript/);
    expect(bad((r) => ((r.multi_turn.transcript as object[])[0] = { turn: 1 }))).toMatch(
      /required/,
    );
    expect(
      bad((r) => ((r.multi_turn.transcript as { source: string }[])[1].source = 'model')),
    ).toMatch(/enum/);
    expect(bad((r) => ((r.multi_turn.turns as { diff: unknown }[])[0].diff = 3))).toMatch(/type/);
    expect(bad((r) => ((r.multi_turn.turns as { extra?: 1 }[])[0].extra = 1))).toMatch(
      /additionalProperties/,
    );
    expect(bad((r) => (r.trajectory.steps[0].turn = 0))).toMatch(/minimum/);
    expect(bad((r) => (r.multi_turn = [] as unknown as Record<string, unknown>))).not.toBe('');
  });
});
