import assert from 'node:assert/strict';
import * as openai from '../../src/services/engines/openai';
import { newRecord } from '../../src/services/generation/generationRecord';
import { GenerationStore } from '../../src/services/generation/generationStore';
import { convertAll, Generator, GenerateRequest } from '../../src/services/generation/generator';
import { MemoryStore } from '../../src/services/keyValueStore';
import { silentLogger } from '../../src/services/logger';
import { createNotionClient } from '../../src/services/notion/notionClient';
import { NotionPages } from '../../src/services/notion/notionPages';
import { BlockWriter } from '../../src/services/notion/blockWriter';
import { markdownToBlocks } from '../../src/services/notion/markdownBlocks';
import { NotionFake, startNotionFake } from '../fakes/notionFake';
import { useNotionAndModel } from '../support/loopbackFakes';
import { OpenAIFake } from '../fakes/openaiFake';
import { assertEveryKind } from '../support/answerBlocks';

const SECRET = 'secret_fake_notion';

describe('Generator: engine → chunker → Notion page', () => {
  let notion: NotionFake;
  let model: OpenAIFake;
  let store: GenerationStore;
  const fakes = useNotionAndModel();

  beforeEach(() => {
    ({ notion, model } = fakes);
    store = new GenerationStore(new MemoryStore());
    model.chunkDelayMs = 0;
  });

  function setup(requestsPerSecond = 100) {
    const client = createNotionClient({ auth: SECRET, baseUrl: notion.url, requestsPerSecond });
    const generator = new Generator(new BlockWriter(client), markdownToBlocks, store, silentLogger);
    const engine = openai.createEngine({ apiKey: 'sk-fake-openai', baseUrl: model.url });
    return { client, generator, engine };
  }

  /** A run of `engine` into `page` where `plan` says. */
  function writeRequest(page: GenerateRequest['page'], engine: GenerateRequest['engine'], plan: GenerateRequest['plan']): GenerateRequest {
    return { page, prompt: 'Write', plan, engine, model: 'gpt-4.1-mini', signal: new AbortController().signal };
  }

  async function run(pageTitle: string, overrides: Partial<GenerateRequest> = {}, requestsPerSecond = 100) {
    const { client, generator, engine } = setup(requestsPerSecond);
    const fakePage = notion.addPage({
      title: pageTitle,
      markdown: overrides.plan?.mode === 'replace' ? 'Old intro\n\nOld paragraph' : 'Existing first line',
    });
    const page = await new NotionPages(client).resolvePage(fakePage.url);
    const outcome = await generator.run({
      page,
      prompt: 'Write a brief',
      plan: { mode: 'append' },
      engine,
      model: 'gpt-4.1-mini',
      signal: new AbortController().signal,
      ...overrides,
    });
    return { ...outcome, pageId: page.id, generator };
  }

  const appends = () => notion.requests.filter((r) => r.method === 'PATCH' && /\/blocks\/[^/]+\/children$/.test(r.path));
  const markdownWrites = () => notion.requests.filter((r) => r.method !== 'GET' && /\/markdown$/.test(r.path));

  it('appends native blocks of every kind after the existing content', async () => {
    const { record, error, pageId } = await run('Brief');
    assert.equal(error, undefined);
    assert.equal(record.status, 'written');
    assertEveryKind(notion.pageBlocks(pageId).map((b) => b.type));
    const blocks = notion.pageBlocks(pageId);
    assert.equal(blocks[0].type, 'paragraph', 'existing content stays first');
    const code = blocks.find((b) => b.type === 'code');
    assert.ok(code && code.type === 'code' && code.code.language === 'typescript');
    const bold = blocks.flatMap((b) => (b.type === 'paragraph' ? b.paragraph.rich_text : [])).find((t) => t.annotations.bold);
    assert.ok(bold, 'bold text arrives as an annotation, not as asterisks');
    assert.equal(record.writtenBlocks, record.blocks);
    assert.equal(record.blocks, convertAll(record.markdown, markdownToBlocks).length);
    // What the user is told counts the page's blocks (one per list item), and the record keeps their ids.
    assert.equal(record.writtenBlocks, blocks.length - 1, 'every block but the one the page had');
    assert.deepEqual(
      record.blockIds,
      blocks.slice(1).map((b) => b.id),
      'the ids of exactly the blocks written, in order',
    );
    assert.ok(record.usage && record.usage.outputTokens > 0);
    assert.equal(markdownWrites().length, 0, 'model output never goes through the markdown endpoints');
    for (const request of appends()) assert.deepEqual((request.body as { position?: unknown }).position, { type: 'end' });
    assert.ok(
      notion.requests.every((r) => r.headers['notion-version'] === '2026-03-11'),
      'the pinned API version is sent',
    );
  });

  it('writes while the model is still writing', async () => {
    model.respondWith(() => Array.from({ length: 30 }, (_, i) => `## Section ${i}\n\nParagraph ${i} with a few words in it.`).join('\n\n'));
    model.chunkDelayMs = 15;
    const { record } = await run('Streaming');
    assert.equal(record.status, 'written');
    assert.ok(appends().length >= 2, `several writes, got ${appends().length}`);
    assert.ok(
      record.timings.firstWriteMs! < record.timings.generationMs!,
      `first write at ${record.timings.firstWriteMs} ms, generation ended at ${record.timings.generationMs} ms`,
    );
  });

  it('delivers output far beyond one request, complete and in order, with no rich text over 2,000 characters', async () => {
    const paragraphs = Array.from({ length: 250 }, (_, i) => `Paragraph number ${i}: ${'lorem ipsum '.repeat(20)}`);
    const long = 'A very long paragraph. '.repeat(300);
    const list = Array.from({ length: 150 }, (_, i) => `- item ${i}`).join('\n');
    const text = [...paragraphs.slice(0, 100), long, list, ...paragraphs.slice(100)].join('\n\n');
    model.respondWith(() => text);
    const { record, pageId } = await run('Long');
    assert.equal(record.status, 'written');
    const blocks = notion.pageBlocks(pageId);
    const plain = blocks.map((b) => {
      const content = (b as unknown as Record<string, { rich_text?: Array<{ plain_text: string }> }>)[b.type];
      return (content.rich_text ?? []).map((t) => t.plain_text).join('');
    });
    let cursor = 0;
    for (const p of paragraphs) {
      const at = plain.indexOf(p.trim(), cursor);
      assert.ok(at >= cursor, `paragraph out of order or missing: ${p.slice(0, 30)}`);
      cursor = at;
    }
    assert.equal(blocks.filter((b) => b.type === 'bulleted_list_item').length, 150);
    const longText = blocks
      .filter((b) => b.type === 'paragraph')
      .map((b) => (b.type === 'paragraph' ? b.paragraph.rich_text.map((t) => t.plain_text).join('') : ''))
      .filter((t) => t.startsWith('A very long'))
      .join(' ');
    assert.equal(longText.replace(/\s+/g, ' ').trim(), long.trim());
    for (const b of blocks) {
      const content = (b as unknown as Record<string, { rich_text?: Array<{ text?: { content: string } }> }>)[b.type];
      for (const t of content.rich_text ?? []) assert.ok((t.text?.content.length ?? 0) <= 2000);
    }
  });

  it('replaces the page by moving its blocks to the trash, never its child pages', async () => {
    const { client, generator, engine } = setup();
    const fakePage = notion.addPage({ title: 'Replace me', markdown: 'Old intro\n\nOld paragraph' });
    notion.addPage({ title: 'A child page', parentPageId: fakePage.id });
    const page = await new NotionPages(client).resolvePage(fakePage.id);
    const before = notion.pageBlocks(page.id);
    const { record } = await generator.run(writeRequest(page, engine, { mode: 'replace' }));
    assert.equal(record.status, 'written');
    const after = notion.pageBlocks(page.id);
    assert.doesNotMatch(notion.pageMarkdown(page.id), /Old paragraph|Old intro/);
    assert.equal(after.at(-1)!.type, 'child_page', 'the child page stays, in its place after the text');
    assert.deepEqual(
      record.previous?.ids,
      before.filter((b) => b.type !== 'child_page').map((b) => b.id),
    );
    assert.equal(record.previous?.trashed, 2);
    assert.deepEqual(
      after.slice(0, -1).map((b) => b.id),
      record.blockIds,
      'the new text takes the place of the old',
    );
    assert.equal(markdownWrites().length, 0);
  });

  it('keeps all generated text when Notion rejects a write, and a retry writes the rest without generating again', async () => {
    const { client, generator, engine } = setup();
    const fakePage = notion.addPage({ title: 'Flaky' });
    const page = await new NotionPages(client).resolvePage(fakePage.id);
    notion.failNext({ method: 'PATCH', path: /\/children$/ }, { status: 400, code: 'validation_error', message: 'Content is invalid.' }, 1);
    const requestsBefore = model.requests.length;
    const { record, error } = await generator.run(writeRequest(page, engine, { mode: 'append' }));
    assert.equal(record.status, 'writeFailed');
    assert.match(error!.message, /Content is invalid/);
    assert.ok(record.writtenBlocks < record.blocks);
    assert.ok(record.markdown.length > 100, 'the whole generation is kept');
    assert.equal(record.writtenBlocks, notion.pageBlocks(page.id).length, "the blocks reported written are the page's");
    assert.deepEqual(store.get(record.id)?.markdown, record.markdown, 'and saved');

    const retried = await generator.retryWrite(record.id, new AbortController().signal);
    assert.equal(retried.record.status, 'written');
    assert.equal(model.requests.length, requestsBefore + 1, 'no second generation');
    const blocks = notion.pageBlocks(page.id);
    assert.equal(blocks.filter((b) => b.type === 'heading_1').length, 1, 'nothing written twice');
    assert.equal(blocks.filter((b) => b.type === 'table').length, 1);
    assert.equal(retried.record.writtenBlocks, blocks.length, "the retry reports the page's blocks");
    assert.equal(retried.record.blocks, blocks.length);
    assert.deepEqual(
      retried.record.blockIds,
      blocks.map((b) => b.id),
    );
  });

  it('Retry Write of a run cut short mid-block (its window reloaded) writes the blocks the model finished, not the half one', async () => {
    const { client, generator } = setup();
    const fakePage = notion.addPage({ title: 'Cut', markdown: 'Existing first line' });
    const page = await new NotionPages(client).resolvePage(fakePage.id);
    // As a window that went away mid-stream leaves it: the text to its last character, two finished blocks, one written.
    const [first] = await new BlockWriter(client).append(page.id, markdownToBlocks('First paragraph.'));
    const record = newRecord(
      { page, prompt: 'Write', engine: 'openai', model: 'gpt-4.1-mini', mode: 'append' },
      {
        status: 'interrupted',
        markdown: 'First paragraph.\n\nSecond paragraph.\n\nThird paragraph, cut in the mid',
        blocks: 2,
        writtenBlocks: 1,
        blockIds: [first],
      },
    );
    await store.save(record);

    const retried = await generator.retryWrite(record.id, new AbortController().signal);
    assert.equal(retried.record.status, 'written');
    const texts = notion.pageBlocks(page.id).map((b) => JSON.stringify(b));
    assert.equal(texts.length, 3, "the page's line, then the two finished paragraphs");
    assert.match(texts[1], /First paragraph\./);
    assert.match(texts[2], /Second paragraph\./);
    assert.equal(retried.record.blocks, 2);
    assert.equal(retried.record.writtenBlocks, 2);
    assert.equal(retried.record.markdown, record.markdown, 'the text is kept whole');
  });

  it('stops generating and writing when cancelled, keeping the text so far', async () => {
    model.respondWith(() => Array.from({ length: 400 }, (_, i) => `Paragraph ${i}.`).join('\n\n'));
    model.chunkDelayMs = 10;
    const controller = new AbortController();
    const { client, generator, engine } = setup();
    const page = await new NotionPages(client).resolvePage(notion.addPage({ title: 'Cancel' }).id);
    const outcome = await generator.run({
      page,
      prompt: 'Write',
      plan: { mode: 'append' },
      engine,
      model: 'gpt-4.1-mini',
      signal: controller.signal,
      onProgress: (p) => {
        if (p.writtenBlocks > 0) controller.abort();
      },
    });
    assert.equal(outcome.record.status, 'cancelled');
    const writes = appends().length;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(appends().length, writes, 'no writes after the cancel');
    assert.ok(outcome.record.markdown.length > 0);
    assert.ok(!outcome.record.markdown.includes('Paragraph 399'), 'the model was stopped');
    assert.ok(notion.pageBlocks(page.id).length < 400);
  });

  it('writes nothing when the engine rejects the key', async () => {
    const { client, generator } = setup();
    const page = await new NotionPages(client).resolvePage(notion.addPage({ title: 'Nothing' }).id);
    const engine = openai.createEngine({ apiKey: 'sk-wrong', baseUrl: model.url });
    const { record, error } = await generator.run(writeRequest(page, engine, { mode: 'append' }));
    assert.equal(record.status, 'failed');
    assert.equal((error as { kind?: string }).kind, 'auth');
    assert.equal(appends().length, 0);
  });

  it("stays within Notion's rate limit, and finishes even when Notion answers 429", async () => {
    model.respondWith(() => Array.from({ length: 60 }, (_, i) => `Paragraph ${i}.`).join('\n\n'));
    model.chunkDelayMs = 5;
    const limited = await startNotionFake({ rateLimitPerSecond: 3 });
    try {
      for (const perSecond of [3, 10]) {
        const client = createNotionClient({ auth: SECRET, baseUrl: limited.url, requestsPerSecond: perSecond });
        const generator = new Generator(new BlockWriter(client), markdownToBlocks, store, silentLogger);
        const engine = openai.createEngine({ apiKey: 'sk-fake-openai', baseUrl: model.url });
        const fakePage = limited.addPage({ title: `Paced ${perSecond}` });
        const page = await new NotionPages(client).resolvePage(fakePage.id);
        const limitedBefore = limited.rateLimitedCount;
        const { record } = await generator.run(writeRequest(page, engine, { mode: 'append' }));
        assert.equal(record.status, 'written');
        assert.equal(limited.pageBlocks(page.id).length, 60);
        if (perSecond === 3) assert.equal(limited.rateLimitedCount, limitedBefore, 'paced requests never hit the limit');
      }
    } finally {
      await limited.close();
    }
  });
});

