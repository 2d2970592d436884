import {
  LineCounter,
  parseDocument,
  isMap,
  isSeq,
  isScalar,
  type Document,
  type Node,
  type Pair,
} from 'yaml';
import type { ConfigIssue } from './errors.js';
import { findAliasExcess, MAX_ALIAS_EXPANSION } from './yaml-aliases.js';
import type { SourcePos } from './types.js';

/** Fixes for the parser's own codes, where the generic one would mislead. */
const SYNTAX_FIX: Record<string, string> = {
  DUPLICATE_KEY: 'remove one of the duplicated keys',
  RESOURCE_EXHAUSTION: 'nest less deeply: write the structure flatter, or move the data to a file',
};

/** A parsed YAML file that can say where any path in it sits. */
export class YamlFile {
  readonly doc: Document;
  private readonly lines = new LineCounter();
  readonly issues: ConfigIssue[] = [];

  constructor(
    readonly file: string,
    text: string,
  ) {
    this.doc = parseDocument(text, {
      lineCounter: this.lines,
      uniqueKeys: true,
      prettyErrors: false,
    });
    for (const e of [...this.doc.errors, ...this.doc.warnings]) {
      const p = this.lines.linePos(e.pos[0]);
      this.issues.push({
        file,
        line: p.line,
        column: p.col,
        code: 'yaml_syntax',
        field: '',
        message: e.message.split('\n')[0],
        fix: SYNTAX_FIX[e.code] ?? 'fix the YAML syntax at this position',
      });
    }
    if (this.issues.length === 0) this.data = this.toData();
  }

  /** The file as plain data; undefined when it has issues (they say why). */
  value(): unknown {
    return this.data;
  }

  private data: unknown;

  // Aliases are expanded only after our own bound on what they add (yaml's maxAliasCount is
  // per anchor and refuses an ordinary anchor used 101 times); a failure is an issue, not a throw.
  private toData(): unknown {
    const excess = findAliasExcess(this.doc);
    if (excess) {
      const field = excess.path.join('.');
      const cap = MAX_ALIAS_EXPANSION.toLocaleString('en');
      this.issues.push({
        ...this.at(excess.offset),
        code: 'yaml_alias_limit',
        field,
        message: excess.cyclic
          ? 'this alias refers to a node that contains it, so it never stops expanding'
          : `aliases in this file expand to more than ${cap} values by here ` +
            '(a YAML alias bomb, "billion laughs")',
        fix:
          'write the values out instead of nesting aliases: ' +
          `a config file's aliases may add at most ${cap} values`,
      });
      return undefined;
    }
    try {
      return this.doc.toJS({ maxAliasCount: -1 });
    } catch (e) {
      this.issues.push({
        ...this.at(0),
        code: 'yaml_syntax',
        field: '',
        message: (e as Error).message.split('\n')[0],
        fix: 'define each anchor (&name) before the aliases (*name) that use it',
      });
      return undefined;
    }
  }

  private at(offset: number): SourcePos {
    const p = this.lines.linePos(offset);
    return { file: this.file, line: p.line, column: p.col };
  }

  /** Position of the node at path; `key: true` points at the map key rather than its value. */
  pos(path: (string | number)[], key = false): SourcePos {
    let node: unknown = this.doc.contents;
    let best: SourcePos = this.at(0);
    if (node && (node as Node).range) best = this.at((node as Node).range![0]);
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      let next: unknown;
      if (isMap(node)) {
        const pair = node.items.find(
          (p: Pair) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg),
        );
        if (!pair) return best;
        const keyNode = pair.key as Node | undefined;
        if (key && i === path.length - 1 && keyNode?.range) return this.at(keyNode.range[0]);
        if (keyNode?.range) best = this.at(keyNode.range[0]);
        next = pair.value;
      } else if (isSeq(node)) {
        next = node.items[Number(seg)];
      } else return best;
      if (next && (next as Node).range) best = this.at((next as Node).range![0]);
      node = next;
    }
    return best;
  }
}

/** Splits an ajv instancePath ("/python/source/0") into segments. */
export function pointerToPath(pointer: string): string[] {
  return pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}
