/**
 * Text that came from an agent, a model, a scorer or a config is untrusted: rendered raw it can
 * rewrite the GitHub page or the terminal it lands on. Every renderer passes such text through
 * the function for the place it lands in, and through nothing else.
 */

/* eslint-disable no-control-regex */

// Sequences a terminal acts on: CSI (7- and 8-bit), then OSC/DCS/SOS/PM/APC strings up to their
// terminator, then any other ESC sequence. A string without a terminator loses only its
// introducer; the rest stays visible rather than swallowing the text after it.
const TERMINAL_SEQUENCE = new RegExp(
  [
    /(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]/.source,
    /(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x90\x98\x9c-\x9f]*(?:\x07|\x1b\\|\x9c)/
      .source,
    /\x1b[ -/]*[0-~]?/.source,
  ].join('|'),
  'g',
);

// Controls other than newline and tab, bidi embeddings, overrides and isolates (they reorder
// what follows on screen), XML's non-characters and lone surrogates.
const UNSAFE = new RegExp(
  [
    /\r\n?/.source,
    /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]/.source,
    /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.source,
  ].join('|'),
  'g',
);

const hex = (c: string, width: number) =>
  c.charCodeAt(0).toString(16).toUpperCase().padStart(width, '0');
/** An unsafe character, written so a reader sees what it was: `\x1B`, `\u202E`. */
const shown = (c: string) => (c.charCodeAt(0) < 0x100 ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`);

/**
 * Inert multi-line text for a terminal, a plain-text annotation or a log: terminal sequences
 * removed, line endings as `\n`, every other unsafe character shown as an escape.
 */
export function plainText(s: string): string {
  return s.replace(TERMINAL_SEQUENCE, '').replace(UNSAFE, (c) => (c[0] === '\r' ? '\n' : shown(c)));
}

/** `plainText` on one line: line breaks and tabs become spaces (cells, titles, summaries). */
export function plainLine(s: string): string {
  return plainText(s).replace(/[ \t]*\n[ \t]*|\t/g, ' ');
}

/**
 * One inert line for a GitHub Actions log: a line the runner reads as a workflow command
 * (`::add-mask::`, `::error::`, `::stop-commands::`) must never come from a record.
 */
export function actionsLogLine(s: string): string {
  return plainLine(s).replace(/::/g, ':\u200b:');
}

/** Keeps the first `max` characters (not splitting a surrogate pair), marking a cut with `…`. */
export function clipHead(s: string, max: number): string {
  if (s.length <= max) return s;
  const end = /[\ud800-\udbff]/.test(s[max - 2] ?? '') ? max - 2 : max - 1;
  return `${s.slice(0, end)}…`;
}

/** Keeps the last `max` characters (not splitting a surrogate pair), marking a cut with `…`. */
export function clipTail(s: string, max: number): string {
  if (s.length <= max) return s;
  const start = s.length - max + 1;
  return `…${s.slice(/[\udc00-\udfff]/.test(s[start]) ? start + 1 : start)}`;
}

// Entities rather than backslashes: they are decoded both in Markdown and inside HTML blocks
// such as <summary>, where a backslash would show.
const MD_ENTITY: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '\\': '&#92;',
  '`': '&#96;',
  '*': '&#42;',
  _: '&#95;',
  '~': '&#126;',
  '[': '&#91;',
  ']': '&#93;',
  '|': '&#124;',
};
// `_` inside a word cannot open or close emphasis, so snake_case stays readable in the source.
const MD_SPECIAL = /[&<>\\`*~[\]|]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g;
// GitHub links mentions, issue references and GH- references in text after entities are
// decoded, so only a zero-width space after the trigger defangs them.
const MD_AUTOLINK = /@(?=[A-Za-z0-9])|#(?=[0-9])|\bGH-(?=[0-9])/gi;
// A block marker at the start of a line: heading, list item, setext underline, thematic break.
const MD_LINE_START = /^(?=#{1,6}(?:\s|$)|[-+](?:\s|$)|[0-9]{1,9}[.)](?:\s|$)|=+\s*$|-+\s*$)./;

/**
 * Inert one-line Markdown: safe in a paragraph, a heading, a table cell, a blockquote and inside
 * an HTML block such as <summary>. No HTML, link, emphasis, code span, mention or reference.
 */
export function mdText(s: string): string {
  return plainLine(s)
    .trimStart()
    .replace(MD_AUTOLINK, '$&\u200B')
    .replace(MD_SPECIAL, (c) => MD_ENTITY[c])
    .replace(MD_LINE_START, (c) => `&#${c.charCodeAt(0)};`);
}

/** Inert multi-line Markdown on one line (lines joined by `<br>`), for prose such as reasoning. */
export function mdProse(s: string): string {
  return plainText(s).split('\n').map(mdText).join('<br>');
}

/**
 * Inert inline code. A <code> element rather than a backtick span: it works inside HTML blocks
 * and table cells alike, and nothing in it can end it early.
 */
export function mdCode(s: string): string {
  return `<code>${mdText(s)}</code>`;
}

function longestRun(s: string, ch: string): number {
  let longest = 0;
  for (const m of s.matchAll(new RegExp(`${ch}+`, 'g'))) longest = Math.max(longest, m[0].length);
  return longest;
}

/** A part of a URL (a path segment or a query value): percent-encoded, parentheses too. */
export function urlPart(s: string): string {
  return encodeURIComponent(plainLine(s)).replace(/[()'!*]/g, (c) => `%${hex(c, 2)}`);
}

/**
 * A fenced code block that nothing inside can close: its fence is longer than any backtick run
 * in the text (at least three). Inside it nothing renders: no HTML, mention or heading.
 */
export function mdCodeBlock(s: string, info = ''): string {
  const text = plainText(s).replace(/\n$/, '');
  const fence = '`'.repeat(Math.max(3, longestRun(text, '`') + 1));
  return `${fence}${info}\n${text}\n${fence}`;
}

const XML_ENTITY: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\n': '&#10;',
  '\t': '&#9;',
};

/** XML 1.0 character data: escaped markup, and no character XML forbids (shown as escapes). */
export function xmlText(s: string): string {
  return plainText(s).replace(/[&<>]/g, (c) => XML_ENTITY[c]);
}

/** An XML attribute value; newlines and tabs kept as references (parsers fold them otherwise). */
export function xmlAttr(s: string): string {
  return plainText(s).replace(/[&<>"'\n\t]/g, (c) => XML_ENTITY[c]);
}

/**
 * JSON for a terminal: JSON.stringify leaves C1 controls, bidi controls and non-characters raw;
 * they become \u escapes, which parse back to the same value.
 */
export function jsonText(json: string): string {
  const raw = /[\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]/g;
  return json.replace(raw, (c) => `\\u${hex(c, 4).toLowerCase()}`);
}
