import * as assert from 'node:assert/strict';
import { groupBlocks, MarkdownChunker, splitMarkdownBlocks } from '../../src/services/generation/markdownChunker';
import { markdownToBlocks } from '../../src/services/notion/markdownBlocks';

/** Small deterministic PRNG (mulberry32), so a failing split can be reproduced from its seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomPieces(text: string, random: () => number, maxPiece: number): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < text.length;) {
    const length = 1 + Math.floor(random() * maxPiece);
    pieces.push(text.slice(start, start + length));
    start += length;
  }
  return pieces;
}

function stream(pieces: readonly string[]): { perPush: string[][]; ended: string[] } {
  const chunker = new MarkdownChunker();
  const perPush = pieces.map((piece) => chunker.push(piece));
  return { perPush, ended: chunker.end() };
}

function streamAll(pieces: readonly string[]): string[] {
  const { perPush, ended } = stream(pieces);
  return [...perPush.flat(), ...ended];
}

/** Text made of sentences, `length` characters long. */
function prose(length: number, sentence = 'The quick brown fox jumps over the lazy dog. '): string {
  return sentence
    .repeat(Math.ceil(length / sentence.length))
    .slice(0, length)
    .trimEnd()
    .padEnd(length, 'x');
}

const FENCE_LINE = /^\s*(`{3,}|~{3,})/;
const LIST_LINE = /^\s*(?:[-*+]|\d{1,9}[.)])(?:\s|$)/;

/** Independent check that a block does not stop inside a code fence. */
function fencesBalanced(block: string): boolean {
  let open: string | undefined;
  for (const line of block.split('\n')) {
    const marker = FENCE_LINE.exec(line)?.[1];
    if (!marker) continue;
    if (!open) open = marker;
    else if (marker[0] === open[0] && marker.length >= open.length && line.trim() === marker) open = undefined;
  }
  return open === undefined;
}

/** Tag-looking text inside code is just code. */
function tagsBalanced(block: string): boolean {
  let inFence = false;
  const outsideCode = block
    .split('\n')
    .filter((line) => {
      if (FENCE_LINE.test(line)) inFence = !inFence;
      return !inFence && !FENCE_LINE.test(line);
    })
    .join('\n');
  const opens = (outsideCode.match(/<(toggle|details|callout)[\s>]/g) ?? []).length;
  const closes = (outsideCode.match(/<\/(toggle|details|callout)>/g) ?? []).length;
  return opens === closes;
}

/** Checks that no cut was made inside a fence, tag block, list or table (fixtures keep tables apart). */
function assertCleanCuts(blocks: readonly string[]): void {
  blocks.forEach((block, i) => {
    assert.ok(fencesBalanced(block), `block ${i} ends inside a fence:\n${block}`);
    assert.ok(tagsBalanced(block), `block ${i} ends inside a tag:\n${block}`);
    assert.equal(block, block.trimEnd(), `block ${i} has trailing whitespace`);
    assert.notEqual(block, '', `block ${i} is empty`);
    const next = blocks[i + 1];
    if (next === undefined) return;
    const lastLine = block.slice(block.lastIndexOf('\n') + 1);
    const nextFirstLine = next.split('\n')[0];
    if (block.split('\n').some((line) => LIST_LINE.test(line))) {
      assert.ok(!LIST_LINE.test(nextFirstLine) && !/^\s/.test(nextFirstLine), `list cut before block ${i + 1}`);
    }
    if (lastLine.startsWith('|')) assert.ok(!nextFirstLine.startsWith('|'), `table cut before block ${i + 1}`);
  });
}

const FIXTURES: Record<string, string> = {
  article: [
    '# Release plan',
    'An intro paragraph right under the heading.',
    'It has a second line.',
    '',
    '## Steps',
    '',
    '1. Prepare the branch',
    '',
    '   Continuation paragraph of step one.',
    '',
    '2. Run the tests',
    '   - unit',
    '   - integration',
    '',
    '     still about integration',
    '3) Ship it',
    '',
    'Back to prose.',
    '',
    '```ts',
    'const a = 1;',
    '',
    '',
    'const b = 2;',
    '```',
    '',
    '| Name | Value |',
    '| --- | --- |',
    '| a | 1 |',
    '',
    '> A quote',
    '> that continues',
    '',
    '---',
    '- [ ] todo one',
    '- [x] todo two',
    '',
    '* star item',
    '',
    '+ plus item',
    '',
    'Closing words.',
  ].join('\n'),
  notionTags: [
    'Intro.',
    '',
    '<toggle>',
    'Summary line',
    '',
    '<toggle>',
    'Nested child',
    '',
    '</toggle>',
    '',
    '```',
    '</toggle> inside code does not close anything',
    '```',
    '</toggle>',
    '',
    '<callout icon="💡" color="blue_bg">',
    'Tip text',
    '',
    'More tip text',
    '</callout>',
    '',
    '<details>',
    '<summary>More</summary>',
    '',
    'Hidden text',
    '</details>',
    'After the details, same block.',
    '',
    '<callout>One-liner</callout>',
    '',
    '### Done',
  ].join('\n'),
  fences: [
    '````markdown',
    '```js',
    'inner();',
    '```',
    '',
    '````',
    '',
    '~~~',
    'tilde code',
    '',
    '```',
    'not a close for tildes',
    '~~~',
    'Text right after a fence.',
    '',
    '```python',
    'def unterminated():',
    '',
    '    pass',
  ].join('\n'),
  crlf: '# Title\r\n\r\nFirst paragraph\r\nsecond line.\r\n\r\n- a\r\n\r\n- b\r\n\r\n```\r\ncode\r\n\r\nmore\r\n```\r\n\r\nEnd.\r\n',
  longText: [prose(2500), '', 'x'.repeat(4500), '', '- item', '', `- ${prose(2300)}`, '', 'Tail.'].join('\n'),
};

