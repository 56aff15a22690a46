import * as assert from 'node:assert/strict';
import {
  APIErrorCode,
  APIResponseError,
  Client,
  LogLevel,
  isFullBlock,
  type BlockObjectResponse,
  type RichTextItemResponse,
} from '@notionhq/client';
import { BOT_USER_ID, PAT_USER_ID, PERSON_USER_ID, type NotionFake, startNotionFake } from '../fakes/notionFake';

const TOKEN = 'secret_fake_notion';
const clientFor = (fake: NotionFake) =>
  new Client({ auth: TOKEN, baseUrl: fake.url, notionVersion: '2026-03-11', retry: false, logLevel: LogLevel.ERROR });

async function rejects400(promise: Promise<unknown>, message?: RegExp | string): Promise<APIResponseError> {
  const err = await promise.then(
    () => assert.fail('expected Notion to refuse the request'),
    (e: unknown) => e,
  );
  assert.ok(APIResponseError.isAPIResponseError(err), `expected APIResponseError, got ${String(err)}`);
  assert.equal(err.status, 400);
  assert.equal(err.code, APIErrorCode.ValidationError);
  if (typeof message === 'string') assert.equal(err.message, message);
  else if (message) assert.match(err.message, message);
  return err;
}

const runs = (block: BlockObjectResponse): RichTextItemResponse[] =>
  (block as unknown as Record<string, { rich_text: RichTextItemResponse[] }>)[block.type].rich_text;
const plain = (block: BlockObjectResponse) =>
  runs(block)
    .map((r) => r.plain_text)
    .join('');
const para = (content: string, link?: string) => ({ paragraph: { rich_text: [{ text: { content, link: link ? { url: link } : null } }] } });

