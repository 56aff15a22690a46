import * as assert from 'node:assert/strict';
import { splitMarkdownBlocks } from '../../src/services/generation/markdownChunker';
import { countTopLevelBlocks, markdownToBlocks } from '../../src/services/notion/markdownBlocks';
import { defaultGeneratedMarkdown } from '../fakes/generatedMarkdown';

/**
 * The count Visen reports ("Wrote 17 blocks") is the number of top-level blocks the page gains: the blocks
 * the converter makes, one per list item, paragraph, heading, quote, code block, table or divider.
 */
describe('countTopLevelBlocks', () => {
  const documents: Record<string, [string, number]> = {
    'a list of three items': ['- one\n- two\n- three', 3],
    'a loose list': ['1. one\n\n2. two\n\n3. three', 3],
    'a list with a sub-list and a continuation line': ['- one\n  - one a\n  - one b\n- two\n  more of two\n- three', 3],
    'a list with code inside an item': ['- step\n\n  ```sh\n  npm test\n  ```\n- next', 2],
    'to-dos': ['- [ ] a\n- [x] b', 2],
    'a paragraph over two lines, then a list': ['First line\nsecond line\n\n- a\n- b', 3],
    'a setext heading': ['Title\n=====\n\nText', 2],
    'a quote over two lines, then another': ['> a\n> b\n\n> c', 2],
    'a lazy quote line': ['> a\nlazy', 1],
    'a table': ['| a | b |\n| --- | --- |\n| 1 | 2 |\n| 3 | 4 |', 1],
    'a fence holding list and heading lines': ['```md\n# not a heading\n- not an item\n\n| not | a table |\n```\nafter', 2],
    'a tilde fence': ['~~~\ncode\n~~~', 1],
    'headings and a divider': ['# A\n## B\n---\n### C', 4],
    'CRLF line ends': ['# A\r\n\r\n- x\r\n- y\r\n', 3],
    'a details group': ['<details>\n<summary>More</summary>\n\n- a\n\n- b\n\n</details>\n\nafter', 2],
    'an alert': ['> [!TIP]\n> Use it.', 1],
    'display math': ['$$\nx^2\n$$\n\nText', 2],
  };
  for (const [name, [markdown, expected]] of Object.entries(documents)) {
    it(`counts ${name}`, () => {
      assert.equal(countTopLevelBlocks(markdown), expected);
      assert.equal(countTopLevelBlocks(markdown), markdownToBlocks(markdown).length);
    });
  }

  it('counts a document the same whole or in the chunks Visen writes', () => {
    const markdown = defaultGeneratedMarkdown('Chunks');
    const chunks = splitMarkdownBlocks(markdown);
    assert.ok(chunks.length < countTopLevelBlocks(markdown), 'lists make more blocks than chunks');
    assert.equal(
      chunks.reduce((sum, chunk) => sum + countTopLevelBlocks(chunk), 0),
      countTopLevelBlocks(markdown),
    );
  });

  it('counts a 12,000-character paragraph as one block', () => {
    assert.equal(countTopLevelBlocks('word '.repeat(2400).trim()), 1);
  });

  it('counts nothing in blank text', () => {
    assert.equal(countTopLevelBlocks(''), 0);
    assert.equal(countTopLevelBlocks('\n\n  \n'), 0);
  });
});
