import assert from 'node:assert/strict';
import type { Client } from '@notionhq/client';
import * as openai from '../../src/services/engines/openai';
import { DatabaseFiller, FillJob, FillTarget } from '../../src/services/generation/databaseFill';
import { GenerationStore } from '../../src/services/generation/generationStore';
import { UsageTracker } from '../../src/services/generation/usageTracker';
import { markdownToBlocks } from '../../src/services/notion/markdownBlocks';
import { MemoryStore } from '../../src/services/keyValueStore';
import { silentLogger } from '../../src/services/logger';
import { createNotionClient } from '../../src/services/notion/notionClient';
import { type DatabaseRow, NotionDatabases } from '../../src/services/notion/notionDatabases';
import { plainValue } from '../../src/services/notion/propertyValues';
import type { NotionFake } from '../fakes/notionFake';
import { useNotionAndModel } from '../support/loopbackFakes';
import { OpenAIFake, OpenAIChatRequest } from '../fakes/openaiFake';

const SECRET = 'secret_fake_notion';

const PROPERTIES = {
  Name: { title: {} },
  Author: { rich_text: {} },
  Genre: { select: { options: [{ name: 'Fiction' }, { name: 'Science' }, { name: 'History' }] } },
  Tags: { multi_select: { options: [{ name: 'classic' }, { name: 'modern' }] } },
  Pages: { number: {} },
  Read: { checkbox: {} },
  Published: { date: {} },
  Link: { url: {} },
  Summary: { rich_text: {} },
};

/** The model: answers JSON for the asked property, from what the prompt says about the row. */
function answer(req: OpenAIChatRequest): string {
  const format = req.body.response_format as { json_schema?: { schema?: { properties?: Record<string, unknown> } } } | undefined;
  const property = Object.keys(format?.json_schema?.schema?.properties ?? {})[0];
  const book = /book "([^"]+)"/.exec(req.prompt)?.[1] ?? 'unknown';
  const n = Number(/#(\d+)/.exec(book)?.[1] ?? 0);
  const values: Record<string, unknown> = {
    Summary: `A summary of ${book}.`,
    Author: `Author of ${book}`,
    Genre: n % 2 ? 'Science' : 'Fiction',
    Tags: ['classic', 'modern'],
    Pages: 100 + n,
    Read: n % 2 === 0,
    Published: '2001-02-03',
    Link: `https://example.com/books/${n}`,
  };
  if (!property) return `## About ${book}\n\nA body paragraph about ${book}.`;
  return JSON.stringify({ [property]: values[property] });
}

