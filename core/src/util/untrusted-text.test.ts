import { describe, expect, it } from 'vitest';
import {
  clipHead,
  clipTail,
  jsonText,
  mdCode,
  mdCodeBlock,
  mdProse,
  mdText,
  plainLine,
  plainText,
  urlPart,
  xmlAttr,
  xmlText,
} from './untrusted-text.js';

describe('plain text for terminals, logs and annotations', () => {
  it('removes the sequences a terminal acts on and keeps the text between them', () => {
    expect(plainText('\x1b[1;31mred\x1b[0m \x9b2Jx')).toBe('red x');
    expect(plainText('a\x1b]8;;https://evil.example\x07link\x1b]8;;\x1b\\b')).toBe('alinkb');
    expect(plainText('\x1b]0;title\x07t \x1bPq#0\x1b\\d \x1b7e')).toBe('t d e');
    // An unterminated string loses its introducer only; what follows is not swallowed.
    expect(plainText('\x1b]0;never ends\nnext')).toBe('0;never ends\nnext');
  });

  it('shows other controls, bidi controls, non-characters and lone surrogates as escapes', () => {
    expect(plainText('a\x00b\x07c\x7fd\x85e')).toBe('a\\x00b\\x07c\\x7Fd\\x85e');
    expect(plainText('\u202Egnp.exe \u2066x\u2069')).toBe('\\u202Egnp.exe \\u2066x\\u2069');
    expect(plainText('\uFFFE\uFFFF \uD800 \uDC00')).toBe('\\uFFFE\\uFFFF \\uD800 \\uDC00');
    expect(plainText('😀 ü\ttab')).toBe('😀 ü\ttab');
  });

  it('ends lines with \\n only, so a carriage return cannot overwrite a line', () => {
    expect(plainText('FAIL\rPASS\r\nnext')).toBe('FAIL\nPASS\nnext');
    expect(plainLine(' a \r\n\tb\nc ')).toBe(' a b c ');
  });

  it('clips without splitting a surrogate pair', () => {
    expect(clipHead('ab😀cd', 4)).toBe('ab…');
    expect(clipHead('abc😀d', 4)).toBe('abc…');
    expect(clipTail('ab😀cd', 4)).toBe('…cd');
    expect(clipTail('a😀cd', 4)).toBe('…cd');
    expect(clipTail('ab😀c', 4)).toBe('…😀c');
    expect(clipHead('short', 10)).toBe('short');
  });
});

describe('inert Markdown', () => {
  it('escapes HTML, links, emphasis, code and table pipes as entities', () => {
    expect(mdText('<img src=x onerror=alert(1)> & <!-- x')).toBe(
      '&lt;img src=x onerror=alert(1)&gt; &amp; &lt;!-- x',
    );
    expect(mdText('[x](javascript:alert(1)) ![i](u)')).toBe(
      '&#91;x&#93;(javascript:alert(1)) !&#91;i&#93;(u)',
    );
    expect(mdText('a | b `c` *d* ~e~ \\')).toBe(
      'a &#124; b &#96;c&#96; &#42;d&#42; &#126;e&#126; &#92;',
    );
    expect(mdText('_i_ wrong_answer')).toBe('&#95;i&#95; wrong_answer');
  });

  it('defangs mentions and references with a zero-width space after the trigger', () => {
    expect(mdText('@octocat @org/team a@b #123 o/r#9 GH-12 gh-7 #x')).toBe(
      '@\u200Boctocat @\u200Borg/team a@\u200Bb #\u200B123 o/r#\u200B9 GH-\u200B12 gh-\u200B7 #x',
    );
  });

  it('keeps to one line and starts no block', () => {
    expect(mdText('## All tests passed ✅\nnext')).toBe('&#35;# All tests passed ✅ next');
    expect(mdText('1. item')).toBe('&#49;. item');
    expect(mdText('- item')).toBe('&#45; item');
    expect(mdText('---')).toBe('&#45;--');
    expect(mdText('    indented')).toBe('indented');
    expect(mdText('0.000 8/8 -5%')).toBe('0.000 8/8 -5%');
    expect(mdProse('first\n## All tests passed ✅\n\n- x')).toBe(
      'first<br>&#35;# All tests passed ✅<br><br>&#45; x',
    );
    expect(mdCode('a</code><b>')).toBe('<code>a&lt;/code&gt;&lt;b&gt;</code>');
  });

  it('fences code with a run longer than any inside, at least three', () => {
    expect(mdCodeBlock('x\n')).toBe('```\nx\n```');
    expect(mdCodeBlock('a ```` b', 'diff')).toBe('`````diff\na ```` b\n`````');
    const many = '`'.repeat(300_000); // one run, no spread of a huge array
    const block = mdCodeBlock(`${many} ${'` '.repeat(200_000)}`);
    expect(block.startsWith('`'.repeat(300_001) + '\n')).toBe(true);
    expect(mdCodeBlock('\x1b[31mred\r\n')).toBe('```\nred\n```');
  });
});

describe('XML, URLs and JSON', () => {
  it('keeps only characters XML 1.0 allows, and escapes markup', () => {
    expect(xmlText('<a> & ]]> \x00 \x1b[1m\uFFFE\uD800')).toBe(
      '&lt;a&gt; &amp; ]]&gt; \\x00 \\uFFFE\\uD800',
    );
    expect(xmlAttr('"q" \'a\'\n\tb')).toBe('&quot;q&quot; &apos;a&apos;&#10;&#9;b');
  });

  it('percent-encodes a URL part, parentheses included', () => {
    expect(urlPart('r a)(b#1\uD800')).toBe('r%20a%29%28b%231%5Cu' + 'D800');
  });

  it('escapes what JSON.stringify leaves raw, and parses back to the same value', () => {
    const value = { s: 'a\x9b1mb\u202Ec\uFFFE\x7f' };
    const json = jsonText(JSON.stringify(value));
    expect(json).toBe('{"s":"a\\u009b1mb\\u202ec\\ufffe\\u007f"}');
    expect(JSON.parse(json)).toEqual(value);
  });
});