describe('Notion stand-in fidelity (fails if made lenient)', () => {
  let fake: NotionFake;
  let notion: Client;
  before(async () => {
    fake = await startNotionFake();
    notion = clientFor(fake);
  });
  after(() => fake.close());
  beforeEach(() => fake.reset());

  describe('markdown is read as Notion-flavored Markdown, not GitHub markdown', () => {
    it('reads `costs $5 to $10` as an inline equation', () => {
      const page = fake.addPage({ title: 'p', markdown: 'It costs $5 to $10.' });
      const [block] = fake.pageBlocks(page.id);
      const equation = runs(block).find((r) => r.type === 'equation');
      assert.ok(equation && equation.type === 'equation', 'an unescaped $…$ is an equation');
      assert.equal(equation.equation.expression, '5 to ');
    });

    it('reads `Vec<T>` and `a < b` as tags: the text does not survive', () => {
      const page = fake.addPage({ title: 'p', markdown: 'Use Vec<T> here\n\nwhen a < b holds' });
      const [vec, cmp] = fake.pageBlocks(page.id).map(plain);
      assert.notEqual(vec, 'Use Vec<T> here');
      assert.ok(!vec.includes('<T>'));
      assert.notEqual(cmp, 'when a < b holds');
    });

    it('reads a trailing {…} as an attribute list, not text', () => {
      const page = fake.addPage({ title: 'p', markdown: 'set it to {enabled}\n\nBlue {color="blue"}' });
      const [first, second] = fake.pageBlocks(page.id);
      assert.equal(plain(first).trimEnd(), 'set it to');
      assert.ok(second.type === 'paragraph');
      assert.equal(second.paragraph.color, 'blue');
      assert.equal(plain(second), 'Blue');
    });

    it('does not nest list items indented with two spaces; tabs nest', () => {
      const spaces = fake.addPage({ title: 'spaces', markdown: '- parent\n  - child' });
      const flat = fake.pageBlocks(spaces.id);
      assert.equal(flat.length, 2);
      assert.ok(flat.every((b) => !b.has_children));
      const tabs = fake.addPage({ title: 'tabs', markdown: '- parent\n\t- child' });
      const [parent] = fake.blockTree(tabs.id);
      assert.equal(fake.pageBlocks(tabs.id).length, 1);
      assert.deepEqual(parent.children.map(plain), ['child']);
    });

    it('makes each `>` line its own quote; <br> breaks a line inside one', () => {
      const page = fake.addPage({ title: 'p', markdown: '> one\n> two\n\n> three<br>four' });
      const quotes = fake.pageBlocks(page.id);
      assert.deepEqual(
        quotes.map((b) => b.type),
        ['quote', 'quote', 'quote'],
      );
      assert.equal(plain(quotes[2]), 'three\nfour');
    });

    it('renders escapes and tab-indented children, and reads them back to the same blocks', () => {
      const markdown =
        'Price \\$5 \\*not bold\\* a \\< b \\{x\\}\n\n- parent\n\t- child\n\n<details>\n<summary>More</summary>\n\tinside\n</details>';
      const seeded = fake.addPage({ title: 'seeded', markdown });
      assert.equal(fake.pageMarkdown(seeded.id), markdown);
      assert.equal(plain(fake.pageBlocks(seeded.id)[0]), 'Price $5 *not bold* a < b {x}');
    });
  });

  describe('block requests are refused where Notion refuses them', () => {
    it('refuses a third level of nesting in one request', async () => {
      const page = fake.addPage({ title: 'p' });
      const deep = {
        bulleted_list_item: { rich_text: [], children: [{ bulleted_list_item: { rich_text: [], children: [para('too deep')] } }] },
      };
      await rejects400(
        notion.blocks.children.append({ block_id: page.id, children: [deep] as never }),
        /children\[0\]\.bulleted_list_item\.children should be not present/,
      );
      assert.equal(fake.pageBlocks(page.id).length, 0);
    });

    it('refuses text content over 2000 characters', async () => {
      const page = fake.addPage({ title: 'p' });
      await rejects400(
        notion.blocks.children.append({ block_id: page.id, children: [para('y'.repeat(2001))] }),
        'body failed validation: body.children[0].paragraph.rich_text[0].text.content.length should be ≤ `2000`, instead was `2001`.',
      );
    });

    it('refuses a relative link URL', async () => {
      const page = fake.addPage({ title: 'p' });
      await rejects400(
        notion.blocks.children.append({ block_id: page.id, children: [para('docs', '/docs/setup')] }),
        /Invalid URL for link/,
      );
    });

    it("refuses a code language that is not one of Notion's names (no aliases)", async () => {
      const page = fake.addPage({ title: 'p' });
      await rejects400(
        notion.blocks.children.append({
          block_id: page.id,
          children: [{ code: { rich_text: [{ text: { content: 'x' } }], language: 'ts' as never } }],
        }),
        /body\.children\[0\]\.code\.language should be .*"typescript".*instead was `"ts"`/,
      );
    });

    it('refuses tables without a width or rows, and rows of the wrong width', async () => {
      const page = fake.addPage({ title: 'p' });
      const row = (...cells: string[]) => ({ table_row: { cells: cells.map((c) => [{ text: { content: c } }]) } });
      await rejects400(
        notion.blocks.children.append({ block_id: page.id, children: [{ table: { children: [row('a')] } }] as never }),
        /table\.table_width should be defined/,
      );
      await rejects400(
        notion.blocks.children.append({ block_id: page.id, children: [{ table: { table_width: 2 } }] as never }),
        /table\.children should be defined/,
      );
      await rejects400(
        notion.blocks.children.append({ block_id: page.id, children: [{ table: { table_width: 2, children: [row('a')] } }] as never }),
        /table width/,
      );
      await rejects400(notion.blocks.children.append({ block_id: page.id, children: [row('a')] as never }));
      await notion.blocks.children.append({
        block_id: page.id,
        children: [{ table: { table_width: 2, children: [row('a', 'b')] } }] as never,
      });
    });

    it('refuses more than 100 rich text items, bad media URLs, and the removed `after` field', async () => {
      const page = fake.addPage({ title: 'p' });
      const many = { paragraph: { rich_text: Array.from({ length: 101 }, () => ({ text: { content: 'x' } })) } };
      await rejects400(
        notion.blocks.children.append({ block_id: page.id, children: [many] }),
        'body failed validation: body.children[0].paragraph.rich_text.length should be ≤ `100`, instead was `101`.',
      );
      await rejects400(
        notion.blocks.children.append({ block_id: page.id, children: [{ image: { external: { url: 'pic.png' } } }] as never }),
        /image\.external\.url should be a valid URL/,
      );
      const [first] = (await notion.blocks.children.append({ block_id: page.id, children: [para('a')] })).results;
      await rejects400(
        notion.request({ path: `blocks/${page.id}/children`, method: 'patch', body: { children: [para('b')], after: first.id } }),
        /body\.after should be not present/,
      );
      const heading4 = await notion.blocks.children.append({
        block_id: page.id,
        children: [{ heading_4: { rich_text: [{ text: { content: 'h4' } }] } }] as never,
      });
      assert.ok(isFullBlock(heading4.results[0]) && heading4.results[0].type === ('heading_4' as never));
    });
  });

  describe('trash', () => {
    it('restores a trashed block in its place with its id, children and comments', async () => {
      const page = fake.addPage({ title: 'p', markdown: 'a\n\n- b\n\t- b1\n\nc' });
      const [, b] = fake.pageBlocks(page.id);
      fake.addComment(b.id, 'keep this');
      const deleted = await notion.blocks.delete({ block_id: b.id });
      assert.ok(isFullBlock(deleted) && deleted.in_trash);
      assert.equal(fake.pageMarkdown(page.id), 'a\n\nc');
      assert.deepEqual(fake.pageBlocks(page.id).map(plain), ['a', 'c']);
      const got = await notion.blocks.retrieve({ block_id: b.id });
      assert.ok(isFullBlock(got) && got.in_trash);
      await rejects400(notion.blocks.delete({ block_id: b.id }), /archived/);
      await rejects400(notion.blocks.children.append({ block_id: b.id, children: [para('x')] }), /archived/);
      await rejects400(
        notion.blocks.update({ block_id: b.id, bulleted_list_item: { rich_text: [{ text: { content: 'x' } }] } }),
        /archived/,
      );
      await notion.blocks.children.append({ block_id: page.id, children: [para('start')], position: { type: 'start' } });

      const restored = await notion.blocks.update({ block_id: b.id, in_trash: false });
      assert.ok(isFullBlock(restored) && !restored.in_trash);
      assert.equal(fake.pageMarkdown(page.id), 'start\n\na\n\n- b\n\t- b1\n\nc');
      assert.equal(fake.pageBlocks(page.id)[2].id, b.id);
      assert.deepEqual(
        fake.comments(b.id).map((c) => c.text),
        ['keep this'],
      );
    });

    it('trashes with PATCH in_trash: true, and refuses `archived` on 2026-03-11', async () => {
      const page = fake.addPage({ title: 'p', markdown: 'a\n\nb' });
      const [a] = fake.pageBlocks(page.id);
      await notion.blocks.update({ block_id: a.id, in_trash: true });
      assert.deepEqual(fake.blockTree(page.id).map(plain), ['b']);
      await rejects400(
        notion.request({ path: `blocks/${a.id}`, method: 'patch', body: { archived: false } }),
        /body\.archived should be not present/,
      );
    });
  });

  describe('people, comments and times', () => {
    it("tells a person's edit from the integration's, and rounds times to the minute", async () => {
      const page = fake.addPage({ title: 'p' });
      const [written] = (await notion.blocks.children.append({ block_id: page.id, children: [para('by the bot')] })).results;
      assert.ok(isFullBlock(written));
      assert.equal(written.created_by.id, fake.tokenKind === 'pat' ? PAT_USER_ID : BOT_USER_ID);
      assert.match(written.created_time, /:00\.000Z$/);
      fake.editBlockAsUser(written.id, 'by a person');
      const [tree] = fake.blockTree(page.id);
      assert.equal(plain(tree), 'by a person');
      assert.equal(tree.last_edited_by.id, PERSON_USER_ID);
      assert.notEqual(PERSON_USER_ID, BOT_USER_ID);
      assert.match(tree.last_edited_time, /:00\.000Z$/);
    });
  });

  describe('faults', () => {
    it('applyThenDrop writes the blocks and answers nothing; reset writes nothing', async () => {
      const page = fake.addPage({ title: 'p' });
      fake.failNext({ method: 'PATCH', path: /\/children$/ }, { kind: 'applyThenDrop' });
      await assert.rejects(notion.blocks.children.append({ block_id: page.id, children: [para('landed')] }));
      assert.deepEqual(fake.pageBlocks(page.id).map(plain), ['landed']);
      fake.failNext({ method: 'PATCH', path: /\/children$/ }, { kind: 'reset' });
      await assert.rejects(notion.blocks.children.append({ block_id: page.id, children: [para('lost')] }));
      assert.deepEqual(fake.pageBlocks(page.id).map(plain), ['landed']);
      fake.failNext({ path: /\/children$/ }, { kind: 'status', status: 409, code: 'conflict_error', message: 'Conflict.' });
      await assert.rejects(notion.blocks.children.append({ block_id: page.id, children: [para('x')] }), /Conflict/);
    });
  });
});