describe('MarkdownChunker', () => {
  describe('paragraphs', () => {
    it('cuts at blank lines and skips extra blank lines', () => {
      assert.deepEqual(splitMarkdownBlocks('\n\nOne\nstill one\n\n\n\nTwo  \n \t\nThree\n\n'), ['One\nstill one', 'Two', 'Three']);
    });

    it('returns nothing for empty or blank input', () => {
      assert.deepEqual(splitMarkdownBlocks(''), []);
      assert.deepEqual(splitMarkdownBlocks('\n \n\t\n'), []);
    });

    it('holds back the last block until end()', () => {
      const chunker = new MarkdownChunker();
      assert.deepEqual(chunker.push('First.\n\nSecond'), ['First.']);
      assert.deepEqual(chunker.push(' and more.\n'), []);
      assert.deepEqual(chunker.end(), ['Second and more.']);
    });

    it('emits a paragraph as soon as its blank line arrives', () => {
      const chunker = new MarkdownChunker();
      assert.deepEqual(chunker.push('Done.\n'), []);
      assert.deepEqual(chunker.push('\n'), ['Done.']);
    });

    it('can be reused after end()', () => {
      const chunker = new MarkdownChunker();
      chunker.push('```\nopen');
      chunker.end();
      assert.deepEqual(chunker.push('Fresh\n\n'), ['Fresh']);
    });
  });

  describe('headings and thematic breaks', () => {
    it('stand alone even without blank lines (a "---" under text underlines it)', () => {
      assert.deepEqual(splitMarkdownBlocks('# A\npara\n## B\n- item\n***\ntext\n---\n###### F'), [
        '# A',
        'para',
        '## B',
        '- item',
        '***',
        'text\n---',
        '###### F',
      ]);
    });

    it('are emitted once the next line has started', () => {
      const chunker = new MarkdownChunker();
      assert.deepEqual(chunker.push('# Title'), []);
      assert.deepEqual(chunker.push('\n'), ['# Title']);
      assert.deepEqual(chunker.push('Body'), []);
    });

    it('leaves hashtags and emphasis alone', () => {
      assert.deepEqual(splitMarkdownBlocks('#hashtag\n**bold**\n*em*'), ['#hashtag\n**bold**\n*em*']);
    });
  });

  describe('code fences', () => {
    it('keeps blank lines inside a fence', () => {
      assert.deepEqual(splitMarkdownBlocks('```js\na();\n\n\nb();\n```\n\nAfter'), ['```js\na();\n\n\nb();\n```', 'After']);
    });

    it('does not treat headings or lists inside a fence as blocks', () => {
      const code = '~~~\n# not a heading\n\n- not a list\n---\n~~~';
      assert.deepEqual(splitMarkdownBlocks(code), [code]);
    });

    it('only closes a fence with the same character and at least the same length', () => {
      const code = '````md\n```js\nx\n```\n\n~~~\n````';
      assert.deepEqual(splitMarkdownBlocks(`${code}\n\nNext`), [code, 'Next']);
    });

    it('does not take inline triple backticks for a fence', () => {
      assert.deepEqual(splitMarkdownBlocks('```inline``` code\n\nNext'), ['```inline``` code', 'Next']);
    });

    it('holds an open fence back while streaming', () => {
      const chunker = new MarkdownChunker();
      assert.deepEqual(chunker.push('```\na\n\nb\n'), []);
      assert.deepEqual(chunker.push('```\n\nNext'), ['```\na\n\nb\n```']);
    });

    it('closes an unterminated fence at end() with the opening marker', () => {
      assert.deepEqual(splitMarkdownBlocks('Intro\n\n````py\nx = 1\n\n'), ['Intro', '````py\nx = 1\n\n````']);
      assert.deepEqual(splitMarkdownBlocks('- item\n  ```\n  code'), ['- item\n  ```\n  code\n  ```']);
    });

    it('does not split a long code block', () => {
      const code = `\`\`\`\n${'y'.repeat(5000)}\n\`\`\``;
      assert.deepEqual(splitMarkdownBlocks(code), [code]);
    });
  });

  describe('lists', () => {
    it('keeps a loose list together across blank lines', () => {
      const list = '1. one\n\n2. two\n\n\n3. three';
      assert.deepEqual(splitMarkdownBlocks(`${list}\n\nAfter`), [list, 'After']);
    });

    it('keeps nested items and indented continuations', () => {
      const list = '- a\n  - a.1\n\n    a.1 continued\n\n  - a.2\n- b\n\n  b continued\n1) c\n- [ ] todo\n- [x] done';
      assert.deepEqual(splitMarkdownBlocks(`Intro\n\n${list}\n\nNext`), ['Intro', list, 'Next']);
    });

    it('keeps an intro line and its list in one block', () => {
      assert.deepEqual(splitMarkdownBlocks('Steps:\n- a\n\n- b\n\nDone'), ['Steps:\n- a\n\n- b', 'Done']);
    });

    it('ends at an unindented non-item line after a blank line', () => {
      assert.deepEqual(splitMarkdownBlocks('* a\n\n* b\n\nText\n\n+ c'), ['* a\n\n* b', 'Text', '+ c']);
    });

    it('ends at a fence, table or quote after a blank line', () => {
      assert.deepEqual(splitMarkdownBlocks('- a\n\n```\nx\n```\n\n- b\n\n| t |\n\n- c\n\n> q'), [
        '- a',
        '```\nx\n```',
        '- b',
        '| t |',
        '- c',
        '> q',
      ]);
    });

    it('keeps lazy continuation lines without a blank line', () => {
      assert.deepEqual(splitMarkdownBlocks('- a\nlazy text\n\nNext'), ['- a\nlazy text', 'Next']);
    });

    it('waits for the line after a blank line before emitting a list', () => {
      const chunker = new MarkdownChunker();
      assert.deepEqual(chunker.push('- a\n\n'), []);
      assert.deepEqual(chunker.push('- b\n\n\n'), []);
      assert.deepEqual(chunker.push('Para'), []);
      assert.deepEqual(chunker.push('graph\n'), ['- a\n\n- b']);
      assert.deepEqual(chunker.end(), ['Paragraph']);
    });

    it('does not mistake numbers or dashes in prose for items', () => {
      assert.deepEqual(splitMarkdownBlocks('-5 degrees\n\n1.5 million\n\nNext'), ['-5 degrees', '1.5 million', 'Next']);
    });

    it('does not split a long list item', () => {
      const list = `- ${prose(2500)}\n- short`;
      assert.deepEqual(splitMarkdownBlocks(list), [list]);
    });
  });

  describe('tables and blockquotes', () => {
    it('keeps table rows together, including a caption line above', () => {
      const table = 'Scores:\n| a | b |\n|---|---|\n| 1 | 2 |';
      assert.deepEqual(splitMarkdownBlocks(`${table}\n\nAfter`), [table, 'After']);
    });

    it('does not split a long table', () => {
      const table = `| h |\n|---|\n${`| ${'z'.repeat(100)} |\n`.repeat(30)}`.trimEnd();
      assert.deepEqual(splitMarkdownBlocks(table), [table]);
    });

    it('keeps a blockquote run together', () => {
      assert.deepEqual(splitMarkdownBlocks('> a\n>\n> b\n\n> other quote'), ['> a\n>\n> b', '> other quote']);
    });
  });

  describe('tag blocks', () => {
    it('keeps blank lines inside a toggle, including nested toggles', () => {
      const toggle = '<toggle>\nSummary\n\n<toggle>\nInner\n\n</toggle>\n\nMore\n</toggle>';
      assert.deepEqual(splitMarkdownBlocks(`${toggle}\n\nNext`), [toggle, 'Next']);
    });

    it('keeps headings inside a callout', () => {
      const callout = '<callout icon="💡">\n# Inside\n\nText\n</callout>';
      assert.deepEqual(splitMarkdownBlocks(callout), [callout]);
    });

    it('ignores closing tags inside code in a tag', () => {
      const details = '<details>\n<summary>S</summary>\n\n```\n</details>\n\n```\n</details>';
      assert.deepEqual(splitMarkdownBlocks(`${details}\n\nNext`), [details, 'Next']);
    });

    it('treats a tag closed on its own line like a paragraph', () => {
      assert.deepEqual(splitMarkdownBlocks('<callout>Hi</callout>\n\nNext'), ['<callout>Hi</callout>', 'Next']);
    });

    it('does not open a block for self-closing or unknown tags', () => {
      assert.deepEqual(splitMarkdownBlocks('<empty-block/>\n\n<br>\n\nNext'), ['<empty-block/>', '<br>', 'Next']);
    });
  });

  describe('long paragraphs', () => {
    // The converter cuts long text into Notion-sized rich text items; the chunker keeps a paragraph whole.
    for (const length of [2000, 2001, 12000]) {
      it(`keeps ${length} characters of prose as one block`, () => {
        const text = prose(length);
        assert.deepEqual(splitMarkdownBlocks(`${text}\n\nNext`), [text, 'Next']);
      });
    }

    it('keeps a long word as one block', () => {
      const text = 'x'.repeat(4500);
      assert.deepEqual(splitMarkdownBlocks(text), [text]);
    });
  });

  describe('structures that run across blank lines or lines that look like new blocks', () => {
    it('keeps a setext heading with its text', () => {
      assert.deepEqual(splitMarkdownBlocks('Title\n---\nText\n\nOther\n===\n\n***'), ['Title\n---', 'Text', 'Other\n===', '***']);
    });

    it('keeps $$ math with blank lines together', () => {
      const math = '$$\na\n\n# b\n$$';
      assert.deepEqual(splitMarkdownBlocks(`${math}\n\nNext`), [math, 'Next']);
      assert.deepEqual(splitMarkdownBlocks('$$x$$\n\nNext'), ['$$x$$', 'Next']);
    });

    it('keeps indented code with blank lines together', () => {
      const code = '    a\n\n\n    b';
      assert.deepEqual(splitMarkdownBlocks(`Intro\n\n${code}\n\nNext`), ['Intro', code, 'Next']);
    });

    it('keeps an HTML block with heading-like lines, and comments across blank lines', () => {
      assert.deepEqual(splitMarkdownBlocks('<div>\n# not a heading\n---\n</div>\n\nNext'), ['<div>\n# not a heading\n---\n</div>', 'Next']);
      assert.deepEqual(splitMarkdownBlocks('<!-- a\n\n# b\n-->\n\nNext'), ['<!-- a\n\n# b\n-->', 'Next']);
    });

    it('keeps a footnote definition with its indented continuation', () => {
      assert.deepEqual(splitMarkdownBlocks('[^1]: a\n\n    b\n\nNext'), ['[^1]: a\n\n    b', 'Next']);
    });

    it('keeps a details group and the text right after it', () => {
      const details = '<details>\n<summary>S</summary>\n\n- a\n\n# H\n\n</details>\nafter';
      assert.deepEqual(splitMarkdownBlocks(`${details}\n\nNext`), [details, 'Next']);
    });
  });

  describe('line endings', () => {
    it('normalises CRLF to LF', () => {
      assert.deepEqual(splitMarkdownBlocks(FIXTURES.crlf), splitMarkdownBlocks(FIXTURES.crlf.replace(/\r\n/g, '\n')));
      assert.ok(splitMarkdownBlocks(FIXTURES.crlf).every((block) => !block.includes('\r')));
    });

    it('handles a CRLF split across two pieces', () => {
      assert.deepEqual(streamAll(['a\r', '\n\r', '\nb\r', '\n']), ['a', 'b']);
    });

    it('leaves a lone CR as content', () => {
      assert.deepEqual(streamAll(['a\r', 'b\n\nc']), ['a\rb', 'c']);
      assert.deepEqual(streamAll(['a\r', '\r', '\n\nb\r']), ['a', 'b']);
      assert.deepEqual(streamAll(['```\r']), ['```\n```']);
    });
  });

  describe('streaming', () => {
    for (const [name, document] of Object.entries(FIXTURES)) {
      it(`gives the same blocks one character at a time (${name})`, () => {
        assert.deepEqual(streamAll([...document]), splitMarkdownBlocks(document));
      });
    }

    it('splits the article fixture where expected', () => {
      const blocks = splitMarkdownBlocks(FIXTURES.article);
      assert.deepEqual(blocks.slice(0, 3), [
        '# Release plan',
        'An intro paragraph right under the heading.\nIt has a second line.',
        '## Steps',
      ]);
      assert.match(blocks[3], /^1\. Prepare the branch[\s\S]*3\) Ship it$/);
      assert.deepEqual(blocks.slice(4), [
        'Back to prose.',
        '```ts\nconst a = 1;\n\n\nconst b = 2;\n```',
        '| Name | Value |\n| --- | --- |\n| a | 1 |',
        '> A quote\n> that continues',
        '---',
        '- [ ] todo one\n- [x] todo two\n\n* star item\n\n+ plus item',
        'Closing words.',
      ]);
    });

    it('gives the same blocks for random splits and never cuts inside a structure', () => {
      const random = prng(0x5eed);
      for (const [name, document] of Object.entries(FIXTURES)) {
        const whole = splitMarkdownBlocks(document);
        assertCleanCuts(whole);
        for (let iteration = 0; iteration < 200; iteration++) {
          const pieces = randomPieces(document, random, 1 + Math.floor(random() * 80));
          const { perPush, ended } = stream(pieces);
          assert.deepEqual([...perPush.flat(), ...ended], whole, `${name}, iteration ${iteration}`);
        }
      }
    });

    it('streams a very long line token by token in linear time', () => {
      const chunker = new MarkdownChunker();
      const started = Date.now();
      for (let i = 0; i < 100_000; i++) assert.deepEqual(chunker.push('word '), []);
      assert.equal(chunker.end().length, 1);
      assert.ok(Date.now() - started < 5000, 'streaming a long line took too long');
    });

    it('never emits the open last block from push', () => {
      for (const document of Object.values(FIXTURES)) {
        const chunker = new MarkdownChunker();
        const pushed = chunker.push(document.trimEnd());
        const ended = chunker.end();
        assert.ok(ended.length >= 1);
        assert.deepEqual([...pushed, ...ended], splitMarkdownBlocks(document));
      }
    });

    it('cuts only where converting the pieces gives what converting the whole does', () => {
      for (const [name, document] of Object.entries(FIXTURES)) {
        assert.deepEqual(splitMarkdownBlocks(document).flatMap(markdownToBlocks), markdownToBlocks(document), name);
      }
    });

    it('joins back into the document with blank lines', () => {
      const document = '# T\n\nA\nB\n\n- x\n\n- y\n\n```\nc\n\nd\n```';
      assert.equal(splitMarkdownBlocks(document).join('\n\n'), document);
    });
  });
});

describe('groupBlocks', () => {
  it('joins consecutive blocks up to the budget', () => {
    assert.deepEqual(groupBlocks(['aaa', 'bbb', 'ccc', 'd'], 8), ['aaa\n\nbbb', 'ccc\n\nd']);
  });

  it('counts the separator against the budget', () => {
    assert.deepEqual(groupBlocks(['aaa', 'bbb'], 7), ['aaa', 'bbb']);
  });

  it('sends a block larger than the budget alone', () => {
    assert.deepEqual(groupBlocks(['a', 'x'.repeat(20), 'b', 'c'], 10), ['a', 'x'.repeat(20), 'b\n\nc']);
  });

  it('returns no batches for no blocks', () => {
    assert.deepEqual(groupBlocks([], 100), []);
  });
});
