import assert from 'node:assert/strict';
import fc from 'fast-check';
import { markdownInline, markdownText } from '../src/workflows/markdown-text.js';
import { unescapeMarkdown, unescapedActive } from './helpers/markdown-source.js';

describe('person-written text placed in Markdown', () => {
  const cases: [string, string][] = [
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
    ['**bold** and _em_ and ~~gone~~', '\\*\\*bold\\*\\* and \\_em\\_ and \\~\\~gone\\~\\~'],
    ['[link](https://evil.example)', '\\[link\\](https\\://evil.example)'],
    ['![img](x)', '!\\[img\\](x)'],
    ['| pipes |', '\\| pipes \\|'],
    ['`code` \\ backslash', '\\`code\\` \\\\ backslash'],
    ['# heading', '\\# heading'],
    ['> quote', '&gt; quote'],
    ['- item', '\\- item'],
    ['+ item', '\\+ item'],
    ['1. first', '1\\. first'],
    ['2) second', '2\\) second'],
    ['---', '\\---'],
    ['    indented code', '&#32;&#32;&#32;&#32;indented code'],
    ['mail oncall@evil.example or www.evil.example', 'mail oncall\\@evil.example or www\\.evil.example'],
    ['AT&T &amp;', 'AT&amp;T &amp;amp;'],
    ['acc_gbp req_issue_2 2026-12-01 (T+2h) 1.5% - fine!', 'acc_gbp req_issue_2 2026-12-01 (T+2h) 1.5% - fine!'],
  ];
  for (const [text, escaped] of cases) {
    it(`writes ${JSON.stringify(text)} as inert source that reads the same`, () => {
      assert.equal(markdownText(text), escaped);
      assert.equal(unescapeMarkdown(escaped), text);
    });
  }

  it('makes every line of multi-line text inert, and keeps a cell or heading on one line', () => {
    const text = 'fine\n- not a list\n# not a heading\n===';
    assert.equal(markdownText(text), 'fine\n\\- not a list\n\\# not a heading\n\\===');
    assert.equal(markdownInline(text), 'fine<br>\\- not a list<br>\\# not a heading<br>\\===');
    assert.equal(markdownInline('a\r\nb\rc'), 'a<br>b<br>c');
  });

  const tokens = [
    '<script>',
    '</script>',
    '<img src=x onerror=alert(1)>',
    '**',
    '__',
    '_',
    '*',
    '[',
    ']',
    '(',
    ')',
    '](',
    '![',
    '#',
    '`',
    '```',
    '|',
    '~',
    '~~',
    '>',
    '<',
    '&',
    '&amp;',
    '&#32;',
    '\\',
    'https://',
    'http://',
    'www.',
    '@',
    '.',
    '-',
    '+',
    '=',
    '1.',
    '2)',
    '\n',
    '\r\n',
    ' ',
    '    ',
    '\t',
    'mallory',
    'evil.example',
    '<br>',
    'é',
    '1',
  ];
  const hostile = fc
    .array(fc.oneof(fc.constantFrom(...tokens), fc.string({ maxLength: 4 })), { maxLength: 30 })
    .map((parts) => parts.join(''));

  it('reads back as the same text whatever is written, and leaves nothing active', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const escaped = markdownText(text);
        assert.equal(unescapeMarkdown(escaped), text, JSON.stringify(escaped));
        assert.deepEqual(unescapedActive(escaped), [], JSON.stringify(escaped));
        const inline = markdownInline(text);
        assert.ok(!/[\r\n]/.test(inline), JSON.stringify(inline));
        assert.equal(unescapeMarkdown(inline), text.replace(/\r\n?/g, '\n'));
      }),
      { numRuns: 2000 },
    );
  });
});
