import * as assert from 'node:assert/strict';
import { APIResponseError, Client, LogLevel } from '@notionhq/client';
import { type NotionFake, startNotionFake } from '../fakes/notionFake';
import { KNOWN_NOTION_VERSIONS } from '../fakes/notionValidation';

// The Notion stand-in refuses what Notion refuses (test/fakes/notionValidation.ts names the source of each rule),
// over real HTTP with the SDK Visen uses.

const TOKEN = 'secret_fake_notion';
const VERSION = '2026-03-11';
type Json = Record<string, unknown>;

const para = (content: string, extra: Json = {}): Json => ({ paragraph: { rich_text: [{ text: { content } }], ...extra } });

describe('Notion stand-in: as strict as Notion', () => {
  let fake: NotionFake;
  let notion: Client;

  before(async () => {
    fake = await startNotionFake();
  });
  after(() => fake.close());
  beforeEach(() => {
    fake.reset();
    notion = new Client({ auth: TOKEN, baseUrl: fake.url, notionVersion: VERSION, retry: false, logLevel: LogLevel.ERROR });
  });

  /** Any body, as given: `client.request` sends keys the endpoint methods would drop. */
  const send = (method: 'get' | 'post' | 'patch', path: string, body?: Json) => notion.request<Json>({ method, path, body });

  async function refused(promise: Promise<unknown>, message: RegExp, code = 'validation_error', status = 400): Promise<void> {
    const err = await promise.then(
      () => assert.fail('Notion refuses this request; the stand-in took it'),
      (e: unknown) => e,
    );
    assert.ok(APIResponseError.isAPIResponseError(err), `expected an API error, got ${String(err)}`);
    assert.equal(err.status, status);
    assert.equal(err.code, code);
    assert.match(err.message, message);
  }

  const append = (blockId: string, children: Json[]) => send('patch', `blocks/${blockId}/children`, { children });

  describe('Notion-Version', () => {
    const withVersion = (version: string) =>
      fetch(`${fake.url}/v1/users/me`, { headers: { authorization: `Bearer ${TOKEN}`, 'notion-version': version } });

    it('takes every released version and refuses any other with 400 validation_error', async () => {
      for (const version of KNOWN_NOTION_VERSIONS) assert.equal((await withVersion(version)).status, 200, version);
      for (const version of ['2026-03-12', '2099-01-01', 'latest', '2025-9-3']) {
        const res = await withVersion(version);
        assert.equal(res.status, 400, version);
        const body = (await res.json()) as Json;
        assert.equal(body.code, 'validation_error');
        assert.match(String(body.message), /Notion-Version header failed validation: .*instead was `"/);
      }
    });
  });

  describe('body keys', () => {
    it('refuses a key the endpoint does not take, naming it', async () => {
      const page = fake.addPage({ title: 'P' });
      await refused(
        send('post', 'pages', { parent: { page_id: page.id }, properties: {}, Notion_Version: VERSION }),
        /body\.Notion_Version should be not present/,
      );
      await refused(
        append(page.id, [para('a')]).then(() => send('patch', `blocks/${page.id}/children`, { children: [para('b')], at: 'end' })),
        /body\.at should be not present/,
      );
      await refused(send('patch', `pages/${page.id}`, { title: 'x' }), /body\.title should be not present/);
      const db = fake.addDatabase({ title: 'D' });
      await refused(
        send('post', `data_sources/${db.dataSourceId}/query`, { page_size: 10, limit: 10 }),
        /body\.limit should be not present/,
      );
      await refused(send('post', 'search', { query: 'x', type: 'page' }), /body\.type should be not present/);
      assert.equal(fake.pageBlocks(page.id).length, 1, 'the refused append wrote nothing');
    });

    it('takes every key of the SDK endpoints, and markdown_version on markdown writes', async () => {
      const page = fake.addPage({ title: 'P' });
      await send('post', 'pages', { parent: { page_id: page.id }, markdown: '# New\n\nbody', markdown_version: 'v2' });
      await send('patch', `blocks/${page.id}/children`, { children: [para('x')], position: { type: 'end' } });
      const db = fake.addDatabase({ title: 'D' });
      await send('post', `data_sources/${db.dataSourceId}/query`, { page_size: 10, sorts: [], in_trash: false });
    });
  });

  describe('children', () => {
    it('only under block types that take them; a heading takes them only as a toggle heading', async () => {
      const page = fake.addPage({ title: 'P' });
      const kid = [para('inside')];
      await refused(
        append(page.id, [{ code: { language: 'plain text', rich_text: [], children: kid } }]),
        /body\.children\[0\]\.code\.children should be not present/,
      );
      await refused(append(page.id, [{ divider: { children: kid } }]), /divider\.children should be not present/);
      await refused(
        append(page.id, [{ heading_2: { rich_text: [{ text: { content: 'H' } }], children: kid } }]),
        /heading_2\.children should be not present/,
      );
      await append(page.id, [
        { heading_2: { rich_text: [{ text: { content: 'H' } }], is_toggleable: true, children: kid } },
        { toggle: { rich_text: [], children: kid } },
      ]);
      assert.equal(fake.blockTree(page.id).length, 2);
    });

    it("refuses keys a block object or its type's payload does not take", async () => {
      const page = fake.addPage({ title: 'P' });
      await refused(
        append(page.id, [{ ...para('a'), id: '59833787-2cf9-4fdf-8782-e53db20768a5' }]),
        /body\.children\[0\]\.id should be not present/,
      );
      await refused(
        append(page.id, [{ paragraph: { rich_text: [], bold: true } }]),
        /body\.children\[0\]\.paragraph\.bold should be not present/,
      );
      await refused(append(page.id, [{ code: { rich_text: [], language: 'python', wrap: true } }]), /code\.wrap should be not present/);
      await append(page.id, [
        { object: 'block', type: 'callout', callout: { rich_text: [], icon: { type: 'emoji', emoji: '💡' }, color: 'gray_background' } },
      ]);
      assert.equal(fake.pageBlocks(page.id).length, 1);
    });

    it('refuses children appended to a block that has none, such as code', async () => {
      const page = fake.addPage({ title: 'P' });
      const [code] = (await append(page.id, [{ code: { language: 'python', rich_text: [{ text: { content: 'x = 1' } }] } }]))
        .results as Json[];
      await refused(append(String(code.id), [para('no')]), /Block type code does not support children/);
    });
  });

  describe('mentions', () => {
    const withMention = (mention: unknown) => [{ paragraph: { rich_text: [{ type: 'mention', mention }] } }];
    const USER = '3c7e2f1a-8b4d-4c2e-9f6a-5d1b0e7c9a13';

    it('takes a user, page, date and template mention', async () => {
      const page = fake.addPage({ title: 'P' });
      await append(page.id, withMention({ user: { id: USER } }));
      await append(page.id, withMention({ type: 'page', page: { id: page.id } }));
      await append(page.id, withMention({ date: { start: '2026-12-06', end: '2026-12-07T10:00:00Z' } }));
      await append(page.id, withMention({ template_mention: { type: 'template_mention_date', template_mention_date: 'today' } }));
      assert.equal(fake.pageBlocks(page.id).length, 4);
    });

    it('refuses a mention of no kind or two, a bad id, a bad date and an unknown template', async () => {
      const page = fake.addPage({ title: 'P' });
      await refused(append(page.id, withMention({})), /mention should have exactly one of/);
      await refused(append(page.id, withMention({ user: { id: USER }, page: { id: USER } })), /mention should have exactly one of/);
      await refused(append(page.id, withMention({ type: 'page', user: { id: USER } })), /mention should have exactly one of/);
      await refused(append(page.id, withMention({ user: { id: 'ada' } })), /mention\.user\.id should be a valid uuid/);
      await refused(
        append(page.id, withMention({ date: { start: '6 Dec 2026' } })),
        /mention\.date\.start should be a valid ISO 8601 date/,
      );
      await refused(
        append(page.id, withMention({ date: { start: '2026-02-30' } })),
        /mention\.date\.start should be a valid ISO 8601 date/,
      );
      await refused(
        append(page.id, withMention({ template_mention: { type: 'template_mention_user', template_mention_user: 'you' } })),
        /template mention/,
      );
      assert.equal(fake.pageBlocks(page.id).length, 0);
    });
  });

  describe('links', () => {
    const linked = (link: unknown) => [{ paragraph: { rich_text: [{ text: { content: 'here', link } }] } }];

    it('takes absolute http(s), mailto and tel links, and refuses relative, script and malformed ones', async () => {
      const page = fake.addPage({ title: 'P' });
      for (const url of ['https://example.com/a?b=c#d', 'http://localhost:8080', 'mailto:ada@example.com', 'tel:+441234'])
        await append(page.id, linked({ url }));
      for (const url of ['/docs/intro', '#section', 'example.com', 'javascript:alert(1)', 'file:///etc/passwd', '']) {
        await refused(append(page.id, linked({ url })), /Invalid URL for link/);
      }
      await refused(append(page.id, linked({})), /text\.link\.url should be a string/);
      await refused(
        append(page.id, linked({ url: `https://example.com/${'a'.repeat(1990)}` })),
        /text\.link\.url\.length should be ≤ `2000`/,
      );
      assert.equal(fake.pageBlocks(page.id).length, 4);
    });
  });

  describe('property values', () => {
    const props = {
      Name: { title: {} },
      Tag: { select: {} },
      Tags: { multi_select: {} },
      Due: { date: {} },
      N: { number: {} },
      Done: { checkbox: {} },
      Link: { url: {} },
      Mail: { email: {} },
      Phone: { phone_number: {} },
    };
    const row = (db: { dataSourceId: string }, properties: Json) =>
      send('post', 'pages', {
        parent: { data_source_id: db.dataSourceId },
        properties: { Name: { title: [{ text: { content: 'Row' } }] }, ...properties },
      });

    it('takes well-formed values', async () => {
      const db = fake.addDatabase({ title: 'D', properties: props });
      await row(db, {
        Tag: { select: { name: 'a'.repeat(100) } },
        Tags: { multi_select: Array.from({ length: 100 }, (_, i) => ({ name: `t${i}` })) },
        Due: { date: { start: '2024-02-29T23:59:59.123+05:30', end: null } },
        N: { number: -1.5e3 },
        Done: { checkbox: true },
        Link: { url: `https://example.com/${'a'.repeat(1980)}` },
        Mail: { email: `${'a'.repeat(188)}@example.com` },
        Phone: { phone_number: '+1'.padEnd(200, '0') },
      });
    });

    it('refuses select names with commas or over 100 characters, and more than 100 options', async () => {
      const db = fake.addDatabase({ title: 'D', properties: props });
      await refused(row(db, { Tag: { select: { name: 'red, green' } } }), /commas not allowed/);
      await refused(row(db, { Tags: { multi_select: [{ name: 'ok' }, { name: 'a,b' }] } }), /commas not allowed/);
      await refused(row(db, { Tag: { select: { name: 'a'.repeat(101) } } }), /select\.name\.length should be ≤ `100`/);
      await refused(
        row(db, { Tags: { multi_select: Array.from({ length: 101 }, (_, i) => ({ name: `t${i}` })) } }),
        /multi_select\.length should be ≤ `100`/,
      );
    });

    it('refuses dates that are not ISO 8601 on the calendar, numbers that are not finite numbers, and non-boolean checkboxes', async () => {
      const db = fake.addDatabase({ title: 'D', properties: props });
      for (const start of ['2024-02-30', '2023-02-29', '2024-13-01', '2024-01-01T24:00', '12/06/2026', 'tomorrow']) {
        await refused(row(db, { Due: { date: { start } } }), /Due\.date\.start should be a valid ISO 8601 date/);
      }
      await refused(row(db, { Due: { date: { start: '2024-01-01', end: '2024-01-32' } } }), /date\.end should be a valid ISO 8601/);
      await refused(row(db, { N: { number: '5' } }), /N\.number should be a number/);
      await refused(row(db, { Done: { checkbox: 'yes' } }), /Done\.checkbox should be a boolean/);
    });

    it('refuses a URL over 2000 characters and an email or phone number over 200', async () => {
      const db = fake.addDatabase({ title: 'D', properties: props });
      await refused(
        row(db, { Link: { url: `https://example.com/${'a'.repeat(1981)}` } }),
        /url\.length should be ≤ `2000`, instead was `2001`/,
      );
      await refused(row(db, { Mail: { email: `${'a'.repeat(189)}@example.com` } }), /email\.length should be ≤ `200`/);
      await refused(row(db, { Phone: { phone_number: '1'.repeat(201) } }), /phone_number\.length should be ≤ `200`/);
    });

    it('refuses a value whose type is not the property type', async () => {
      const db = fake.addDatabase({ title: 'D', properties: props });
      await refused(row(db, { Tag: { multi_select: [{ name: 'x' }] } }), /Tag\.select should be defined/);
    });
  });

  describe('size limits', () => {
    it('counts the 500 KB payload in bytes: 100 CJK paragraphs of 1,700 characters are refused', async () => {
      const page = fake.addPage({ title: 'P' });
      const children = Array.from({ length: 100 }, () => para('漢'.repeat(1700)));
      const body = JSON.stringify({ children });
      assert.ok(body.length < 512_000 && Buffer.byteLength(body) > 512_000, 'under the limit in UTF-16 units, over it in bytes');
      await refused(append(page.id, children), /request body is `\d+` bytes, more than the `512000` allowed/);
    });

    it('keeps the documented limits: 2000 characters per text, 100 items per array, 1000 blocks, two levels', async () => {
      const page = fake.addPage({ title: 'P' });
      await refused(append(page.id, [para('a'.repeat(2001))]), /text\.content\.length should be ≤ `2000`, instead was `2001`/);
      await refused(
        append(
          page.id,
          Array.from({ length: 101 }, () => para('a')),
        ),
        /body\.children\.length should be ≤ `100`/,
      );
      const toggle = (children: Json[]) => ({ toggle: { rich_text: [], children } });
      await refused(append(page.id, [toggle([toggle([para('deep')])])]), /children should be not present/);
      const wide = Array.from({ length: 100 }, () => toggle(Array.from({ length: 10 }, () => para('x'))));
      await refused(append(page.id, wide), /more than `1000` block elements/);
    });
  });

  describe('markdown reads past the record limit', () => {
    it('answer truncated, with <unknown> tags and the ids, and each id reads on its own', async () => {
      fake.markdownRecordLimit = 3;
      const page = fake.addPage({ title: 'Long', markdown: 'one\n\ntwo\n\nthree\n\nfour\n\nfive' });
      const first = await send('get', `pages/${page.id}/markdown`);
      assert.equal(first.truncated, true);
      const ids = first.unknown_block_ids as string[];
      assert.deepEqual(
        ids,
        fake
          .pageBlocks(page.id)
          .slice(3)
          .map((b) => b.id),
      );
      assert.match(String(first.markdown), /^one\n\ntwo\n\nthree\n\n<unknown url="[^"]+#[0-9a-f]{32}" alt="paragraph"\/>\n\n<unknown /);
      const rest = await Promise.all(ids.map((id) => send('get', `pages/${id}/markdown`)));
      assert.deepEqual(
        rest.map((r) => [r.markdown, r.truncated]),
        [
          ['four', false],
          ['five', false],
        ],
      );
      fake.markdownRecordLimit = undefined;
      assert.equal((await send('get', `pages/${page.id}/markdown`)).truncated, false);
    });
  });

  describe('rate limits', () => {
    it('answer 429 with Retry-After until it has passed; the SDK waits that long and gets through', async () => {
      const page = fake.addPage({ title: 'P' });
      fake.rateLimitFor(1);
      const raw = await fetch(`${fake.url}/v1/pages/${page.id}`, {
        headers: { authorization: `Bearer ${TOKEN}`, 'notion-version': VERSION },
      });
      assert.equal(raw.status, 429);
      assert.equal(raw.headers.get('retry-after'), '1');
      assert.equal(((await raw.json()) as Json).code, 'rate_limited');
      const retrying = new Client({
        auth: TOKEN,
        baseUrl: fake.url,
        notionVersion: VERSION,
        retry: { maxRetries: 2 },
        logLevel: LogLevel.ERROR,
      });
      const started = Date.now();
      await retrying.pages.retrieve({ page_id: page.id });
      assert.ok(Date.now() - started >= 500, 'waited for Retry-After');
      assert.ok(fake.rateLimitedCount >= 2);
    });

    it('takes Retry-After of up to 60 seconds', () => {
      fake.rateLimitFor(60);
      assert.throws(() => fake.rateLimitFor(61), /0 to 60/);
      assert.throws(() => fake.rateLimitFor(1.5), /whole number/);
      fake.reset();
    });
  });
});
