import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { ConfigError, type ConfigIssue } from './errors.js';
import type { Loaded, SuiteConfig, TaskSpec } from './types.js';

/** A task as dispatched: stable id, where it came from, and its seed. */
export interface Task extends TaskSpec {
  id: string;
  origin: { file: string; line: number; row?: number };
}

const EXPECTED = new Set(['completion', 'refusal']);
/** Columns a CSV may carry only when the suite wires them (`columns:`); `user` is always required. */
const WIREABLE = ['behavior_instructions', 'expected_outcome', 'initial_state', 'id'];

/** Expands a suite's inline or CSV tasks; every bad row is a hard error naming the row. */
export async function loadTasks(suite: Loaded<SuiteConfig>): Promise<Task[]> {
  const t = suite.value.tasks;
  if (Array.isArray(t)) {
    return t.map((spec, i) => ({ ...spec, id: spec.id ?? `task-${i + 1}`, origin: { file: suite.file, line: suite.pos(['tasks', i]).line } }));
  }
  const csvPath = resolve(suite.dir, t.csv);
  const at = suite.pos(['tasks', 'csv']);
  let text: string;
  try {
    text = await readFile(csvPath, 'utf8');
  } catch {
    throw new ConfigError([{ ...at, code: 'csv_not_found', field: 'tasks.csv', message: `cannot read ${t.csv} (resolved to ${csvPath})`, fix: 'give a path relative to the suite file' }]);
  }
  return parseTaskCsv(text, t.csv, suite.value.columns ?? []);
}

export function parseTaskCsv(text: string, file: string, wired: string[]): Task[] {
  const issues: ConfigIssue[] = [];
  let records: string[][];
  try {
    records = parse(text, { bom: true, relax_column_count: false, skip_empty_lines: true });
  } catch (e) {
    const err = e as { lines?: number; message: string };
    throw new ConfigError([{ file, line: err.lines ?? 1, column: 1, code: 'csv_syntax', field: '', message: err.message, fix: 'quote cells that hold commas, quotes or newlines' }]);
  }
  if (records.length === 0) throw new ConfigError([{ file, line: 1, column: 1, code: 'csv_empty', field: '', message: 'the CSV has no header row', fix: 'add a header row with at least a `user` column' }]);
  const header = records[0].map((h) => h.trim());
  const col = (name: string) => header.indexOf(name);
  if (col('user') < 0) issues.push({ file, line: 1, column: 1, code: 'csv_missing_column', field: 'user', message: 'the `user` column is required', fix: 'add a `user` column with one prompt per row' });
  for (const w of wired) if (col(w) < 0) issues.push({ file, line: 1, column: 1, code: 'csv_missing_column', field: w, message: `the suite wires column "${w}" but the CSV has none`, fix: `add a "${w}" column, or remove it from the suite's columns` });
  header.forEach((h, i) => {
    if (h === 'user' || wired.includes(h)) return;
    issues.push({
      file, line: 1, column: i + 1, code: 'csv_unwired_column', field: h,
      message: WIREABLE.includes(h) ? `column "${h}" is not wired` : `unknown column "${h}"`,
      fix: WIREABLE.includes(h) ? `add "${h}" to the suite's columns to use it, or delete the column` : `delete it; columns are user and ${WIREABLE.join(', ')}`,
    });
  });
  if (issues.length) throw new ConfigError(issues);

  const tasks: Task[] = [];
  const ids = new Set<string>();
  for (let r = 1; r < records.length; r++) {
    const cells = records[r];
    const row = r + 1; // 1-based, counting the header
    const cell = (name: string) => (col(name) >= 0 ? cells[col(name)] : undefined);
    const bad = (name: string, message: string, fix: string) =>
      issues.push({ file, line: row, column: col(name) + 1, code: 'csv_bad_cell', field: name, message: `row ${row}: ${message}`, fix });
    const task: Task = { id: `row-${row}`, user: cell('user') ?? '', origin: { file, line: row, row } };
    if (!task.user.trim()) bad('user', 'the `user` cell is blank', 'write the prompt for this row');
    for (const w of wired) {
      const v = cell(w) ?? '';
      if (!v.trim()) {
        bad(w, `the wired "${w}" cell is blank`, `fill it, or remove "${w}" from the suite's columns`);
        continue;
      }
      if (w === 'expected_outcome') {
        if (!EXPECTED.has(v.trim())) bad(w, `"${v}" is not completion or refusal`, 'use completion or refusal');
        else task.expected_outcome = v.trim() as Task['expected_outcome'];
      } else if (w === 'initial_state') {
        try {
          const parsed = JSON.parse(v);
          if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
          task.initial_state = parsed;
        } catch {
          bad(w, 'initial_state is not a JSON object', 'write a JSON object such as {"orders": {}}');
        }
      } else if (w === 'id') {
        if (!/^[A-Za-z0-9._-]{1,64}$/.test(v)) bad(w, `id "${v}" has characters outside A-Z a-z 0-9 . _ -`, 'use a short slug');
        else if (ids.has(v)) bad(w, `id "${v}" repeats an earlier row`, 'make ids unique');
        else (ids.add(v), (task.id = v));
      } else if (w === 'behavior_instructions') task.behavior_instructions = v;
    }
    tasks.push(task);
  }
  if (issues.length) throw new ConfigError(issues);
  if (tasks.length === 0) throw new ConfigError([{ file, line: 2, column: 1, code: 'csv_empty', field: '', message: 'the CSV has a header but no task rows', fix: 'add one row per task' }]);
  return tasks;
}
