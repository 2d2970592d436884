import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { Task } from '../config/tasks.js';
import type { ArtifactEntry } from '../results/record.js';
import { emptyOutcome } from '../session/outcome.js';
import { packageRoot } from '../util/paths.js';
import type { CollectedArtifacts } from '../workspace/artifacts.js';
import type { PreparedAgent } from './prepare.js';
import { buildRecord, provenance } from './record.js';
import { fitRecord } from '../results/record-size.js';

const schema = JSON.parse(
  readFileSync(join(packageRoot(), 'schemas', 'run-record.schema.json'), 'utf8'),
);
const validate = new Ajv({ strict: false }).compile(schema);

const ENTRIES: ArtifactEntry[] = [
  {
    path: 'summary.json',
    size: 11,
    sha256: 'a'.repeat(64),
    content_type: 'application/json',
    stored: true,
  },
  {
    path: 'log.txt',
    size: 40,
    sha256: 'b'.repeat(64),
    content_type: 'text/plain',
    stored: true,
    note: 'redacted',
  },
  {
    path: 'passwd',
    size: 0,
    sha256: '',
    content_type: 'application/octet-stream',
    stored: false,
    note: 'a symbolic link (to /etc/passwd), not followed',
  },
];

function build(artifacts?: CollectedArtifacts) {
  const outcome = emptyOutcome();
  outcome.final_response = 'done';
  if (artifacts) outcome.artifacts = artifacts;
  return buildRecord({
    id: 'r1',
    suiteRunId: 's1',
    suite: 's',
    task: { id: 't', user: 'u', origin: { file: 'f', line: 1 }, multi_turn: null } as Task,
    trial: 1,
    agent: { config: { name: 'a' }, version: '1', kind: 'command' } as unknown as PreparedAgent,
    outcome,
    judge: null,
    started: Date.now(),
    provenance: provenance('h'),
  });
}

describe('artifacts in the run record', () => {
  it('lists the manifest; a read that failed part-way is a banner, not a failed run', () => {
    const r = build({ entries: ENTRIES, files: new Map(), warnings: [], error: 'reset' });
    expect(r.artifacts).toEqual(ENTRIES);
    expect(r.status).toBe('completed');
    expect(r.banners).toEqual(['Artifacts could not all be collected from /app/results: reset']);
    expect(build().artifacts).toEqual([]);
  });

  it('the schema accepts entries and the old list of paths, and refuses a malformed entry', () => {
    const stored = JSON.parse(
      JSON.stringify(build({ entries: ENTRIES, files: new Map(), warnings: [] })),
    );
    expect(validate(stored)).toBe(true);
    expect(validate({ ...stored, artifacts: ['report.md', 'out/plot.png'] })).toBe(true);
    expect(validate({ ...stored, artifacts: [{ ...ENTRIES[0], sha256: 'xyz' }] })).toBe(false);
    expect(validate({ ...stored, artifacts: [{ path: 'a', stored: true }] })).toBe(false);
  });

  it('a thousand files of the longest names fit the record, provenance kept', () => {
    const many: ArtifactEntry[] = Array.from({ length: 1000 }, (_, i) => ({
      path: `${String(i).padStart(4, '0')}/${'n'.repeat(1000)}`,
      size: 1,
      sha256: 'c'.repeat(64),
      content_type: 'text/plain',
      stored: false,
      note: `its name has control characters (${'x'.repeat(180)}): not stored`,
    }));
    const r = fitRecord(build({ entries: many, files: new Map(), warnings: [] }));
    expect(r.artifacts).toHaveLength(1000);
    expect(r.provenance.config_hash).toBe('h');
    expect(r.soft_warnings.join(' ')).not.toMatch(/was cut/);
  });
});
