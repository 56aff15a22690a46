// The connections database and Fill Database Rows under each Notion-Version Visen is tested against. Under
// 2026-12-01, Search and Query return only the title unless `filter_properties` names the rest (Upgrade guide
// 2026-12-01): Visen names what it reads, so both versions answer it alike.
import assert from 'node:assert/strict';
import type { Client, PageObjectResponse } from '@notionhq/client';
import * as openai from '../../src/services/engines/openai';
import type { Connection } from '../../src/services/connections/connection';
import { DatabaseFiller } from '../../src/services/generation/databaseFill';
import { GenerationStore } from '../../src/services/generation/generationStore';
import { UsageTracker } from '../../src/services/generation/usageTracker';
import { MemoryStore } from '../../src/services/keyValueStore';
import { silentLogger } from '../../src/services/logger';
import { ConnectionsDatabase } from '../../src/services/notion/connectionsDatabase';
import { markdownToBlocks } from '../../src/services/notion/markdownBlocks';
import { createNotionClient, NOTION_VERSION, NOTION_VERSIONS_TESTED } from '../../src/services/notion/notionClient';
import { NotionDatabases } from '../../src/services/notion/notionDatabases';
import { plainValue } from '../../src/services/notion/propertyValues';
import { useNotionAndModel } from '../support/loopbackFakes';

const SECRET = 'secret_fake_notion';

const connection = (id: string, name: string, url: string): Connection =>
  ({
    id,
    name,
    type: 'page',
    target: { id: id.replace(/-/g, ''), url, title: name },
    createdAt: '2026-12-01T10:00:00.000Z',
    lastUsedAt: '2026-12-05T10:00:00.000Z',
    lastPrompt: 'Summarise the week',
    usage: { prompts: 3, inputTokens: 100, outputTokens: 20 },
  }) as unknown as Connection;

