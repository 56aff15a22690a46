import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BlockNode } from '../../src/services/notion/blockTree';
import { MarkdownChunker, splitMarkdownBlocks } from '../../src/services/generation/markdownChunker';
import { NOTION_LANGUAGES } from '../../src/services/notion/codeLanguages';
import { markdownToBlocks } from '../../src/services/notion/markdownBlocks';
import { PLAIN, splitCode, splitText, textRun, toRichText } from '../../src/services/notion/richText';
import { type Digest, digestNodes, digestStored, type StoredTree } from '../support/blockDigest';

const CORPUS = path.resolve(__dirname, '../../../test/fixtures/modelAnswers');

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

function streamed(markdown: string, random: () => number, maxPiece: number): string[] {
  const chunker = new MarkdownChunker();
  const chunks: string[] = [];
  for (let start = 0; start < markdown.length;) {
    const length = 1 + Math.floor(random() * maxPiece);
    chunks.push(...chunker.push(markdown.slice(start, start + length)));
    start += length;
  }
  return [...chunks, ...chunker.end()];
}

type RichItem = { type: string; text?: { content: string; link?: { url: string } }; equation?: { expression: string } };
type Payload = {
  rich_text?: RichItem[];
  language?: string;
  expression?: string;
  cells?: RichItem[][];
  table_width?: number;
  caption?: RichItem[];
};

/** Asserts every request obeys Notion's limits; returns how many blocks were checked. */
function assertWithinLimits(nodes: readonly BlockNode[], where = 'root'): number {
  let count = 0;
  for (const [i, node] of nodes.entries()) {
    const block = node.block as unknown as Record<string, Payload> & { type: string };
    const at = `${where}[${i}] ${block.type}`;
    assert.ok(block.type, `${at}: type is set`);
    const payload = block[block.type];
    assert.ok(payload, `${at}: payload present`);
    assert.ok(!('children' in payload), `${at}: children travel beside the payload`);
    const arrays = [payload.rich_text, payload.caption, ...(payload.cells ?? [])].filter((a): a is RichItem[] => !!a);
    for (const items of arrays) {
      assert.ok(items.length <= 100, `${at}: ${items.length} rich text items`);
      for (const item of items) {
        assert.ok(item.type === 'text' || item.type === 'equation', `${at}: rich text type set`);
        if (item.text) {
          assert.ok(item.text.content.length <= 2000, `${at}: content of ${item.text.content.length}`);
          const url = item.text.link?.url;
          if (url !== undefined) {
            assert.match(url, /^(https?:|mailto:)/i, `${at}: link ${url}`);
            assert.doesNotThrow(() => new URL(url));
            assert.ok(url.length <= 2000);
          }
        }
        if (item.equation) assert.ok(item.equation.expression.length <= 1000, `${at}: inline equation too long`);
      }
    }
    if (block.type === 'code') assert.ok(NOTION_LANGUAGES.has(payload.language!), `${at}: language ${payload.language}`);
    if (block.type === 'equation') assert.ok(payload.expression!.length <= 1000 && payload.expression!.length > 0);
    if (block.type === 'table') {
      for (const row of node.children) {
        const rowPayload = (row.block as unknown as { table_row: Payload }).table_row;
        assert.equal(rowPayload.cells!.length, payload.table_width, `${at}: row width`);
      }
    }
    count += 1 + assertWithinLimits(node.children, at);
  }
  return count;
}

type Answer = { name: string; markdown: string; expected: Digest[] };

function corpus(): Answer[] {
  return fs
    .readdirSync(CORPUS)
    .filter((file) => file.endsWith('.md'))
    .sort()
    .map((file) => ({
      name: file.replace(/\.md$/, ''),
      markdown: fs.readFileSync(path.join(CORPUS, file), 'utf8'),
      expected: JSON.parse(fs.readFileSync(path.join(CORPUS, file.replace(/\.md$/, '.json')), 'utf8')) as Digest[],
    }));
}

