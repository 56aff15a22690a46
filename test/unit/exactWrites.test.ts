import assert from 'node:assert/strict';
import type { BlockObjectRequest, Client } from '@notionhq/client';
import { type GenerationRecord } from '../../src/services/generation/generationRecord';
import { GenerationStore } from '../../src/services/generation/generationStore';
import { PageEditor } from '../../src/services/generation/pageEditor';
import { NotionPages } from '../../src/services/notion/notionPages';
import type { NotionFake } from '../fakes/notionFake';
import { useWriteRig } from '../support/loopbackFakes';
import { OpenAIFake } from '../fakes/openaiFake';

const ANSWER = [
  '# Release notes',
  'Costs went from $5 to $10; `Vec<T>` is faster when a < b.',
  '- one\n- two\n  - nested\n    - deeper',
  '```ts\nconst x = {enabled};\n```',
  '| a | b |\n|---|---|\n| 1 | 2 |',
  '> [!NOTE]\n> Read this first.',
  'The end.',
].join('\n\n');

/** Blocks a person put in the page by hand, of kinds Notion's markdown cannot round-trip. */
const HAND_MADE: BlockObjectRequest[] = [
  { type: 'paragraph', paragraph: { rich_text: [{ type: 'text', text: { content: 'Written by hand, with a comment.' } }] } },
  { type: 'bookmark', bookmark: { url: 'https://example.com/spec' } },
  { type: 'image', image: { type: 'external', external: { url: 'https://example.com/diagram.png' } } },
  {
    type: 'toggle',
    toggle: {
      rich_text: [{ type: 'text', text: { content: 'Details' } }],
      children: [{ type: 'paragraph', paragraph: { rich_text: [{ type: 'text', text: { content: 'Hidden inside.' } }] } }],
    },
  },
];