describe('NotionPages.resolvePage', () => {
  let notion: NotionFake;
  before(async () => {
    notion = await startNotionFake();
  });
  after(async () => {
    await notion.close();
  });

  const pages = (auth = SECRET) => new NotionPages(createNotionClient({ auth, baseUrl: notion.url }));

  it('resolves a pasted URL to the page and its title', async () => {
    const page = notion.addPage({ title: 'Roadmap 2027' });
    const resolved = await pages().resolvePage(`${page.url}?pvs=4`);
    assert.equal(resolved.title, 'Roadmap 2027');
    assert.equal(resolved.id.replace(/-/g, ''), page.id.replace(/-/g, ''));
  });

  it('explains how to share a page the integration cannot see; with a personal access token, says the account cannot open it', async () => {
    const page = notion.addPage({ title: 'Private', shared: false, personAccess: notion.tokenKind === 'integration' });
    const reader = pages();
    await reader.identity();
    const says = notion.tokenKind === 'pat' ? /your Notion account cannot open it/ : /Connections → add your integration/;
    await assert.rejects(
      reader.resolvePage(page.url),
      (e: Error & { problem?: string }) =>
        e.problem === 'notShared' && says.test(e.message) && (notion.tokenKind === 'integration' || !/integration/.test(e.message)),
    );
  });

  it('says a database is not a page', async () => {
    const db = notion.addDatabase({ title: 'Tasks' });
    await assert.rejects(
      pages().resolvePage(db.url),
      (e: Error & { problem?: string }) => e.problem === 'isDatabase' && /database/.test(e.message),
    );
  });

  it("rejects a link that is not Notion's before any request", async () => {
    const before = notion.requests.length;
    await assert.rejects(pages().resolvePage('https://example.com/page-0123456789abcdef0123456789abcdef'), /not a Notion link/);
    assert.equal(notion.requests.length, before);
  });

  it('asks for the secret again when Notion rejects it', async () => {
    await assert.rejects(
      pages('secret_wrong').identity(),
      (e: Error & { problem?: string }) => e.problem === 'unauthorized' && /Set Notion Token/.test(e.message),
    );
    const me = await pages().identity();
    assert.ok(me.id && me.name);
    assert.equal(me.kind === 'bot', !!me.workspaceName);
  });
});