/** Large answers, built here rather than stored. */
function largeAnswers(): Answer[] {
  const words = 'Notion pages hold blocks, and every block holds rich text of its own. ';
  const paragraph = words
    .repeat(Math.ceil(12000 / words.length))
    .slice(0, 12000)
    .trim();
  let code = Array.from({ length: 250 }, (_, i) => `const value${i} = compute(${i}); // step ${i}`).join('\n');
  while (code.length < 10000) code += `\n// padding line ${code.length}`;
  return [
    {
      name: 'list of 300 items',
      markdown: Array.from({ length: 300 }, (_, i) => `- item ${i + 1}`).join('\n'),
      expected: Array.from({ length: 300 }, (_, i) => ({ type: 'bulleted_list_item', text: `item ${i + 1}` })),
    },
    {
      name: 'table of 120 rows',
      markdown: ['| n | square |', '|---|---|', ...Array.from({ length: 120 }, (_, i) => `| ${i} | ${i * i} |`)].join('\n'),
      expected: [{ type: 'table', cells: [['n', 'square'], ...Array.from({ length: 120 }, (_, i) => [`${i}`, `${i * i}`])] }],
    },
    { name: '12,000-character paragraph', markdown: paragraph, expected: [{ type: 'paragraph', text: paragraph }] },
    {
      name: '10,000-character code block',
      markdown: `\`\`\`ts\n${code}\n\`\`\``,
      expected: [{ type: 'code', text: code, language: 'typescript' }],
    },
  ];
}

describe('markdownToBlocks', () => {
  const answers = [...corpus(), ...largeAnswers()];

  it('has a corpus of at least 40 model answers', () => {
    assert.ok(corpus().length >= 40, `${corpus().length} answers`);
  });

  for (const { name, markdown, expected } of answers) {
    describe(name, () => {
      const whole = markdownToBlocks(markdown);

      it('converts to the expected blocks', () => {
        assert.deepEqual(digestNodes(whole), expected);
      });

      it("obeys Notion's limits", () => {
        assert.ok(assertWithinLimits(whole) > 0);
      });

      it('converts the same whole, in chunks, and streamed in random pieces', () => {
        const chunks = splitMarkdownBlocks(markdown);
        assert.deepEqual(chunks.flatMap(markdownToBlocks), whole);
        const random = prng(name.length * 7919);
        for (let iteration = 0; iteration < 20; iteration++) {
          assert.deepEqual(streamed(markdown, random, 1 + Math.floor(random() * 40)), chunks, `iteration ${iteration}`);
        }
      });
    });
  }

  it('keeps a 12,000-character paragraph as one block of several rich text items', () => {
    const text = 'word '.repeat(2400).trim();
    const [block] = markdownToBlocks(text);
    const items = (block.block as unknown as { paragraph: { rich_text: RichItem[] } }).paragraph.rich_text;
    assert.ok(items.length >= 6);
    assert.ok(items.every((item) => item.text!.content.length <= 2000));
    assert.equal(items.map((item) => item.text!.content).join(''), text);
  });

  it('continues rich text of more than 100 items in further blocks of the same type', () => {
    const markdown = `- ${Array.from({ length: 150 }, (_, i) => `**b${i}** i${i}`).join(' ')}\n  - child`;
    const blocks = markdownToBlocks(markdown);
    // 300 items: a bold and a plain one per pair.
    assert.equal(blocks.length, 3);
    assert.ok(blocks.every((node) => (node.block as { type?: string }).type === 'bulleted_list_item'));
    assert.deepEqual(
      blocks.map((node) => node.children.length),
      [0, 0, 1],
    );
    assertWithinLimits(blocks);
    const text = digestNodes(blocks)
      .map((digest) => digest.text)
      .join('');
    assert.ok(text.startsWith('**b0** i0 **b1**'));
    assert.ok(text.endsWith('**b149** i149'));
  });

  it('keeps every word of a table cell that needs more than 100 rich text items', () => {
    const cell = Array.from({ length: 120 }, (_, i) => `**b${i}** i${i}`).join(' ');
    const [table] = markdownToBlocks(`| h |\n|---|\n| ${cell} |`);
    assertWithinLimits([table]);
    const [, row] = digestNodes([table])[0].cells!;
    assert.equal(row[0], cell.replace(/\*\*/g, ''));
  });

  it('keeps only absolute http(s) and mailto links', () => {
    const [digest] = digestNodes(
      markdownToBlocks('[a](javascript:alert(1)) [b](ftp://x.org) [c](https://ok.dev) [d](mailto:a@b.co) [e](<http://exa mple>)'),
    );
    assert.equal(digest.text, 'a b [c](https://ok.dev) [d](mailto:a@b.co) e');
  });

  it('turns an over-long equation into LaTeX code rather than losing it', () => {
    const expression = `${'x + '.repeat(300)}y`;
    const [digest] = digestNodes(markdownToBlocks(`$$\n${expression}\n$$`));
    assert.deepEqual(digest, { type: 'code', text: expression, language: 'latex' });
  });

  it('gives the same digest for blocks read back from Notion', () => {
    for (const { markdown } of corpus()) {
      const nodes = markdownToBlocks(markdown);
      assert.deepEqual(digestStored(nodes.map(stored)), digestNodes(nodes));
    }
  });
});

