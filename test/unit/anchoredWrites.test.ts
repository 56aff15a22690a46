import assert from 'node:assert/strict';
import type { BlockObjectResponse, Client } from '@notionhq/client';
import { type GenerationRecord } from '../../src/services/generation/generationRecord';
import { GenerationStore } from '../../src/services/generation/generationStore';
import { convertAll } from '../../src/services/generation/generator';
import { PageEditor } from '../../src/services/generation/pageEditor';
import { markdownToBlocks } from '../../src/services/notion/markdownBlocks';
import { NotionPages } from '../../src/services/notion/notionPages';
import type { NotionFake } from '../fakes/notionFake';
import { useWriteRig } from '../support/loopbackFakes';
import { OpenAIFake } from '../fakes/openaiFake';

const PAGE = ['# Intro', 'First words.', '## Target', 'Was under the target.', '## Last', 'The end of the page.'].join('\n\n');

/** 300 top-level blocks: 150 paragraphs, then a list of 150 items, each with a child that has a child. */
const LONG = [
  ...Array.from({ length: 150 }, (_, i) => `Paragraph ${i}.`),
  Array.from({ length: 150 }, (_, i) => `- item ${i}\n  - child ${i}\n    - grandchild ${i}`).join('\n'),
].join('\n\n');

const SHORT = ['### Inserted', 'One inserted paragraph.', '- a\n- b'].join('\n\n');

const PATCH_CHILDREN = { method: 'PATCH', path: /\/blocks\/[^/]+\/children$/ };
const GET_CHILDREN = { method: 'GET', path: /\/blocks\/[^/]+\/children$/ };

const textOf = (block: BlockObjectResponse) =>
  ((block as unknown as Record<string, { rich_text?: { plain_text: string }[] }>)[block.type]?.rich_text ?? [])
    .map((t) => t.plain_text)
    .join('');