describe('Notion API versions: the connections database and Fill read the same under each', () => {
  const fakes = useNotionAndModel();

  it('pins one version, among those tested', () => {
    assert.ok((NOTION_VERSIONS_TESTED as readonly string[]).includes(NOTION_VERSION));
  });

  it('the stand-in: under 2026-12-01 a query without filter_properties returns only the title; with it, what it names', async () => {
    const { notion } = fakes;
    const db = notion.addDatabase({
      title: 'Books',
      properties: { Name: { title: {} }, Author: { rich_text: {} } },
      rows: [{ Name: 'Dune', Author: 'Herbert' }],
    });
    const query = async (version: string, filter?: string[]) => {
      const client = createNotionClient({ auth: SECRET, baseUrl: notion.url, requestsPerSecond: 200, notionVersion: version });
      const result = await client.dataSources.query({ data_source_id: db.dataSourceId, ...(filter ? { filter_properties: filter } : {}) });
      return Object.keys((result.results[0] as PageObjectResponse).properties).sort();
    };
    const authorId = Object.values(db.properties).find((p) => p.name === 'Author')!.id;
    assert.deepEqual(await query('2026-03-11'), ['Author', 'Name']);
    assert.deepEqual(await query('2026-12-01'), ['Name']);
    assert.deepEqual(await query('2026-12-01', ['title', authorId]), ['Author', 'Name']);
    assert.deepEqual(await query('2026-03-11', [authorId]), ['Author']);
  });

  it('the stand-in: under 2026-12-01 markdown v1 and replace_content_range are refused, v2 is the default', async () => {
    const { notion } = fakes;
    const page = notion.addPage({ title: 'Notes', markdown: 'First line' });
    const at = (version: string) =>
      createNotionClient({ auth: SECRET, baseUrl: notion.url, requestsPerSecond: 200, notionVersion: version });
    const status = (request: Promise<unknown>) =>
      request.then(
        () => 200,
        (e: { status?: number }) => e.status,
      );
    const v1 = { path: `pages/${page.id}/markdown`, method: 'get' as const, query: { markdown_version: 'v1' } };
    const range = {
      path: `pages/${page.id}/markdown`,
      method: 'patch' as const,
      body: { type: 'replace_content_range', replace_content_range: { content: 'Second line', content_range: 'First line' } },
    };
    assert.deepEqual([await status(at('2026-03-11').request(v1)), await status(at('2026-12-01').request(v1))], [200, 400]);
    assert.deepEqual([await status(at('2026-12-01').request(range)), await status(at('2026-03-11').request(range))], [400, 200]);
    assert.equal(await status(at('2026-12-01').request({ path: `pages/${page.id}/markdown`, method: 'get' })), 200);
  });

  for (const version of NOTION_VERSIONS_TESTED) {
    describe(`Notion-Version ${version}`, () => {
      const client = (): Client =>
        createNotionClient({ auth: SECRET, baseUrl: fakes.notion.url, requestsPerSecond: 200, notionVersion: version });

      it('Refresh Connections reads back every column of the rows it wrote, in a database it created and one it inspected', async () => {
        const { notion } = fakes;
        const parent = notion.addPage({ title: 'Home' });
        const database = new ConnectionsDatabase(client());
        const created = await database.create(parent.id);
        const target = notion.addPage({ title: 'Weekly notes' });
        await database.upsert(
          created,
          connection('0f8fad5b-d9cb-469f-a165-70867728950e', 'Weekly notes', target.url),
          'openai',
          'gpt-test',
        );
        const inspected = await database.inspect(created.url);
        for (const info of [created, inspected]) {
          const [row] = await database.rows(info);
          assert.deepEqual(
            [row.name, row.visenId, row.url, row.lastPrompt, row.engine, row.model, row.prompts, row.tokens, row.lastGenerated],
            [
              'Weekly notes',
              '0f8fad5b-d9cb-469f-a165-70867728950e',
              target.url,
              'Summarise the week',
              'openai',
              'gpt-test',
              3,
              120,
              '2026-12-05T10:00:00.000Z',
            ],
          );
        }
        const queries = notion.requests.filter((r) => /\/query$/.test(r.path));
        assert.ok(
          queries.length > 0 && queries.every((r) => r.query.filter_properties !== undefined),
          'every query names the properties it reads',
        );
      });

      it('Fill Database Rows reads the placeholders and the selection, and writes each row', async () => {
        const { notion, model } = fakes;
        const db = notion.addDatabase({
          title: 'Books',
          properties: { Name: { title: {} }, Author: { rich_text: {} }, Summary: { rich_text: {} }, Notes: { rich_text: {} } },
          rows: [
            { Name: 'Dune', Author: 'Herbert' },
            { Name: 'Emma', Author: 'Austen', Summary: 'Already there' },
          ],
        });
        model.respondWith((req) => JSON.stringify({ Summary: `About ${/"([^"]+)" by (\w+)/.exec(req.prompt)?.slice(1).join(', ')}` }));
        const store = new MemoryStore();
        const filler = new DatabaseFiller({
          client: client(),
          engine: openai.createEngine({ apiKey: 'sk-fake-openai', baseUrl: model.url }),
          generations: new GenerationStore(store),
          usage: new UsageTracker(store),
          store,
          logger: silentLogger,
          converter: () => markdownToBlocks,
        });
        const summary = await filler.run(
          {
            dataSourceId: db.dataSourceId,
            selection: { kind: 'emptyTarget', property: 'Summary' },
            template: 'About "{{Name}}" by {{author}}.',
            target: { kind: 'property', property: { name: 'Summary', type: 'rich_text' } },
            engine: 'openai',
            model: 'gpt-4.1-mini',
            allowNewOptions: false,
          },
          { signal: new AbortController().signal },
        );
        assert.deepEqual(
          [summary.done, summary.failed.length],
          [1, 0],
          `only the row whose Summary is empty: ${JSON.stringify(summary.results)}`,
        );
        const values: Record<string, string> = {};
        for await (const row of new NotionDatabases(client()).rows(db.dataSourceId)) values[row.title] = plainValue(row.values.Summary);
        assert.deepEqual(values, { Dune: 'About Dune, Herbert', Emma: 'Already there' });
        const fillQuery = notion.requests.find((r) => /\/query$/.test(r.path))!;
        const ids = [fillQuery.query.filter_properties].flat();
        const notesId = Object.values(db.properties).find((p) => p.name === 'Notes')!.id;
        assert.ok(ids.includes('title') && !ids.includes(notesId), 'the title and what the fill reads, not the rest');
      });
    });
  }
});