/** What Notion returns for a request: full annotations, plain_text, href, ids, children read back. */
function stored(node: BlockNode): StoredTree {
  const block = node.block as unknown as Record<string, Record<string, unknown>> & { type: string };
  const payload = { ...block[block.type] };
  const respond = (items: RichItem[]) =>
    items.map((item) => ({
      ...item,
      annotations: {
        bold: false,
        italic: false,
        strikethrough: false,
        underline: false,
        code: false,
        color: 'default',
        ...(item as { annotations?: object }).annotations,
      },
      plain_text: item.text?.content ?? item.equation?.expression ?? '',
      href: item.text?.link?.url ?? null,
      ...(item.text ? { text: { content: item.text.content, link: item.text.link ?? null } } : {}),
    }));
  for (const key of ['rich_text', 'caption']) {
    if (Array.isArray(payload[key])) payload[key] = respond(payload[key] as RichItem[]);
  }
  if (Array.isArray(payload.cells)) payload.cells = (payload.cells as RichItem[][]).map(respond);
  return {
    object: 'block',
    id: 'b',
    type: block.type,
    [block.type]: payload,
    has_children: node.children.length > 0,
    children: node.children.map(stored),
  } as unknown as StoredTree;
}

describe('rich text splitting', () => {
  it('leaves text within the limit alone', () => {
    assert.deepEqual(splitText('a b', 2000), ['a b']);
    assert.deepEqual(splitText('x'.repeat(2000)), ['x'.repeat(2000)]);
  });

  it('cuts after whitespace so no word is broken, and joins back exactly', () => {
    const text = Array.from({ length: 3000 }, (_, i) => `w${i}`).join(' ');
    const pieces = splitText(text);
    assert.equal(pieces.join(''), text);
    for (const piece of pieces) assert.ok(piece.length <= 2000);
    for (const piece of pieces.slice(0, -1)) assert.match(piece, /\s$/);
    for (const piece of pieces.slice(1)) assert.match(piece, /^w\d+/);
  });

  it('cuts a single word over the limit hard, never inside a surrogate pair', () => {
    const word = `${'x'.repeat(1999)}😀${'y'.repeat(100)}`;
    assert.deepEqual(splitText(word), ['x'.repeat(1999), `😀${'y'.repeat(100)}`]);
    assert.deepEqual(
      splitText('z'.repeat(4500)).map((piece) => piece.length),
      [2000, 2000, 500],
    );
  });

  it('keeps annotations and links on both sides of a cut', () => {
    const text = 'bold words '.repeat(300).trim();
    const items = toRichText([textRun(text, { ...PLAIN, bold: true, link: 'https://x.dev' }), textRun(' tail')]);
    assert.ok(items.length >= 3);
    for (const item of items.slice(0, -1)) {
      assert.ok(item.type === 'text');
      assert.deepEqual(item.annotations, { bold: true });
      assert.deepEqual(item.text.link, { url: 'https://x.dev' });
    }
    assert.deepEqual(items[items.length - 1], { type: 'text', text: { content: ' tail' } });
  });

  it('merges neighbouring runs with equal formatting', () => {
    assert.deepEqual(toRichText([textRun('a'), textRun('b'), textRun('c', { ...PLAIN, italic: true })]), [
      { type: 'text', text: { content: 'ab' } },
      { type: 'text', text: { content: 'c' }, annotations: { italic: true } },
    ]);
  });

  it('cuts code at line ends', () => {
    const code = Array.from({ length: 300 }, (_, i) => `line ${i} ${'-'.repeat(20)}`).join('\n');
    const pieces = splitCode(code);
    assert.equal(pieces.join(''), code);
    for (const piece of pieces.slice(0, -1)) assert.ok(piece.endsWith('\n') && piece.length <= 2000);
  });
});
