import assert from 'node:assert/strict';
import type { Client } from '@notionhq/client';
import type { GenerationStore } from '../../src/services/generation/generationStore';
import { PageEditor } from '../../src/services/generation/pageEditor';
import { contentOfNode, hashOfNode } from '../../src/services/notion/authorship';
import { BlockWriter } from '../../src/services/notion/blockWriter';
import { markdownToBlocks } from '../../src/services/notion/markdownBlocks';
import { NotionPages } from '../../src/services/notion/notionPages';
import type { NotionFake } from '../fakes/notionFake';
import { useWriteRig } from '../support/loopbackFakes';

const ANSWER = [
  '# Release notes',
  'Costs went from **$5** to *$10*, see [the list](https://example.com/list).',
  '- one\n  - nested',
  '```ts\nconst x = 1;\n```',
  '| a | b |\n|---|---|\n| 1 | 2 |',
  '$$\nE = mc^2\n$$',
  'The end.',
].join('\n\n');

describe("Authorship: a block is Visen's only when proven", () => {
  const rig = useWriteRig(ANSWER);
  const { writer, generator, engine } = rig;
  let notion: NotionFake, store: GenerationStore, client: Client;
  beforeEach(() => ({ notion, store, client } = rig));

  /** A page holding exactly `markdown`, as blocks Visen's integration created through the API. */
  async function pageWith(markdown: string) {
    const page = notion.addPage({ title: 'Proof' });
    const nodes = markdownToBlocks(markdown);
    await writer().append(page.id, nodes);
    return { page, nodes, ids: notion.pageBlocks(page.id).map((b) => b.id) };
  }

  it('the content compared is every part of it: type, rich text with annotations and links, code language, equation, table cells, children', async () => {
    const { page, nodes, ids } = await pageWith(ANSWER);
    const now = Date.now();
    assert.deepEqual(
      await writer().landed(page.id, nodes, { start: null, sentAt: now }),
      ids,
      "what was sent, where it went, just created: Visen's",
    );
    const differing: [number, string][] = [
      [1, 'Costs went from $5 to *$10*, see [the list](https://example.com/list).'],
      [1, 'Costs went from **$5** to *$10*, see [the list](https://example.com/other).'],
      [2, '- one\n  - other'],
      [3, '```js\nconst x = 1;\n```'],
      [4, '| a | b |\n|---|---|\n| 1 | 3 |'],
      [5, '$$\nE = mc^3\n$$'],
    ];
    for (const [at, variant] of differing) {
      const changed = markdownToBlocks(
        ANSWER.split('\n\n')
          .map((part, j) => (j === at ? variant : part))
          .join('\n\n'),
      );
      assert.equal(changed.length, nodes.length);
      assert.deepEqual(await writer().landed(page.id, changed, { start: null, sentAt: now }), [], `not the content sent: ${variant}`);
    }
    // Rich text cut into other pieces, or with the defaults spelled out, is the same content.
    const node = markdownToBlocks('Plain words, then more.')[0];
    const pieces = {
      ...node,
      block: {
        type: 'paragraph',
        paragraph: {
          rich_text: [
            { type: 'text', text: { content: 'Plain words, ' } },
            { type: 'text', text: { content: 'then more.' }, annotations: { bold: false } },
          ],
          color: 'default',
        },
      },
    } as typeof node;
    assert.equal(contentOfNode(pieces), contentOfNode(node));
    assert.equal(hashOfNode(pieces), hashOfNode(node));
  });

  it("found right where the batch went and as sent, but created before the minute the request left: not Visen's", async () => {
    const { page, nodes, ids } = await pageWith('Hello.');
    notion.page(page.id)!.blocks[0].createdTime = new Date(Date.now() - 2 * 3600_000).toISOString().replace(/:\d\d\.\d+Z$/, ':00.000Z');
    assert.deepEqual(await writer().landed(page.id, nodes, { start: null, sentAt: Date.now() }), []);
    assert.deepEqual(
      await writer().landed(page.id, nodes, { start: null, sentAt: Date.now() - 3 * 3600_000 }),
      ids,
      'sent before it was created',
    );
    // Notion keeps created_time to the minute: a block created in the minute the request left counts.
    notion.page(page.id)!.blocks[0].createdTime = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
    assert.deepEqual(await writer().landed(page.id, nodes, { start: null, sentAt: Date.now() }), ids);
  });

  describe("a local clock 3 minutes ahead of Notion's", () => {
    /** A time on Notion's clock, cut to its minute as Notion keeps block times. */
    const notionMinute = (offsetMs = 0) =>
      new Date(Math.floor((Date.now() + notion.clockSkewMs + offsetMs) / 60_000) * 60_000).toISOString();
    beforeEach(() => (notion.clockSkewMs = -3 * 60_000));

    it("a batch whose answer was lost is still found Visen's by Notion's own clock, not written twice", async () => {
      const page = await new NotionPages(client).resolvePage(notion.addPage({ title: 'Clock ahead', markdown: 'Before.' }).id);
      notion.failNext({ method: 'PATCH', path: /\/blocks\/[^/]+\/children$/ }, { kind: 'applyThenDrop' }, 1);
      const { record, error } = await generator().run({
        page,
        prompt: 'Write',
        plan: { mode: 'append' },
        engine: engine(),
        model: 'gpt-4.1-mini',
        signal: new AbortController().signal,
      });
      assert.equal(error, undefined, error?.message);
      assert.equal(record.status, 'written');
      const blocks = notion.pageBlocks(page.id);
      assert.ok(
        Date.parse(blocks[1].created_time) < Date.now() - 2 * 60_000,
        `the blocks carry Notion's time, minutes behind this machine's (${blocks[1].created_time})`,
      );
      assert.deepEqual(
        blocks.slice(1).map((b) => b.id),
        record.blockIds,
        'each block once, all of them Visen’s',
      );
      assert.equal(blocks.length, 1 + markdownToBlocks(ANSWER).length, 'nothing twice');
      const sent = notion.requests
        .filter((r) => r.method === 'PATCH' && r.path.replace(/-/g, '') === `/v1/blocks/${page.id.replace(/-/g, '')}/children`)
        .flatMap((r) => (r.body as { children: unknown[] }).children);
      assert.equal(sent.length, record.blockIds!.length, 'the lost append was not sent again');
    });

    it("a block the token's own user made earlier, right where the batch went and as sent, is still not Visen's", async () => {
      const { page, nodes, ids } = await pageWith('Hello.');
      const stored = notion.page(page.id)!.blocks[0];
      stored.createdTime = notionMinute(-5 * 60_000);
      assert.deepEqual(
        await writer().landed(page.id, nodes, { start: null, sentAt: Date.now() }),
        [],
        'made 5 minutes before the request left',
      );
      // Made in the minute the request left on Notion's clock (3 minutes before it on this machine's): Visen's.
      stored.createdTime = notionMinute();
      assert.deepEqual(await writer().landed(page.id, nodes, { start: null, sentAt: Date.now() }), ids);
    });
  });

  it("created by someone other than the token's own user: not Visen's; users/me is asked once per client", async () => {
    const page = notion.addPage({ title: 'By a person' });
    notion.appendAsUser(page.id, 'Hello.');
    const nodes = markdownToBlocks('Hello.');
    assert.deepEqual(await writer().landed(page.id, nodes, { start: null, sentAt: Date.now() }), []);
    await writer().landed(page.id, nodes, { start: null });
    await new BlockWriter(client).me();
    assert.equal(notion.requests.filter((r) => r.path === '/v1/users/me').length, 1);
  });

  it('where the batch went: after the anchor, at the start when the page was empty, never when that is unknown', async () => {
    const { page, nodes, ids } = await pageWith('Hello.');
    assert.deepEqual(await writer().landed(page.id, nodes, {}), [], 'no anchor known: nothing is adopted');
    assert.deepEqual(await writer().landed(page.id, nodes, { start: ids[0] }), [], 'nothing after the anchor');
    notion.appendAsUser(page.id, 'Hello.');
    assert.deepEqual(await writer().landed(page.id, nodes, { start: ids[0] }), [], 'the same text after the anchor, by a person');
    assert.deepEqual(await writer().landed(page.id, nodes, { start: null }), ids);
  });

  for (const kind of ['reset', 'applyThenDrop'] as const) {
    it(`a deep list whose follow-up append into a list item is lost ${kind === 'reset' ? 'before' : 'after'} it lands is completed, nothing twice`, async () => {
      const deep = Array.from({ length: 4 }, (_, i) => `${'  '.repeat(i)}- level ${i + 1}`).join('\n');
      rig.model.respondWith(() => `Intro.\n\n${deep}`);
      const page = await new NotionPages(client).resolvePage(notion.addPage({ title: `Deep ${kind}` }).id);
      notion.failNext({ method: 'PATCH', path: new RegExp(`/blocks/(?!${page.id})[^/]+/children$`) }, { kind });
      const { record, error } = await generator().run({
        page,
        prompt: 'Write',
        plan: { mode: 'append' },
        engine: engine(),
        model: 'gpt-4.1-mini',
        signal: new AbortController().signal,
      });
      assert.equal(error, undefined, error?.message);
      assert.equal(record.status, 'written');
      const tree = notion.blockTree(page.id);
      assert.deepEqual(
        tree.map((b) => b.id),
        record.blockIds,
      );
      let level = tree[1];
      for (let i = 2; i <= 4; i++) {
        assert.equal(level.children.length, 1, `one child at level ${i - 1}`);
        level = level.children[0];
        assert.match(JSON.stringify(level), new RegExp(`level ${i}`));
      }
    });
  }

  it("Undo tells an edit by content, even one made with the token's own user (a personal token acts as its person)", async () => {
    const page = await new NotionPages(client).resolvePage(notion.addPage({ title: "Edited by the token's user", markdown: 'Mine.' }).id);
    const { record, error } = await generator().run({
      page,
      prompt: 'Write',
      plan: { mode: 'append' },
      engine: engine(),
      model: 'gpt-4.1-mini',
      signal: new AbortController().signal,
    });
    assert.equal(error, undefined);
    assert.equal(Object.keys(record.proof!.hashes).length, record.blockIds!.length, 'a hash per written block');
    const ids = record.blockIds!;
    const paragraph = notion.pageBlocks(page.id).find((b) => ids.includes(b.id) && b.type === 'paragraph')!;
    await client.blocks.update({
      block_id: paragraph.id,
      paragraph: { rich_text: [{ type: 'text', text: { content: 'Changed in the same minute, by the same user.' } }] },
    });
    const table = notion.blockTree(page.id).find((b) => b.type === 'table')!;
    await client.blocks.update({
      block_id: table.children[1].id,
      table_row: { cells: [[{ type: 'text', text: { content: '9' } }], [{ type: 'text', text: { content: '2' } }]] },
    });
    const edited = notion.pageBlocks(page.id).find((b) => b.id === paragraph.id)!;
    assert.equal(edited.last_edited_by.id, edited.created_by.id, 'Notion cannot tell this edit by its author');

    const editor = new PageEditor(writer(), store.get(record.id)!, store);
    const plan = await editor.planUndo();
    assert.deepEqual(plan.editedIds, [paragraph.id, table.id], 'the paragraph and the table whose cell changed');
    await editor.undo(plan, true);
    assert.deepEqual(
      notion
        .pageBlocks(page.id)
        .map((b) => b.id)
        .slice(1),
      [paragraph.id, table.id],
      'kept when asked to',
    );
  });
});
