import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Document, type Node, type Pair } from 'yaml';
import type { ConfigIssue } from './errors.js';
import type { SourcePos } from './types.js';

/** A parsed YAML file that can say where any path in it sits. */
export class YamlFile {
  readonly doc: Document;
  private readonly lines = new LineCounter();
  readonly issues: ConfigIssue[] = [];

  constructor(readonly file: string, text: string) {
    this.doc = parseDocument(text, { lineCounter: this.lines, uniqueKeys: true, prettyErrors: false });
    for (const e of [...this.doc.errors, ...this.doc.warnings]) {
      const p = this.lines.linePos(e.pos[0]);
      this.issues.push({
        file, line: p.line, column: p.col, code: 'yaml_syntax', field: '',
        message: e.message.split('\n')[0],
        fix: e.code === 'DUPLICATE_KEY' ? 'remove one of the duplicated keys' : 'fix the YAML syntax at this position',
      });
    }
  }

  value(): unknown {
    return this.doc.toJS({ maxAliasCount: 100 });
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
        const pair = node.items.find((p: Pair) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
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
  return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}