describe('Exact writes: Undo and Retry Write by block id', () => {
  const rig = useWriteRig(ANSWER);
  const { writer, generator, engine } = rig;
  let notion: NotionFake, model: OpenAIFake, store: GenerationStore, client: Client;
  beforeEach(() => ({ notion, model, store, client } = rig));

  /** A page holding a bookmark, an image, a child page, a toggle and a comment on one block. */
  async function richPage(title: string) {
    const page = notion.addPage({ title });
    await client.blocks.children.append({ block_id: page.id, children: HAND_MADE });
    notion.addPage({ title: 'A child page', parentPageId: page.id });
    const commented = notion.pageBlocks(page.id)[0].id;
    notion.addComment(commented, 'Keep this paragraph.');
    return { page, commented, before: notion.blockTree(page.id) };
  }

  async function generate(pageId: string, mode: 'append' | 'replace'): Promise<GenerationRecord> {
    const page = await new NotionPages(client).resolvePage(pageId);
    const { record, error } = await generator().run({
      page,
      prompt: 'Write release notes',
      plan: { mode },
      engine: engine(),
      model: 'gpt-4.1-mini',
      signal: new AbortController().signal,
    });
    assert.equal(error, undefined);
    assert.equal(record.status, 'written');
    return record;
  }

  async function undo(record: GenerationRecord, keepEdited = false) {
    const editor = new PageEditor(writer(), store.get(record.id)!, store);
    const plan = await editor.planUndo();
    await editor.undo(plan, keepEdited);
    return plan;
  }

  for (const mode of ['append', 'replace'] as const) {
    it(`undoes a ${mode} exactly: every original block keeps its id and content, the generated blocks are gone`, async () => {
      const { page, commented, before } = await richPage(`Undo ${mode}`);
      const record = await generate(page.id, mode);
      assert.ok(record.blockIds!.length >= 7);
      if (mode === 'replace') {
        const live = notion.pageBlocks(page.id);
        assert.deepEqual(
          live.filter((b) => !record.blockIds!.includes(b.id)).map((b) => b.type),
          ['child_page'],
          'replace moved everything but the child page',
        );
      }
      notion.editBlockAsUser(record.blockIds![2], 'A person changed this line.');

      const plan = await undo(record);
      assert.equal(plan.present, record.blockIds!.length);
      assert.equal(plan.edited, 1, 'the edited block is named in the confirmation');
      assert.deepEqual(plan.editedIds, [record.blockIds![2]]);

      assert.deepEqual(notion.blockTree(page.id), before, 'the page is exactly as before: same ids, same content, same order');
      assert.deepEqual(
        notion.comments(commented).map((c) => c.text),
        ['Keep this paragraph.'],
      );
      assert.ok(store.get(record.id)!.undoneAt);
    });
  }

  it('keeps the blocks edited since when asked to', async () => {
    const page = notion.addPage({ title: 'Keep edits', markdown: 'Mine.' });
    const record = await generate(page.id, 'append');
    notion.editBlockAsUser(record.blockIds![0], 'Now it is mine too.');
    await undo(record, true);
    assert.deepEqual(
      notion.pageBlocks(page.id).map((b) => b.id),
      [notion.pageBlocks(page.id)[0].id, record.blockIds![0]],
    );
  });

  it('a cancelled undo resumes where it stopped', async () => {
    const page = notion.addPage({ title: 'Resume undo', markdown: 'Mine.' });
    const mine = notion.pageBlocks(page.id).map((b) => b.id);
    const record = await generate(page.id, 'append');
    const editor = new PageEditor(writer(), store.get(record.id)!, store);
    const controller = new AbortController();
    const plan = await editor.planUndo();
    await assert.rejects(
      editor.undo(plan, false, controller.signal, (p) => {
        if (p.done === 2) controller.abort();
      }),
    );
    assert.equal(notion.pageBlocks(page.id).length, mine.length + record.blockIds!.length - 2, 'stopped after two');
    assert.equal(store.get(record.id)!.undoneAt, undefined);
    const again = await undo(record);
    assert.equal(again.present, record.blockIds!.length - 2, 'the second run sees only what is left');
    assert.deepEqual(
      notion.pageBlocks(page.id).map((b) => b.id),
      mine,
    );
  });

  it('a write that landed but whose answer was lost is found, not written twice', async () => {
    const page = notion.addPage({ title: 'Dropped answer' });
    notion.failNext({ method: 'PATCH', path: /\/blocks\/[^/]+\/children$/ }, { kind: 'applyThenDrop' } as never, 1);
    const record = await generate(page.id, 'append');
    const blocks = notion.pageBlocks(page.id);
    assert.deepEqual(
      blocks.map((b) => b.id),
      record.blockIds,
      'every block exactly once, each id recorded',
    );
    assert.equal(blocks.filter((b) => b.type === 'heading_1').length, 1);
  });

  it('Retry Write after a dropped connection leaves every block exactly once', async () => {
    const page = notion.addPage({ title: 'Retry after drop' });
    // The write lands and its answer is lost; the listing that would tell is lost too.
    const lostListing = () => notion.failNext({ method: 'GET', path: /\/blocks\/[^/]+\/children$/ }, { kind: 'reset' }, 1);
    notion.failNext({ method: 'PATCH', path: /\/blocks\/[^/]+\/children$/ }, { kind: 'applyThenDrop', then: lostListing }, 1);
    const resolved = await new NotionPages(client).resolvePage(page.id);
    const { record, error } = await generator().run({
      page: resolved,
      prompt: 'Write',
      plan: { mode: 'append' },
      engine: engine(),
      model: 'gpt-4.1-mini',
      signal: new AbortController().signal,
    });
    assert.equal(record.status, 'writeFailed', error?.message);
    assert.ok(record.uncertainBlocks, 'the record says which write is unknown');
    const requestsBefore = model.requests.length;

    const retried = await generator().retryWrite(record.id, new AbortController().signal);
    assert.equal(retried.record.status, 'written', retried.error?.message);
    assert.equal(model.requests.length, requestsBefore, 'no second generation');
    const blocks = notion.pageBlocks(page.id);
    assert.deepEqual(
      blocks.map((b) => b.id),
      retried.record.blockIds,
    );
    assert.equal(blocks.filter((b) => b.type === 'heading_1').length, 1, 'nothing twice');
    assert.equal(blocks.length, retried.record.blocks);
  });

  it('a deep list and a long list arrive complete and in order', async () => {
    const deep = Array.from({ length: 6 }, (_, i) => `${'  '.repeat(i)}- level ${i + 1}`).join('\n');
    const long = Array.from({ length: 300 }, (_, i) => `- item ${i}`).join('\n');
    const rows = Array.from({ length: 120 }, (_, i) => `| ${i} | row ${i} |`).join('\n');
    model.respondWith(() => [deep, long, `| n | name |\n|---|---|\n${rows}`, 'x'.repeat(10_000).replace(/(.{80})/g, '$1 ')].join('\n\n'));
    const page = notion.addPage({ title: 'Limits' });
    const record = await generate(page.id, 'append');
    const tree = notion.blockTree(page.id);
    let level = tree[0];
    for (let i = 1; i < 6; i++) level = level.children[0];
    assert.match(JSON.stringify(level), /level 6/, 'six levels deep');
    assert.equal(tree.filter((b) => b.type === 'bulleted_list_item').length, 301);
    const table = tree.find((b) => b.type === 'table')!;
    assert.equal(table.children.length, 121, 'header and 120 rows');
    assert.equal(tree.length, record.blockIds!.length);
  });

  it('appends to a page that already holds 25,000 blocks, and Undo finds its blocks among them', async function () {
    // Undo reads the whole page: 250 listings of 100.
    this.timeout(90_000);
    const page = notion.addPage({
      title: 'Huge',
      markdown: Array.from({ length: 25_000 }, (_, i) => `Existing paragraph ${i}.`).join('\n\n'),
    });
    assert.equal(notion.pageBlocks(page.id).length, 25_000);
    const record = await generate(page.id, 'append');
    const blocks = notion.pageBlocks(page.id);
    assert.equal(blocks.length, 25_000 + record.blockIds!.length);
    assert.deepEqual(
      blocks.slice(25_000).map((b) => b.id),
      record.blockIds,
      'complete, in order, after everything that was there',
    );
    const plan = await undo(record);
    assert.equal(plan.present, record.blockIds!.length);
    assert.equal(notion.pageBlocks(page.id).length, 25_000);
  });
});