describe('DatabaseFiller: fill rows from a prompt template', () => {
  let notion: NotionFake;
  let model: OpenAIFake;
  const fakes = useNotionAndModel();

  beforeEach(() => {
    ({ notion, model } = fakes);
    notion.rateLimitPerSecond = undefined;
    model.respondWith(answer);
  });

  function setup(options: { rows?: number; requestsPerSecond?: number; client?: Client } = {}) {
    const rows = Array.from({ length: options.rows ?? 6 }, (_, i) => ({ Name: `Book #${i}`, Author: i % 3 === 0 ? `Writer ${i}` : null }));
    const db = notion.addDatabase({ title: 'Reading List', properties: PROPERTIES, rows });
    const client =
      options.client ?? createNotionClient({ auth: SECRET, baseUrl: notion.url, requestsPerSecond: options.requestsPerSecond ?? 200 });
    const store = new MemoryStore();
    const generations = new GenerationStore(store);
    const usage = new UsageTracker(store);
    const filler = new DatabaseFiller({
      client,
      engine: openai.createEngine({ apiKey: 'sk-fake-openai', baseUrl: model.url }),
      generations,
      usage,
      store,
      logger: silentLogger,
      converter: () => markdownToBlocks,
      concurrency: 3,
    });
    return { db, client, filler, generations, usage, store };
  }

  async function target(client: Client, dataSourceId: string, name: string): Promise<FillTarget> {
    const info = await new NotionDatabases(client).dataSource(dataSourceId);
    return { kind: 'property', property: info.properties.find((p) => p.name === name)! };
  }

  const job = (dataSourceId: string, t: FillTarget, extra: Partial<FillJob> = {}): FillJob => ({
    dataSourceId,
    selection: { kind: 'all' },
    template: 'Tell me about the book "{{Name}}" by {{Author}}.',
    target: t,
    engine: 'openai',
    model: 'gpt-4.1-mini',
    allowNewOptions: false,
    ...extra,
  });

  const valuesOf = async (client: Client, dataSourceId: string, property: string) => {
    const values: Record<string, string> = {};
    for await (const row of new NotionDatabases(client).rows(dataSourceId))
      values[row.title] = row.values[property] ? plainValue(row.values[property]) : '';
    return values;
  };

  it('fills every row of a 250-row database, across pages of results, and counts each generation', async () => {
    const { db, client, filler, generations, usage } = setup({ rows: 250 });
    const summary = await filler.run(job(db.dataSourceId, await target(client, db.dataSourceId, 'Summary')), {
      signal: new AbortController().signal,
    });
    assert.equal(summary.done, 250);
    assert.equal(summary.failed.length, 0);
    const values = await valuesOf(client, db.dataSourceId, 'Summary');
    assert.equal(Object.keys(values).length, 250);
    assert.equal(values['Book #249'], 'A summary of Book #249.');
    const queries = notion.requests.filter((r) => r.method === 'POST' && /\/query$/.test(r.path));
    assert.ok(queries.length >= 3, `paginated: ${queries.length} queries`);
    assert.equal(generations.list().length, 250);
    assert.equal(usage.thisMonth().prompts, 250);
    assert.ok(usage.thisMonth().outputTokens > 0);
    const prompts = model.requests.map((r) => JSON.stringify(r.body));
    assert.ok(
      prompts.some((p) => p.includes('Tell me about the book \\"Book #0\\" by Writer 0.')),
      'placeholders filled from the row',
    );
  });

  it('writes every target property type, coerced to its type', async () => {
    const { db, client, filler } = setup({ rows: 4 });
    const expected: Record<string, string> = {
      Author: 'Author of Book #1',
      Genre: 'Science',
      Tags: 'classic, modern',
      Pages: '101',
      Read: 'No',
      Published: '2001-02-03',
      Link: 'https://example.com/books/1',
    };
    for (const name of Object.keys(expected)) {
      const summary = await filler.run(job(db.dataSourceId, await target(client, db.dataSourceId, name)), {
        signal: new AbortController().signal,
      });
      assert.equal(summary.failed.length, 0, `${name}: ${summary.failed.map((f) => f.error).join('; ')}`);
      const values = await valuesOf(client, db.dataSourceId, name);
      assert.equal(values['Book #1'], expected[name], name);
    }
    const schemas = model.requests.map(
      (r) => (r.body as { response_format: { json_schema: { schema: unknown } } }).response_format.json_schema.schema,
    );
    assert.ok(
      schemas.some((s) => JSON.stringify(s).includes('"enum":["Fiction","Science","History"]')),
      'select options are given to the model',
    );
  });

  it('fills the page body, appending or replacing', async () => {
    const { db, client, filler, generations } = setup({ rows: 2 });
    const summary = await filler.run(job(db.dataSourceId, { kind: 'body', mode: 'append' }), { signal: new AbortController().signal });
    assert.equal(summary.done, 2);
    const rows: DatabaseRow[] = [];
    for await (const row of new NotionDatabases(client).rows(db.dataSourceId)) rows.push(row);
    const blocks = notion.pageBlocks(rows[0].id);
    assert.equal(blocks[0].type, 'heading_2');
    assert.match(notion.pageMarkdown(rows[1].id), /A body paragraph about Book #1\./);
    const record = generations.list().find((r) => r.page.id === rows[0].id)!;
    assert.deepEqual(
      record.blockIds,
      blocks.map((b) => b.id),
      'the body went through the block writer, its ids recorded',
    );

    const replaced = await filler.run(job(db.dataSourceId, { kind: 'body', mode: 'replace' }), { signal: new AbortController().signal });
    assert.equal(replaced.done, 2);
    const after = notion.pageBlocks(rows[0].id);
    assert.equal(after.length, blocks.length, 'the earlier body went to the trash, the new one took its place');
    assert.ok(after.every((b) => !blocks.some((old) => old.id === b.id)));
  });

  it('runs only on rows whose target is empty, or that match a filter', async () => {
    const { db, client, filler } = setup({ rows: 6 });
    const authorTarget = await target(client, db.dataSourceId, 'Author');
    const empty = await filler.run(job(db.dataSourceId, authorTarget, { selection: { kind: 'emptyTarget', property: 'Author' } }), {
      signal: new AbortController().signal,
    });
    assert.equal(empty.done, 4, 'rows 0 and 3 had an author');
    const values = await valuesOf(client, db.dataSourceId, 'Author');
    assert.equal(values['Book #0'], 'Writer 0', 'kept');
    assert.equal(values['Book #1'], 'Author of Book #1');

    const filtered = await filler.run(
      job(db.dataSourceId, await target(client, db.dataSourceId, 'Summary'), {
        selection: { kind: 'equals', property: 'Name', value: 'book #2' },
      }),
      { signal: new AbortController().signal },
    );
    assert.equal(filtered.done, 1);
    assert.equal(filtered.results[0].row.title, 'Book #2');
  });

  it('finishes with every row filled under a 3-requests-per-second limit that answers 429 beyond it', async () => {
    notion.rateLimitPerSecond = 3;
    // A client paced faster than the limit: the SDK's retries on 429 must carry every row through.
    const { db, client, filler } = setup({ rows: 12, requestsPerSecond: 8 });
    const summary = await filler.run(job(db.dataSourceId, await target(client, db.dataSourceId, 'Summary')), {
      signal: new AbortController().signal,
    });
    assert.equal(summary.done, 12);
    assert.ok(notion.rateLimitedCount > 0, 'the limit was hit');
    const values = await valuesOf(client, db.dataSourceId, 'Summary');
    assert.ok(Object.values(values).every((v) => v.startsWith('A summary of')));
  });

  it('is cancelled mid-run without losing what was written, and resumes where it stopped', async () => {
    const { db, client, filler } = setup({ rows: 30 });
    const t = await target(client, db.dataSourceId, 'Summary');
    model.chunkDelayMs = 0;
    const controller = new AbortController();
    const first = await filler.run(job(db.dataSourceId, t), {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.finished >= 10) controller.abort();
      },
    });
    assert.equal(first.cancelled, true);
    assert.ok(first.done >= 10 && first.done < 30, `done ${first.done}`);
    const writtenAfterCancel = Object.values(await valuesOf(client, db.dataSourceId, 'Summary')).filter(Boolean).length;
    assert.ok(writtenAfterCancel >= first.done, 'what was written stays');

    const before = model.requests.length;
    const second = await filler.run(job(db.dataSourceId, t), { signal: new AbortController().signal });
    assert.equal(second.skipped, first.done, 'rows already done are skipped');
    assert.equal(second.done, 30 - first.done);
    assert.equal(model.requests.length - before, 30 - first.done, 'no row generated twice');
    assert.ok(Object.values(await valuesOf(client, db.dataSourceId, 'Summary')).every(Boolean));
  });

  it('lists a row whose write fails with its reason, and retries it alone', async () => {
    const { db, client, filler } = setup({ rows: 5 });
    const t = await target(client, db.dataSourceId, 'Summary');
    notion.failNext(
      { method: 'PATCH', path: /^\/v1\/pages\// },
      { status: 400, code: 'validation_error', message: 'body failed validation: the row is locked.' },
    );
    const summary = await filler.run(job(db.dataSourceId, t), { signal: new AbortController().signal });
    assert.equal(summary.done, 4);
    assert.equal(summary.failed.length, 1);
    assert.match(summary.failed[0].error!, /the row is locked/);
    const before = model.requests.length;
    const retry = await filler.run(job(db.dataSourceId, t), { signal: new AbortController().signal, onlyRows: [summary.failed[0].row.id] });
    assert.equal(retry.done, 1);
    assert.equal(model.requests.length - before, 1, 'only that row');
    assert.ok(Object.values(await valuesOf(client, db.dataSourceId, 'Summary')).every(Boolean));
  });

  it('refuses a select value that is not an option unless allowed', async () => {
    model.respondWith(() => JSON.stringify({ Genre: 'Poetry' }));
    const { db, client, filler } = setup({ rows: 1 });
    const t = await target(client, db.dataSourceId, 'Genre');
    const refused = await filler.run(job(db.dataSourceId, t), { signal: new AbortController().signal });
    assert.match(refused.failed[0].error!, /"Poetry" is not an option of Genre/);
    const allowed = await filler.run(job(db.dataSourceId, t, { allowNewOptions: true }), { signal: new AbortController().signal });
    assert.equal(allowed.done, 1);
    assert.equal((await valuesOf(client, db.dataSourceId, 'Genre'))['Book #0'], 'Poetry');
  });

  it('previews the first rows without writing anything', async () => {
    const { db, client, filler } = setup({ rows: 6 });
    const writes = () => notion.requests.filter((r) => r.method === 'PATCH').length;
    const preview = await filler.preview(
      job(db.dataSourceId, await target(client, db.dataSourceId, 'Summary')),
      3,
      new AbortController().signal,
    );
    assert.deepEqual(
      preview.map((p) => p.output),
      ['A summary of Book #0.', 'A summary of Book #1.', 'A summary of Book #2.'],
    );
    assert.equal(writes(), 0);
  });

  it('stops the whole run when the engine key is wrong', async () => {
    const { db, client, store, generations, usage } = setup({ rows: 20 });
    const filler = new DatabaseFiller({
      client,
      engine: openai.createEngine({ apiKey: 'sk-wrong', baseUrl: model.url }),
      generations,
      usage,
      store,
      logger: silentLogger,
      converter: () => markdownToBlocks,
      concurrency: 2,
    });
    const summary = await filler.run(job(db.dataSourceId, await target(client, db.dataSourceId, 'Summary')), {
      signal: new AbortController().signal,
    });
    assert.match(summary.stoppedBy!, /OpenAI rejected the API key/);
    assert.ok(model.requests.length <= 3, `stopped early after ${model.requests.length} requests`);
  });
});
