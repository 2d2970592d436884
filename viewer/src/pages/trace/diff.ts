import { parse } from 'diff2html/lib/diff-parser.js';

/**
 * Unified diffs as lines to draw (the final diff, a session turn's diff, an edit step): parsed
 * with diff2html's parser, drawn by the viewer as text (never diff2html's HTML). Text the
 * parser finds no file in (a CLI's own patch format, a bare hunk) is still shown, each line
 * coloured by its first character.
 */
export type DiffLineKind = 'add' | 'del' | 'ctx' | 'hunk' | 'meta';

export interface DiffLineView {
  kind: DiffLineKind;
  text: string;
  old?: number;
  new?: number;
}

export interface DiffFileView {
  name: string;
  /** Set when the file was renamed or copied: its name before. */
  from?: string;
  status: 'added' | 'deleted' | 'renamed' | 'modified' | 'binary';
  added: number;
  removed: number;
  lines: DiffLineView[];
}

const DEV_NULL = '/dev/null';

export function parseDiff(input: unknown): DiffFileView[] {
  if (typeof input !== 'string' || !input.trim()) return [];
  const text = input.replace(/\r\n/g, '\n');
  // Without a file header the parser has nothing to hold on to (and logs its complaint).
  if (!/^(diff --git |--- |\+\+\+ )/m.test(text)) return [rawDiff(text)];
  let files: ReturnType<typeof parse> = [];
  try {
    files = parse(text);
  } catch {
    files = [];
  }
  const parsed = files.filter(
    (f) => f.blocks.length || f.isBinary || f.isNew || f.isDeleted || f.isRename || f.isCopy,
  );
  if (!parsed.length) return [rawDiff(text)];
  return parsed.map((f) => {
    const lines: DiffLineView[] = [];
    for (const b of f.blocks) {
      lines.push({ kind: 'hunk', text: b.header });
      for (const l of b.lines) {
        const kind = l.type === 'insert' ? 'add' : l.type === 'delete' ? 'del' : 'ctx';
        lines.push({
          kind,
          text: l.content,
          ...(l.oldNumber !== undefined ? { old: l.oldNumber } : {}),
          ...(l.newNumber !== undefined ? { new: l.newNumber } : {}),
        });
      }
    }
    const name = f.newName && f.newName !== DEV_NULL ? f.newName : f.oldName;
    const renamed = (f.isRename || f.isCopy) && f.oldName !== f.newName;
    const status: DiffFileView['status'] = f.isBinary
      ? 'binary'
      : f.isNew || f.oldName === DEV_NULL
        ? 'added'
        : f.isDeleted || f.newName === DEV_NULL
          ? 'deleted'
          : renamed
            ? 'renamed'
            : 'modified';
    return {
      name: name || '(unnamed)',
      ...(renamed ? { from: f.oldName } : {}),
      status,
      added: f.addedLines,
      removed: f.deletedLines,
      lines,
    };
  });
}

/** Lines of a patch the parser could not read, coloured by their first character. */
export function rawDiff(text: string): DiffFileView {
  const lines: DiffLineView[] = [];
  let added = 0;
  let removed = 0;
  let name = '';
  for (const line of text.replace(/\n$/, '').split('\n')) {
    const file = /^(?:\*\*\* (?:Update|Add|Delete) File: |\+\+\+ (?:b\/)?)(.+)$/.exec(line);
    if (file && !name) name = file[1];
    if (/^(\+\+\+ |--- |\*\*\* |diff |index )/.test(line)) lines.push({ kind: 'meta', text: line });
    else if (line.startsWith('@@')) lines.push({ kind: 'hunk', text: line });
    else if (line.startsWith('+')) {
      added++;
      lines.push({ kind: 'add', text: line });
    } else if (line.startsWith('-')) {
      removed++;
      lines.push({ kind: 'del', text: line });
    } else lines.push({ kind: 'ctx', text: line });
  }
  return { name, status: 'modified', added, removed, lines };
}

/** Totals for a diff's heading: files, lines added, lines removed. */
export function diffTotals(files: DiffFileView[]) {
  return files.reduce(
    (t, f) => ({ files: t.files + 1, added: t.added + f.added, removed: t.removed + f.removed }),
    { files: 0, added: 0, removed: 0 },
  );
}