describe('Anchored writes: in place after a block', () => {
  const rig = useWriteRig(SHORT);
  const { writer, generator, engine } = rig;
  let notion: NotionFake, model: OpenAIFake, store: GenerationStore, client: Client;
  beforeEach(() => ({ notion, model, store, client } = rig));

  function pageWithTarget(title: string) {
    const page = notion.addPage({ title, markdown: PAGE });
    const before = notion.pageBlocks(page.id);
    const heading = before.find((b) => b.type === 'heading_2' && textOf(b) === 'Target')!;
    return { page, before, heading, tree: notion.blockTree(page.id) };
  }

  async function afterHeading(pageId: string, headingId: string) {
    const page = await new NotionPages(client).resolvePage(pageId);
    return generator().run({
      page,
      prompt: 'Write',
      plan: { mode: 'afterHeading', afterBlock: headingId },
      engine: engine(),
      model: 'gpt-4.1-mini',
      signal: new AbortController().signal,
    });
  }

  /** The appends to the page itself (not to its blocks), in order. */
  const topLevelPatches = (pageId: string) =>
    notion.requests
      .filter((r) => r.method === 'PATCH' && r.path.replace(/-/g, '') === `/v1/blocks/${pageId.replace(/-/g, '')}/children`)
      .map((r) => r.body as { position: unknown; children: unknown[] });

  /** The page's top-level ids: everything that was there, in its order, with `inserted` right after `anchor`. */
  function expectInPlace(pageId: string, before: readonly BlockObjectResponse[], anchor: string | undefined, inserted: readonly string[]) {
    const ids = before.map((b) => b.id);
    const at = anchor === undefined ? 0 : ids.indexOf(anchor) + 1;
    assert.deepEqual(
      notion.pageBlocks(pageId).map((b) => b.id),
      [...ids.slice(0, at), ...inserted, ...ids.slice(at)],
    );
  }

  it('writes 300 blocks with nested lists after the heading, in order, every level complete', async function () {
    this.timeout(60_000);
    model.respondWith(() => LONG);
    const { page, before, heading } = pageWithTarget('Long insert');
    const { record, error } = await afterHeading(page.id, heading.id);
    assert.equal(error, undefined, error?.message);
    assert.equal(record.status, 'written');
    assert.equal(record.blockIds!.length, 300);
    assert.deepEqual(record.anchor, { after: heading.id, before: before[before.indexOf(heading) + 1].id });
    expectInPlace(page.id, before, heading.id, record.blockIds!);

    const tree = notion.blockTree(page.id);
    const inserted = tree.slice(before.indexOf(heading) + 1, before.indexOf(heading) + 301);
    assert.deepEqual(
      inserted.slice(0, 150).map((b) => JSON.stringify(b).match(/Paragraph (\d+)/)?.[1]),
      Array.from({ length: 150 }, (_, i) => String(i)),
    );
    inserted.slice(150).forEach((item, i) => {
      assert.equal(item.type, 'bulleted_list_item');
      assert.match(
        JSON.stringify(item.children[0].children[0]),
        new RegExp(`grandchild ${i}\\b`),
        `item ${i} has its child and grandchild`,
      );
    });
    const patches = topLevelPatches(page.id);
    assert.ok(patches.length >= 3, 'three or more top-level requests');
    assert.deepEqual(patches[0].position, { type: 'after_block', after_block: { id: heading.id } });
    let written = 0;
    for (let i = 1; i < patches.length; i++) {
      written += patches[i - 1].children.length;
      assert.deepEqual(
        patches[i].position,
        { type: 'after_block', after_block: { id: record.blockIds![written - 1] } },
        `request ${i + 1} goes after the last block of the one before`,
      );
    }
  });

  it('a batch whose answer was lost is found after the anchor, not written twice', async () => {
    const { page, before, heading } = pageWithTarget('Lost answer');
    notion.failNext(PATCH_CHILDREN, { kind: 'applyThenDrop' } as never, 1);
    const { record, error } = await afterHeading(page.id, heading.id);
    assert.equal(error, undefined, error?.message);
    assert.equal(record.blockIds!.length, convertAll(SHORT, markdownToBlocks).length);
    expectInPlace(page.id, before, heading.id, record.blockIds!);
    assert.equal(notion.pageBlocks(page.id).filter((b) => textOf(b) === 'Inserted').length, 1, 'the heading written once');
  });

  it('a batch that did not land is not taken for the blocks that were already there', async () => {
    // The page already says what the model writes, right after the heading: only the write's own blocks count.
    const page = notion.addPage({ title: 'Same words', markdown: ['## Target', SHORT].join('\n\n') });
    const before = notion.pageBlocks(page.id);
    notion.failNext(PATCH_CHILDREN, { kind: 'reset' } as never, 1);
    const { record, error } = await afterHeading(page.id, before[0].id);
    assert.equal(error, undefined, error?.message);
    assert.ok(
      record.blockIds!.every((id) => !before.some((b) => b.id === id)),
      'no block that was there is recorded as written',
    );
    expectInPlace(page.id, before, before[0].id, record.blockIds!);
  });

  /** A record as a generation leaves it before its write: the text is generated, nothing written. */
  async function generated(
    pageId: string,
    anchor: string,
  ): Promise<{ record: GenerationRecord; editor: PageEditor; nodes: ReturnType<typeof convertAll> }> {
    model.respondWith(() => LONG);
    const page = await new NotionPages(client).resolvePage(pageId);
    const nodes = convertAll(LONG, markdownToBlocks);
    const record: GenerationRecord = {
      id: `anchored-${pageId}`,
      createdAt: new Date().toISOString(),
      page: { id: page.id, title: page.title, url: page.url },
      prompt: 'Write',
      engine: 'openai',
      model: 'gpt-4.1-mini',
      mode: 'afterHeading',
      status: 'generating',
      markdown: LONG,
      // The model's whole answer: every block of it finished.
      blocks: nodes.length,
      writtenBlocks: 0,
      blockIds: [],
      anchor: { after: anchor },
      timings: {},
    };
    await store.save(record);
    const editor = new PageEditor(writer(), record, store);
    await editor.placeAnchor();
    return { record, editor, nodes };
  }

  it('Retry Write after a failure continues after the last block written', async function () {
    this.timeout(30_000);
    const { page, before, heading } = pageWithTarget('Retry in place');
    const { record, editor, nodes } = await generated(page.id, heading.id);
    await editor.append(nodes.slice(0, 120));
    notion.failNext(PATCH_CHILDREN, { status: 400, code: 'validation_error', message: 'Refused once.' } as never, 1);
    await assert.rejects(editor.append(nodes.slice(120)));
    await store.update(record.id, { status: 'writeFailed' });
    assert.equal(store.get(record.id)!.writtenBlocks, 120);
    const sent = topLevelPatches(page.id).length;

    const retried = await generator().retryWrite(record.id, new AbortController().signal);
    assert.equal(retried.record.status, 'written', retried.error?.message);
    assert.equal(retried.record.blockIds!.length, 300);
    expectInPlace(page.id, before, heading.id, retried.record.blockIds!);
    assert.deepEqual(topLevelPatches(page.id)[sent].position, { type: 'after_block', after_block: { id: retried.record.blockIds![119] } });
  });

  it('Retry Write after an unknown outcome looks after the last block, then writes the rest once', async function () {
    this.timeout(30_000);
    const { page, before, heading } = pageWithTarget('Retry unknown');
    const { record, editor, nodes } = await generated(page.id, heading.id);
    await editor.append(nodes.slice(0, 100));
    // The next write lands and its answer is lost; the listing that would tell is lost too.
    notion.failNext(PATCH_CHILDREN, { kind: 'applyThenDrop' } as never, 1);
    notion.failNext(GET_CHILDREN, { kind: 'reset' } as never, 1);
    await assert.rejects(editor.append(nodes.slice(100)));
    assert.ok(store.get(record.id)!.uncertainBlocks, 'the record says which write is unknown');
    await store.update(record.id, { status: 'writeFailed' });

    const retried = await generator().retryWrite(record.id, new AbortController().signal);
    assert.equal(retried.record.status, 'written', retried.error?.message);
    expectInPlace(page.id, before, heading.id, retried.record.blockIds!);
    assert.equal(notion.pageBlocks(page.id).filter((b) => textOf(b) === 'Paragraph 100.').length, 1, 'nothing twice');
    assert.equal(retried.record.blockIds!.length, 300);
  });

  it("Retry Write after a person deleted the run's last blocks carries on after the last one still there", async function () {
    this.timeout(30_000);
    const { page, before, heading } = pageWithTarget('Anchor deleted');
    const { record, editor, nodes } = await generated(page.id, heading.id);
    await editor.append(nodes.slice(0, 120));
    notion.failNext(PATCH_CHILDREN, { status: 400, code: 'validation_error', message: 'Refused once.' } as never, 1);
    await assert.rejects(editor.append(nodes.slice(120)));
    await store.update(record.id, { status: 'writeFailed' });
    const written = store.get(record.id)!.blockIds!;
    for (const id of written.slice(118)) await client.blocks.delete({ block_id: id });

    const retried = await generator().retryWrite(record.id, new AbortController().signal);
    assert.equal(retried.record.status, 'written', retried.error?.message);
    const present = new Set(notion.pageBlocks(page.id).map((b) => b.id));
    expectInPlace(
      page.id,
      before,
      heading.id,
      retried.record.blockIds!.filter((id) => present.has(id)),
    );
    assert.equal(retried.record.blockIds!.filter((id) => present.has(id)).length, 298, 'the two deleted blocks are not written again');
  });

  it("Retry Write with neither the run's blocks nor the heading left says so, then writes at the end when told", async function () {
    this.timeout(30_000);
    const { page, heading } = pageWithTarget('Everything deleted');
    const { record, editor, nodes } = await generated(page.id, heading.id);
    await editor.append(nodes.slice(0, 10));
    await store.update(record.id, { status: 'writeFailed' });
    for (const id of [...store.get(record.id)!.blockIds!, heading.id]) await client.blocks.delete({ block_id: id });
    const untouched = notion.pageBlocks(page.id).map((b) => b.id);

    const stuck = await generator().retryWrite(record.id, new AbortController().signal);
    assert.equal(stuck.record.status, 'writeFailed');
    assert.match(stuck.error!.message, /Neither the blocks this generation wrote nor the heading/);
    assert.deepEqual(
      notion.pageBlocks(page.id).map((b) => b.id),
      untouched,
      'nothing written while the place is unknown',
    );

    const retried = await generator().retryWrite(record.id, new AbortController().signal, undefined, async () => 'end');
    assert.equal(retried.record.status, 'written', retried.error?.message);
    assert.deepEqual(
      notion.pageBlocks(page.id).map((b) => b.id),
      [...untouched, ...retried.record.blockIds!.slice(10)],
    );
  });

  it("Retry Write with neither the run's blocks nor the heading left writes after the heading the person chooses", async function () {
    this.timeout(30_000);
    const { page, heading, before } = pageWithTarget('Another heading');
    const { record, editor, nodes } = await generated(page.id, heading.id);
    await editor.append(nodes.slice(0, 10));
    await store.update(record.id, { status: 'writeFailed' });
    for (const id of [...store.get(record.id)!.blockIds!, heading.id]) await client.blocks.delete({ block_id: id });
    const last = before.find((b) => b.type === 'heading_2' && textOf(b) === 'Last')!;
    const left = notion.pageBlocks(page.id);

    const retried = await generator().retryWrite(record.id, new AbortController().signal, undefined, async () => ({ after: last.id }));
    assert.equal(retried.record.status, 'written', retried.error?.message);
    expectInPlace(page.id, left, last.id, retried.record.blockIds!.slice(10));
    assert.equal(retried.record.anchor?.after, last.id, 'the chosen heading is the run’s place from now on');
  });

  it('Undo removes exactly the inserted blocks; every other block keeps its id', async () => {
    const { page, heading, tree } = pageWithTarget('Undo in place');
    const { record } = await afterHeading(page.id, heading.id);
    assert.equal(record.status, 'written');
    const editor = new PageEditor(writer(), store.get(record.id)!, store);
    const plan = await editor.planUndo();
    assert.deepEqual([...plan.presentIds], record.blockIds);
    await editor.undo(plan, false);
    assert.deepEqual(notion.blockTree(page.id), tree);
  });

  it('a replace of an earlier generation writes in its place, and at the start when it opened the page', async () => {
    const { page, before, heading } = pageWithTarget('Replace in place');
    const first = (await afterHeading(page.id, heading.id)).record;
    const resolved = await new NotionPages(client).resolvePage(page.id);
    model.respondWith(() => 'Rewritten.');
    const run = (replacing: readonly string[]) =>
      generator().run({
        page: resolved,
        prompt: 'Shorter',
        plan: { mode: 'replace', replacing },
        engine: engine(),
        model: 'gpt-4.1-mini',
        signal: new AbortController().signal,
      });
    const second = (await run(first.blockIds!)).record;
    assert.equal(second.status, 'written');
    expectInPlace(page.id, before, heading.id, second.blockIds!);

    // The first blocks of the page replaced: the new text opens the page.
    const third = (await run([before[0].id, before[1].id])).record;
    assert.equal(third.status, 'written');
    assert.deepEqual(
      { ...third.anchor },
      JSON.parse(JSON.stringify({ after: undefined, before: before[0].id })),
      'at the start of the page, before the first block replaced',
    );
    assert.deepEqual(
      notion
        .pageBlocks(page.id)
        .slice(0, third.blockIds!.length)
        .map((b) => b.id),
      third.blockIds,
    );
  });

  it('the stand-in, as Notion, refuses an after_block that is not a child of the parent', async () => {
    const { page, heading } = pageWithTarget('Strict');
    const other = notion.addPage({ title: 'Other', markdown: 'Elsewhere.' });
    const nested = notion.addPage({ title: 'Nested' });
    const paragraph = { type: 'paragraph' as const, paragraph: { rich_text: [{ type: 'text' as const, text: { content: 'x' } }] } };
    const toggle = await client.blocks.children.append({
      block_id: nested.id,
      children: [{ type: 'toggle', toggle: { rich_text: [], children: [paragraph] } }],
    });
    const inner = (await client.blocks.children.list({ block_id: toggle.results[0].id })).results[0].id;
    for (const id of [notion.pageBlocks(other.id)[0].id, inner]) {
      await assert.rejects(
        client.blocks.children.append({ block_id: page.id, children: [paragraph], position: { type: 'after_block', after_block: { id } } }),
        (error: { status?: number; code?: string }) => error.status === 400 && error.code === 'validation_error',
      );
    }
    await assert.rejects(
      client.blocks.children.append({
        block_id: nested.id,
        children: [paragraph],
        position: { type: 'after_block', after_block: { id: heading.id } },
      }),
    );
    assert.equal(notion.pageBlocks(page.id).length, 6, 'nothing was written');
  });
});
