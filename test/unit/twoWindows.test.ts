import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Client } from '@notionhq/client';
import * as openai from '../../src/services/engines/openai';
import { type GenerationRecord } from '../../src/services/generation/generationRecord';
import { GenerationStore } from '../../src/services/generation/generationStore';
import { Generator } from '../../src/services/generation/generator';
import { PageLocks } from '../../src/services/generation/pageLocks';
import { MemoryStore } from '../../src/services/keyValueStore';
import { silentLogger } from '../../src/services/logger';
import { BlockWriter } from '../../src/services/notion/blockWriter';
import { markdownToBlocks } from '../../src/services/notion/markdownBlocks';
import { createNotionClient } from '../../src/services/notion/notionClient';
import { useNotionSdk } from '../../src/services/notion/sdk';
import * as notionBundle from '../../src/services/notion/sdkBundle';
import { NotionFake, startNotionFake } from '../fakes/notionFake';
import { OpenAIFake, startOpenAIFake } from '../fakes/openaiFake';

/**
 * Two VS Code windows are two extension hosts: two sets of Visen's services that share nothing but the
 * folder under `globalStorageUri`. Here each "window" is such a set, over real HTTP against the stand-ins,
 * with Notion's documented limit (3 requests/s, 429 with Retry-After past it) enforced.
 */
