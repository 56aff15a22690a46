import * as assert from 'node:assert/strict';
import { countNotionBlocks, splitMarkdownBlocks } from '../../src/services/generation/markdownChunker';
import { defaultGeneratedMarkdown } from '../fakes/generatedMarkdown';
import { markdownToBlocks } from '../fakes/notionContent';

/**
 * The count Visen reports ("Wrote 17 blocks") is the number of top-level blocks the page gains. The Notion
 * stand-in parses markdown with a full CommonMark lexer (marked) into blocks; the count must agree with it.
 */
describe('countNotionBlocks', () => {
  const documents: Record<string, string> = {
    'the engines\' sample page': defaultGeneratedMarkdown('A launch checklist for the Visen beta'),
    'a list of three items': '- one\n- two\n- three',
    'a loose list': '1. one\n\n2. two\n\n3. three',
    'a list with a sub-list and a continuation line': '- one\n  - one a\n  - one b\n- two\n  more of two\n- three',
    'a list with code inside an item': '- step\n\n  ```sh\n  npm test\n  ```\n- next',
    'to-dos': '- [ ] a\n- [x] b',
    'a paragraph over two lines, then a list': 'First line\nsecond line\n\n- a\n- b',
    'a setext heading': 'Title\n=====\n\nText',
    'a quote over two lines, then another': '> a\n> b\n\n> c',
    'a lazy quote line': '> a\nlazy',
    'a table': '| a | b |\n| --- | --- |\n| 1 | 2 |\n| 3 | 4 |',
    'a fence holding list and heading lines': '```md\n# not a heading\n- not an item\n\n| not | a table |\n```\nafter',
    'a tilde fence': '~~~\ncode\n~~~',
    'headings and a divider': '# A\n## B\n---\n### C',
    'CRLF line ends': '# A\r\n\r\n- x\r\n- y\r\n',
  };
  for (const [name, markdown] of Object.entries(documents)) {
    it(`matches the stand-in for ${name}`, () => {
      assert.equal(countNotionBlocks(markdown), markdownToBlocks(markdown.replace(/\r\n/g, '\n')).length);
    });
  }

  it('counts a document the same whole or in the chunks Visen writes', () => {
    const markdown = defaultGeneratedMarkdown('Chunks');
    const chunks = splitMarkdownBlocks(markdown);
    assert.ok(chunks.length < countNotionBlocks(markdown), 'lists make more blocks than chunks');
    assert.equal(chunks.reduce((sum, chunk) => sum + countNotionBlocks(chunk), 0), countNotionBlocks(markdown));
  });

  it('counts a tag block with its children as one block', () => {
    assert.equal(countNotionBlocks('<toggle>\n- a\n\n- b\n</toggle>\n\nafter'), 2);
    assert.equal(countNotionBlocks('<callout icon="💡">Tip</callout>\n\n<callout>\nLong\n</callout>'), 2);
  });

  it('counts nothing in blank text', () => {
    assert.equal(countNotionBlocks(''), 0);
    assert.equal(countNotionBlocks('\n\n  \n'), 0);
  });
});
