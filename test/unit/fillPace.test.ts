import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as gemini from '../../src/services/engines/gemini';
import { DatabaseFiller } from '../../src/services/generation/databaseFill';
import { GenerationStore } from '../../src/services/generation/generationStore';
import { UsageTracker } from '../../src/services/generation/usageTracker';
import { MemoryStore } from '../../src/services/keyValueStore';
import { silentLogger } from '../../src/services/logger';
import { markdownToBlocks } from '../../src/services/notion/markdownBlocks';
import { createNotionClient } from '../../src/services/notion/notionClient';
import { useNotionSdk } from '../../src/services/notion/sdk';
import * as notionBundle from '../../src/services/notion/sdkBundle';
import { NotionDatabases } from '../../src/services/notion/notionDatabases';
import { geminiErrors, GeminiFake, startGeminiFake } from '../fakes/geminiFake';
import { NotionFake, startNotionFake } from '../fakes/notionFake';

/**
 * Fill Database Rows makes its model calls side by side, and adapts: to the engine's own 429s (fewer at once,
 * its Retry-After honoured, the row tried again) and to Notion's 3 requests/s (the shared pacing).
 */
describe('Fill Database Rows: side by side, at the pace the engine and Notion allow', function () {
  this.timeout(60_000);
  let notion: NotionFake;
  let model: GeminiFake;
  let dir: string;

  before(async () => {
    // The SDK as the extension loads it: its bundle carries the pacing every window shares.
    useNotionSdk(() => notionBundle);
    notion = await startNotionFake({ rateLimitPerSecond: 3 });
    model = await startGeminiFake();
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
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'visen-fill-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function setup(rows: number, answerMs: number) {
    model.respondWith(async (req) => {
      await new Promise((r) => setTimeout(r, answerMs));
      return JSON.stringify({ Summary: `About ${/"([^"]+)"/.exec(req.prompt)?.[1] ?? '?'}` });
    });
    const db = notion.addDatabase({
      title: 'Reading List',
      properties: { Name: { title: {} }, Summary: { rich_text: {} } },
      rows: Array.from({ length: rows }, (_, i) => ({ Name: `Book #${i}` })),
    });
    const client = createNotionClient({ auth: 'secret_fake_notion', baseUrl: notion.url, sharedPacing: path.join(dir, 'notion-pacing') });
    const store = new MemoryStore();
    const filler = new DatabaseFiller({
      client,
      engine: gemini.createEngine({ apiKey: 'AIza-fake-gemini', baseUrl: model.url }),
      generations: new GenerationStore(store),
      usage: new UsageTracker(store),
      store,
      logger: silentLogger,
      converter: () => markdownToBlocks,
    });
    return { db, client, filler };
  }

  async function run(rows: number, answerMs: number) {
    const { db, client, filler } = setup(rows, answerMs);
    const info = await new NotionDatabases(client).dataSource(db.dataSourceId);
    notion.requests.length = 0;
    const started = Date.now();
    const summary = await filler.run(
      {
        dataSourceId: db.dataSourceId,
        selection: { kind: 'all' },
        template: 'Summarize the book "{{Name}}".',
        target: { kind: 'property', property: info.properties.find((p) => p.name === 'Summary')! },
        engine: 'gemini',
        model: 'gemini-2.5-flash',
        allowNewOptions: false,
      },
      { signal: new AbortController().signal },
    );
    const updates = notion.requests.filter((r) => r.method === 'PATCH' && /^\/v1\/pages\//.test(r.path)).map((r) => r.path);
    return { summary, seconds: (Date.now() - started) / 1000, updates };
  }

  it("runs model calls side by side: 24 rows of a 1 s model in well under 24 s, at Notion's pace, no 429", async () => {
    const { summary, seconds, updates } = await run(24, 1000);
    assert.equal(summary.done, 24);
    assert.equal(summary.failed.length, 0);
    assert.equal(new Set(updates).size, 24, 'every row written');
    assert.equal(updates.length, 24, 'once');
    assert.equal(notion.rateLimitedCount, 0);
    assert.ok(seconds < 14, `${seconds.toFixed(1)} s: the model calls overlapped (Notion's pace alone needs about 8.4 s)`);
  });

  it('an engine 429 means fewer at once and a wait as long as it asked; the row is tried again, not failed', async () => {
    model.failNext(geminiErrors.rateLimitPerMinute({ retryDelay: '0.8s' }), 3);
    const { summary, updates } = await run(10, 200);
    assert.equal(summary.done, 10);
    assert.equal(summary.failed.length, 0, summary.failed.map((f) => f.error).join('; '));
    assert.equal(new Set(updates).size, 10);
    assert.equal(updates.length, 10);
    const generateTimes = model.requests.filter((r) => /generateContent$/.test(r.path)).map((r) => r.receivedAt!);
    assert.equal(generateTimes.length, 13, '10 rows, 3 of them twice');
    assert.ok(
      generateTimes[8] - generateTimes[7] >= 750,
      'after the first 8 at once, nothing sent before the wait the engine asked for had passed',
    );
  });
});
