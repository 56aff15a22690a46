import assert from 'node:assert/strict';
import type { Client } from '@notionhq/client';
import type { Connection } from '../../src/services/connections/connection';
import { BlockWriter } from '../../src/services/notion/blockWriter';
import { ConnectionsDatabase } from '../../src/services/notion/connectionsDatabase';
import { markdownToBlocks } from '../../src/services/notion/markdownBlocks';
import { createNotionClient } from '../../src/services/notion/notionClient';
import { MAX_FOLLOW_UP_READS, pageContext, readPageMarkdown } from '../../src/services/notion/pageMarkdown';
import { coerceProperty } from '../../src/services/notion/propertyValues';
import { type NotionFake, startNotionFake } from '../fakes/notionFake';

// What the strict Notion stand-in found in Visen: requests Notion would refuse, and reads Notion cuts short.

const wellFormed = (text: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);

describe("Visen within Notion's limits (strict stand-in)", () => {
  let notion: NotionFake;
  let client: Client;

  before(async () => {
    notion = await startNotionFake();
  });
  after(() => notion.close());
  beforeEach(() => {
    notion.reset();
    client = createNotionClient({ auth: 'secret_fake_notion', baseUrl: notion.url, requestsPerSecond: 200 });
  });

  describe('the 500 KB payload limit, in bytes', () => {
    it('writes 100 CJK paragraphs of 1,700 characters in requests each under 500 KB of UTF-8', async () => {
      const page = notion.addPage({ title: 'CJK' });
      const paragraph = '漢字かな交じり文。'.repeat(189).slice(0, 1700);
      const nodes = markdownToBlocks(Array.from({ length: 100 }, () => paragraph).join('\n\n'));
      assert.equal(nodes.length, 100);
      const ids = await new BlockWriter(client).append(page.id, nodes);
      assert.equal(ids.length, 100);
      const appends = notion.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/children'));
      assert.ok(appends.length >= 2, 'split across requests');
      for (const r of appends)
        assert.ok(
          Buffer.byteLength(JSON.stringify(r.body)) <= 500 * 1024,
          `a request of ${Buffer.byteLength(JSON.stringify(r.body))} bytes`,
        );
      assert.equal(notion.pageBlocks(page.id).length, 100);
    });
  });

  describe('property values', () => {
    const richText = (value: Record<string, unknown>) =>
      (value.rich_text as Array<{ text: { content: string } }>).map((i) => i.text.content);

    it('cuts long text into items of at most 2,000 characters without splitting an emoji, losing nothing', () => {
      const text = `${'a'.repeat(1999)}😀${'b'.repeat(3000)}`;
      const items = richText(coerceProperty({ name: 'Notes', type: 'rich_text' }, text, { allowNewOptions: false }));
      assert.ok(
        items.every((c) => c.length <= 2000 && wellFormed(c)),
        'no item over the limit, no lone half of an emoji',
      );
      assert.equal(items.join(''), text);
    });

    it('cuts a URL, email, phone number or new option name at its limit without splitting an emoji', () => {
      const url = coerceProperty({ name: 'L', type: 'url' }, `https://example.com/${'a'.repeat(1979)}😀tail`, { allowNewOptions: false })
        .url as string;
      assert.ok(url.length <= 2000 && wellFormed(url));
      const phone = coerceProperty({ name: 'P', type: 'phone_number' }, `${'1'.repeat(199)}😀`, { allowNewOptions: false })
        .phone_number as string;
      assert.ok(phone.length <= 200 && wellFormed(phone));
      const option = (
        coerceProperty({ name: 'T', type: 'select', options: [] }, `${'x'.repeat(99)}😀, more`, { allowNewOptions: true }).select as {
          name: string;
        }
      ).name;
      assert.ok(option.length <= 100 && wellFormed(option) && !option.includes(','));
    });

    it('refuses a number that is not finite and a date not on the calendar, instead of sending what Notion refuses', () => {
      assert.throws(() => coerceProperty({ name: 'N', type: 'number' }, '1e999', { allowNewOptions: false }), /"1e999" is not a number/);
      assert.throws(() => coerceProperty({ name: 'D', type: 'date' }, 'Due 2024-02-30', { allowNewOptions: false }), /is not a date/);
      assert.deepEqual(coerceProperty({ name: 'D', type: 'date' }, '2024-02-29', { allowNewOptions: false }), {
        date: { start: '2024-02-29' },
      });
    });

    it('the values Visen makes are taken by the strict stand-in', async () => {
      const db = notion.addDatabase({
        title: 'D',
        properties: { Name: { title: {} }, Notes: { rich_text: {} }, Tag: { select: {} }, Link: { url: {} } },
      });
      const opts = { allowNewOptions: true };
      const properties = {
        Name: coerceProperty({ name: 'Name', type: 'title' }, `${'n'.repeat(1999)}😀`, opts),
        Notes: coerceProperty({ name: 'Notes', type: 'rich_text' }, `${'a'.repeat(1999)}😀${'b'.repeat(5000)}`, opts),
        Tag: coerceProperty({ name: 'Tag', type: 'select', options: [] }, `${'x'.repeat(99)}😀, more`, opts),
        Link: coerceProperty({ name: 'Link', type: 'url' }, `https://example.com/${'a'.repeat(1979)}😀`, opts),
      };
      await client.pages.create({ parent: { data_source_id: db.dataSourceId }, properties: properties as never });
    });
  });

  it('the connections database takes a last prompt cut at 2,000 characters next to an emoji, the emoji whole', async () => {
    const parent = notion.addPage({ title: 'Home' });
    const database = new ConnectionsDatabase(client);
    const info = await database.create(parent.id);
    const connection = {
      id: 'c1',
      name: 'Notes',
      type: 'page',
      target: { id: parent.id, url: parent.url, title: 'Home' },
      createdAt: '2026-01-01T10:00:00.000Z',
      lastPrompt: `${'p'.repeat(1999)}😀 and more`,
      writeMode: 'append',
      usage: { prompts: 1, inputTokens: 2, outputTokens: 3 },
    } as unknown as Connection;
    await database.upsert(info, connection, 'gemini', 'gemini-2.5-flash');
    const [row] = await database.rows(info);
    assert.ok(
      row.lastPrompt !== undefined && row.lastPrompt.length <= 2000 && wellFormed(row.lastPrompt),
      'cut before the emoji, not through it',
    );
    assert.equal(row.lastPrompt, 'p'.repeat(1999));
  });

  describe('a page longer than Notion returns as markdown', () => {
    it('reads the blocks Notion left out and puts each where its tag was', async () => {
      notion.markdownRecordLimit = 2;
      const page = notion.addPage({ title: 'Long', markdown: ['one', 'two', 'three', 'four', 'five'].join('\n\n') });
      const read = await readPageMarkdown(client, page.id);
      assert.deepEqual(read, { markdown: 'one\n\ntwo\n\nthree\n\nfour\n\nfive', truncated: false, leftOut: 0 });
      assert.equal(pageContext(read), read.markdown);
    });

    it('says how many blocks it could not read (not shared: 404), and where', async () => {
      notion.markdownRecordLimit = 1;
      const page = notion.addPage({ title: 'Long', markdown: 'one\n\ntwo\n\nthree' });
      const hidden = notion.pageBlocks(page.id)[1].id;
      notion.failNext(
        { method: 'GET', path: new RegExp(`/pages/${hidden}/markdown$`) },
        { status: 404, code: 'object_not_found', message: 'Could not find block.' },
      );
      const read = await readPageMarkdown(client, page.id);
      assert.equal(read.truncated, true);
      assert.equal(read.leftOut, 1);
      assert.match(read.markdown, /^one\n\n<unknown [^>]*\/>\n\nthree$/);
      assert.match(pageContext(read), /\n\n\[Notion left out 1 block of this page: .*\]$/);
    });

    it('reads at most MAX_FOLLOW_UP_READS blocks more, and counts the rest as left out', async () => {
      notion.markdownRecordLimit = 1;
      const total = MAX_FOLLOW_UP_READS + 10;
      const page = notion.addPage({ title: 'Long', markdown: Array.from({ length: total }, (_, i) => `p${i}`).join('\n\n') });
      const read = await readPageMarkdown(client, page.id);
      assert.equal(read.leftOut, total - 1 - MAX_FOLLOW_UP_READS);
      assert.ok(read.markdown.includes(`p${MAX_FOLLOW_UP_READS}`) && !read.markdown.includes(`p${MAX_FOLLOW_UP_READS + 1}\n`));
      assert.match(pageContext(read), /\[Notion left out 9 blocks of this page: /);
      const reads = notion.requests.filter((r) => r.path.endsWith('/markdown')).length;
      assert.equal(reads, 1 + MAX_FOLLOW_UP_READS);
    });
  });
});