describe('Two windows are one Visen', function () {
  this.timeout(60_000);
  let notion: NotionFake;
  let model: OpenAIFake;
  let dir: string;
  const opened: GenerationStore[] = [];

  before(async () => {
    // The SDK as the extension loads it: its bundle carries the pacing every window shares.
    useNotionSdk(() => notionBundle);
    notion = await startNotionFake({ rateLimitPerSecond: 3 });
    model = await startOpenAIFake({ chunkDelayMs: 0 });
  });
  after(async () => {
    // One SDK accessor for every test file in this process (dist/shared.js): the installed package again.
    useNotionSdk();
    await notion.close();
    await model.close();
  });
  beforeEach(() => {
    notion.reset();
    notion.rateLimitPerSecond = 3;
    model.reset();
    model.chunkDelayMs = 0;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'visen-windows-'));
  });
  afterEach(() => {
    for (const store of opened.splice(0)) store.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** One window's services over the shared folder, as activation builds them. */
  function openWindow(options: { leaseTiming?: { durationMs: number; renewMs: number } } = {}) {
    const store = new GenerationStore(new MemoryStore(), { folder: path.join(dir, 'generations'), leaseTiming: options.leaseTiming });
    opened.push(store);
    const client: Client = createNotionClient({
      auth: 'secret_fake_notion',
      baseUrl: notion.url,
      sharedPacing: path.join(dir, 'notion-pacing'),
    });
    const locks = new PageLocks({ folder: path.join(dir, 'page-locks') });
    const generator = new Generator(new BlockWriter(client), markdownToBlocks, store, silentLogger, locks);
    const engine = openai.createEngine({ apiKey: 'sk-fake-openai', baseUrl: model.url });
    const run = (page: { id: string; title: string; url: string }, prompt: string) =>
      generator.run({ page, prompt, plan: { mode: 'append' }, engine, model: 'gpt-4.1-mini', signal: new AbortController().signal });
    return { store, client, locks, run };
  }

  const paragraphs = (tag: string, n: number) =>
    Array.from({ length: n }, (_, i) => `${tag} paragraph ${i + 1}: ${'words '.repeat(30)}`).join('\n\n');

  it('both generate into one page at once: both records kept in both windows, no 429, no interleaving', async () => {
    const page = notion.addPage({ title: 'Standup', markdown: 'Existing line.' });
    const ref = { id: page.id, title: 'Standup', url: page.url };
    model.chunkDelayMs = 15;
    model.respondWith((req) => paragraphs(req.prompt.includes('first') ? 'First' : 'Second', 8));
    const a = openWindow();
    const b = openWindow();
    const started = Date.now();
    const [ra, rb] = await Promise.all([a.run(ref, 'the first window'), b.run(ref, 'the second window')]);
    const seconds = (Date.now() - started) / 1000;
    assert.equal(ra.record.status, 'written');
    assert.equal(rb.record.status, 'written');
    assert.equal(notion.rateLimitedCount, 0, 'no request came back 429');

    for (const window of [a, b]) {
      assert.deepEqual(
        window.store
          .list()
          .map((r) => r.id)
          .sort(),
        [ra.record.id, rb.record.id].sort(),
        'each window has both records',
      );
    }
    const ids = notion.pageBlocks(page.id).map((block) => block.id);
    const [first, second] =
      ids.indexOf(ra.record.blockIds![0]) < ids.indexOf(rb.record.blockIds![0]) ? [ra.record, rb.record] : [rb.record, ra.record];
    assert.deepEqual(ids.slice(1), [...first.blockIds!, ...second.blockIds!], 'one run after the other, never mixed');
    const texts = notion
      .pageBlocks(page.id)
      .map((block) =>
        JSON.stringify(block).includes('First paragraph') ? 'F' : JSON.stringify(block).includes('Second paragraph') ? 'S' : '-',
      );
    assert.match(texts.join(''), /^-(F{8}S{8}|S{8}F{8})$/);
    const times = notion.requests.map((r) => r.receivedAt!).sort((x, y) => x - y);
    console.log(
      `      two windows: ${times.length} Notion requests in ${seconds.toFixed(1)} s (${(times.length / seconds).toFixed(2)}/s), 0 × 429`,
    );
  });

  it('pacing is shared: two windows sending at once stay under 3 requests/s', async () => {
    const page = notion.addPage({ title: 'Reads' });
    const a = openWindow();
    const b = openWindow();
    const started = Date.now();
    await Promise.all(
      [...Array(12)].flatMap(() => [a.client.pages.retrieve({ page_id: page.id }), b.client.pages.retrieve({ page_id: page.id })]),
    );
    const seconds = (Date.now() - started) / 1000;
    assert.equal(notion.rateLimitedCount, 0);
    const times = notion.requests.map((r) => r.receivedAt!).sort((x, y) => x - y);
    assert.equal(times.length, 24, 'each request sent once (no retry after a 429)');
    const average = (times.length - 3) / ((times[times.length - 1] - times[0]) / 1000);
    assert.ok(average <= 3, `on average at most 3 a second past the first burst (${average.toFixed(2)})`);
    assert.ok(seconds > 7, `24 requests need 8 windows of a second (${seconds.toFixed(1)} s)`);
  });

  it('a page lock held by one window makes the other wait, and frees it on release', async () => {
    const a = openWindow();
    const b = openWindow();
    const release = await a.locks.acquire('page-1');
    assert.equal(b.locks.busy('page-1'), true, 'the other window sees the page taken');
    let waited = false;
    let got = false;
    const second = b.locks.acquire('page-1', undefined, () => (waited = true)).then((r) => ((got = true), r));
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(waited, true);
    assert.equal(got, false, 'not while the first holds it');
    release();
    const releaseB = await second;
    releaseB();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(a.locks.busy('page-1'), false);
  });

  it("a reloaded window does not mark the other window's live run interrupted", async () => {
    const page = notion.addPage({ title: 'Live' });
    const ref = { id: page.id, title: 'Live', url: page.url };
    model.chunkDelayMs = 40;
    model.respondWith(() => paragraphs('Live', 6));
    const a = openWindow({ leaseTiming: { durationMs: 600, renewMs: 150 } });
    const running = a.run(ref, 'a long answer');
    await until(() => a.store.list().some((r) => r.status === 'generating'));
    // The other window reloads: a new extension host, a new store on the same folder, start-up recovery.
    const reloaded = openWindow({ leaseTiming: { durationMs: 600, renewMs: 150 } });
    assert.deepEqual(await reloaded.store.recover(), { setAside: 0, interrupted: 0 });
    const id = a.store.list()[0].id;
    assert.equal(reloaded.store.get(id)?.status, 'generating', 'seen as going on');
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(reloaded.store.get(id)?.status, 'generating', 'still going on past a lease: it is renewed');
    const { record } = await running;
    assert.equal(record.status, 'written');
    await until(() => reloaded.store.get(id)?.status === 'written');
    assert.equal(notion.rateLimitedCount, 0);
  });

  it('a run whose window is gone is marked interrupted once its lease expires, and the others are told', async () => {
    const timing = { durationMs: 500, renewMs: 100 };
    const gone = openWindow({ leaseTiming: timing });
    const cut: GenerationRecord = {
      id: 'cut-run',
      createdAt: new Date().toISOString(),
      page: { id: 'p', title: 'P', url: 'https://www.notion.so/p' },
      prompt: 'x',
      engine: 'openai',
      model: 'm',
      mode: 'append',
      status: 'generating',
      markdown: 'Half',
      blocks: 1,
      writtenBlocks: 0,
      timings: {},
    };
    await gone.store.save(cut);
    const other = openWindow({ leaseTiming: timing });
    assert.deepEqual(await other.store.recover(), { setAside: 0, interrupted: 0 }, 'its window is still there');
    let told = 0;
    other.store.onDidChange(() => told++);
    gone.store.dispose(); // the window crashes: nobody renews its lease
    await until(() => other.store.get('cut-run')?.status === 'interrupted', 3000);
    assert.ok(told > 0);
    assert.equal(other.store.get('cut-run')!.markdown, 'Half', 'the text is kept');
  });

  it('a window sees records another window saves, and is told', async () => {
    const a = openWindow();
    const b = openWindow();
    let told = 0;
    b.store.onDidChange(() => told++);
    assert.deepEqual(b.store.list(), []);
    await a.store.save({
      id: 'from-a',
      createdAt: new Date().toISOString(),
      page: { id: 'p', title: 'P', url: 'https://www.notion.so/p' },
      prompt: 'x',
      engine: 'openai',
      model: 'm',
      mode: 'append',
      status: 'written',
      markdown: 'Done',
      blocks: 1,
      writtenBlocks: 1,
      blockIds: ['b1'],
      timings: {},
    });
    await until(() => told > 0, 3000);
    assert.deepEqual(
      b.store.list().map((r) => r.id),
      ['from-a'],
    );
    assert.equal(fs.readdirSync(path.join(dir, 'generations')).filter((n) => n.endsWith('.json')).length, 1, 'one file per record');
  });
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
