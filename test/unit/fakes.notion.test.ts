import * as assert from 'node:assert/strict';
import {
  APIErrorCode,
  APIResponseError,
  Client,
  LogLevel,
  collectPaginatedAPI,
  isFullBlock,
  type BlockObjectResponse,
  type PageObjectResponse,
  type RichTextItemResponse,
} from '@notionhq/client';
import { defaultGeneratedMarkdown } from '../fakes/generatedMarkdown';
import { PAT_USER_ID, type NotionFake, startNotionFake } from '../fakes/notionFake';

type PageMarkdown = { object: 'page_markdown'; id: string; markdown: string; truncated: boolean; unknown_block_ids: string[] };

const TOKEN = 'secret_fake_notion';

function clientFor(fake: NotionFake, auth = TOKEN): Client {
  // The SDK logs every failed attempt as a warning; the expected failures here would only be noise.
  return new Client({
    auth,
    baseUrl: fake.url,
    notionVersion: '2026-03-11',
    retry: { maxRetries: 2, initialRetryDelayMs: 10 },
    logLevel: LogLevel.ERROR,
  });
}

/** PATCH /pages/:id/markdown through client.request, so `markdown_version` (unknown to SDK 5.26) is sent too. */
function patchMarkdown(client: Client, pageId: string, body: Record<string, unknown>): Promise<PageMarkdown> {
  return client.request<PageMarkdown>({ path: `pages/${pageId}/markdown`, method: 'patch', body: { markdown_version: 'v2', ...body } });
}

async function rejectsWith(promise: Promise<unknown>, status: number, code: string, message?: RegExp | string): Promise<APIResponseError> {
  const err = await promise.then(
    () => assert.fail('expected the request to fail'),
    (e: unknown) => e,
  );
  assert.ok(APIResponseError.isAPIResponseError(err), `expected APIResponseError, got ${String(err)}`);
  assert.equal(err.status, status);
  assert.equal(err.code, code);
  if (typeof message === 'string') assert.equal(err.message, message);
  else if (message) assert.match(err.message, message);
  return err;
}

const text = (block: BlockObjectResponse): RichTextItemResponse[] =>
  (block as unknown as Record<string, { rich_text: RichTextItemResponse[] }>)[block.type].rich_text;
const titleOf = (page: PageObjectResponse) =>
  Object.values(page.properties)
    .flatMap((p) => (p.type === 'title' ? p.title : []))
    .map((t) => t.plain_text)
    .join('');

describe('Notion fake (with @notionhq/client)', () => {
  let fake: NotionFake;
  let notion: Client;

  before(async () => {
    fake = await startNotionFake();
    notion = clientFor(fake);
  });
  after(() => fake.close());
  beforeEach(() => fake.reset());

  describe('transport and auth', () => {
    it("dates every answer on Notion's clock, which a test can set apart from this machine's, as block times are", async () => {
      const dateOf = async (path: string, init: RequestInit = {}) => {
        const response = await fetch(`${fake.url}${path}`, {
          ...init,
          headers: { authorization: `Bearer ${TOKEN}`, 'notion-version': '2026-03-11', 'content-type': 'application/json' },
        });
        return {
          date: Date.parse(response.headers.get('date')!),
          body: (await response.json()) as { results?: { created_time: string }[] },
        };
      };
      const page = fake.addPage({ title: 'Clock' });
      const plain = await dateOf('/v1/users/me');
      assert.ok(Math.abs(plain.date - Date.now()) < 2_000, 'an HTTP date, to the second');
      fake.clockSkewMs = -3 * 60_000;
      const skewed = await dateOf(`/v1/blocks/${page.id}/children`, {
        method: 'PATCH',
        body: JSON.stringify({ children: [{ type: 'paragraph', paragraph: { rich_text: [{ type: 'text', text: { content: 'x' } }] } }] }),
      });
      assert.ok(Math.abs(skewed.date - (Date.now() - 3 * 60_000)) < 2_000, "Notion's clock, 3 minutes behind");
      // The block's time is Notion's minute when it was made (the same minute, unless one turned meanwhile).
      const made = Date.parse(skewed.body.results![0].created_time) - Math.floor(skewed.date / 60_000) * 60_000;
      assert.ok(made === 0 || made === 60_000, skewed.body.results![0].created_time);
      const failed = await dateOf('/v1/blocks/not-a-block/children');
      assert.ok(Math.abs(failed.date - (Date.now() - 3 * 60_000)) < 2_000, 'errors are dated too');
    });

    it('answers users.me for the bot, or the person of a personal access token, and logs the SDK headers', async () => {
      const me = await notion.users.me({});
      if (fake.tokenKind === 'pat') {
        assert.equal(me.type, 'person');
        assert.equal(me.id, PAT_USER_ID);
        assert.equal(me.name, fake.personName);
      } else {
        assert.equal(me.type, 'bot');
        assert.equal(me.name, fake.botName);
        assert.ok(me.type === 'bot' && 'workspace_name' in me.bot);
        assert.equal(me.bot.workspace_name, fake.workspaceName);
      }
      const [req] = fake.requests;
      assert.equal(req.path, '/v1/users/me');
      assert.equal(req.headers['notion-version'], '2026-03-11');
      assert.equal(req.headers.authorization, `Bearer ${TOKEN}`);
    });

    it('rejects unknown tokens with 401 unauthorized', async () => {
      await rejectsWith(clientFor(fake, 'secret_wrong').users.me({}), 401, APIErrorCode.Unauthorized, 'API token is invalid.');
      fake.validTokens.add('secret_wrong');
      await clientFor(fake, 'secret_wrong').users.me({});
    });

    it('requires the Notion-Version header', async () => {
      const res = await fetch(`${fake.url}/v1/users/me`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(res.status, 400);
      const body = (await res.json()) as { object: string; code: string; message: string };
      assert.equal(body.object, 'error');
      assert.equal(body.code, 'missing_version');
    });
  });

  describe('pages', () => {
    it('retrieves a page by dashed, undashed and upper-case id with a notion.so url', async () => {
      const page = fake.addPage({ title: 'Hello World', markdown: 'Hi' });
      for (const id of [page.id, page.id.replace(/-/g, ''), page.id.toUpperCase()]) {
        const got = (await notion.pages.retrieve({ page_id: id })) as PageObjectResponse;
        assert.equal(got.id, page.id);
        assert.equal(titleOf(got), 'Hello World');
      }
      assert.match(page.url, /^https:\/\/www\.notion\.so\/Hello-World-[0-9a-f]{32}$/);
      assert.ok(page.url.endsWith(page.id.replace(/-/g, '')));
    });

    it('hides pages not shared with the integration (404 object_not_found); a PAT sees them, but not what its person cannot open', async () => {
      const page = fake.addPage({ title: 'Secret', shared: false });
      if (fake.tokenKind === 'pat') assert.equal((await notion.pages.retrieve({ page_id: page.id })).id, page.id);
      else
        await rejectsWith(
          notion.pages.retrieve({ page_id: page.id }),
          404,
          APIErrorCode.ObjectNotFound,
          /Could not find page with ID: .*shared with your integration/,
        );
      const closed = fake.addPage({ title: 'Private to someone else', shared: false, personAccess: false });
      await rejectsWith(notion.pages.retrieve({ page_id: closed.id }), 404, APIErrorCode.ObjectNotFound, /Could not find page with ID/);
    });

    it('in PAT mode, "List all users" is refused and what it writes is the person\'s', async () => {
      fake.tokenKind = 'pat';
      const page = fake.addPage({ title: 'Unshared', shared: false });
      await rejectsWith(notion.users.list({}), 403, APIErrorCode.RestrictedResource, /not available to personal access tokens/);
      const [written] = (
        await notion.blocks.children.append({
          block_id: page.id,
          children: [{ paragraph: { rich_text: [{ text: { content: 'mine' } }] } }],
        })
      ).results;
      assert.ok(isFullBlock(written));
      assert.deepEqual([written.created_by.id, written.last_edited_by.id], [PAT_USER_ID, PAT_USER_ID]);
      const found = await notion.search({ query: 'Unshared' });
      assert.equal(found.results.length, 1, 'seen without sharing');
      fake.tokenKind = 'integration';
      assert.equal((await notion.users.list({})).results.length, 2);
      assert.equal((await notion.search({ query: 'Unshared' })).results.length, 0);
    });

    it('rejects a database id and a malformed id on page endpoints', async () => {
      const db = fake.addDatabase({ title: 'Tasks' });
      await rejectsWith(notion.pages.retrieve({ page_id: db.id }), 400, APIErrorCode.ValidationError, /is a database, not a page/);
      await rejectsWith(
        notion.pages.retrieve({ page_id: 'not-an-id' }),
        400,
        APIErrorCode.ValidationError,
        /path\.page_id should be a valid uuid/,
      );
    });

    it('creates a child page from markdown, taking the title from the first heading', async () => {
      const parent = fake.addPage({ title: 'Parent' });
      const created = (await notion.pages.create({
        parent: { page_id: parent.id },
        markdown: '# From markdown\n\nBody text',
      })) as PageObjectResponse;
      assert.equal(titleOf(created), 'From markdown');
      assert.deepEqual(created.parent, { type: 'page_id', page_id: parent.id });
      assert.equal(fake.pageMarkdown(created.id), 'Body text');
      assert.equal(fake.pageMarkdown(parent.id), `<page url="${created.url}">From markdown</page>`);
      assert.equal(fake.pageBlocks(parent.id)[0].type, 'child_page');
    });

    it('updates the title and moves a page to the trash', async () => {
      const page = fake.addPage({ title: 'Old' });
      const renamed = (await notion.pages.update({
        page_id: page.id,
        properties: { title: { title: [{ text: { content: 'New name' } }] } },
      })) as PageObjectResponse;
      assert.equal(titleOf(renamed), 'New name');
      assert.match(renamed.url, /New-name-/);
      const trashed = (await notion.pages.update({ page_id: page.id, in_trash: true })) as PageObjectResponse;
      assert.equal(trashed.in_trash, true);
      await rejectsWith(
        notion.blocks.children.append({ block_id: page.id, children: [{ paragraph: { rich_text: [{ text: { content: 'x' } }] } }] }),
        400,
        APIErrorCode.ValidationError,
        /archived/,
      );
    });
  });

  describe('markdown endpoints', () => {
    it('inserts and replaces markdown and derives the native blocks', async () => {
      const page = fake.addPage({ title: 'Doc', markdown: 'First paragraph' });
      const inserted = await patchMarkdown(notion, page.id, {
        type: 'insert_content',
        insert_content: { content: '## Section\n\nSome **bold**, *italic*, ~~gone~~, `code` and [a link](https://example.com).' },
      });
      assert.equal(inserted.object, 'page_markdown');
      assert.equal(
        inserted.markdown,
        'First paragraph\n\n## Section\n\nSome **bold**, *italic*, ~~gone~~, `code` and [a link](https://example.com).',
      );

      const blocks = fake.pageBlocks(page.id);
      assert.deepEqual(
        blocks.map((b) => b.type),
        ['paragraph', 'heading_2', 'paragraph'],
      );
      const runs = text(blocks[2]);
      const find = (content: string) => runs.find((r) => r.plain_text === content)!;
      assert.equal(find('bold').annotations.bold, true);
      assert.equal(find('italic').annotations.italic, true);
      assert.equal(find('gone').annotations.strikethrough, true);
      assert.equal(find('code').annotations.code, true);
      assert.equal(find('a link').href, 'https://example.com');
      assert.ok(find('a link').type === 'text' && find('a link').type === 'text');
      assert.deepEqual((find('a link') as Extract<RichTextItemResponse, { type: 'text' }>).text.link, { url: 'https://example.com' });

      const replaced = await patchMarkdown(notion, page.id, {
        type: 'replace_content',
        replace_content: {
          new_str: [
            '# Title',
            '- bullet\n- [ ] todo\n- [x] done',
            '1. one\n2. two',
            '> quoted',
            '```typescript\nconst a = 1;\n```',
            '```\nplain\n```',
            '<table header-row="true" header-column="false">\n\t<tr>\n\t\t<td>A</td>\n\t\t<td>B</td>\n\t</tr>\n\t<tr>\n\t\t<td>1</td>\n\t\t<td>2</td>\n\t</tr>\n</table>',
            '---',
          ].join('\n\n'),
        },
      });
      assert.match(replaced.markdown, /^# Title\n\n- bullet\n- \[ \] todo\n- \[x\] done\n\n1\. one\n2\. two/);
      const native = fake.pageBlocks(page.id);
      assert.deepEqual(
        native.map((b) => b.type),
        [
          'heading_1',
          'bulleted_list_item',
          'to_do',
          'to_do',
          'numbered_list_item',
          'numbered_list_item',
          'quote',
          'code',
          'code',
          'table',
          'divider',
        ],
      );
      const [, , todo, done] = native;
      assert.ok(todo.type === 'to_do' && done.type === 'to_do');
      assert.equal(todo.to_do.checked, false);
      assert.equal(done.to_do.checked, true);
      const codes = native.filter((b) => b.type === 'code');
      assert.deepEqual(
        codes.map((b) => b.type === 'code' && b.code.language),
        ['typescript', 'plain text'],
      );
      const table = native.find((b) => b.type === 'table')!;
      assert.ok(table.type === 'table');
      assert.equal(table.table.table_width, 2);
      assert.equal(table.has_children, true);
      const rows = await notion.blocks.children.list({ block_id: table.id });
      assert.deepEqual(
        rows.results.map((r) =>
          isFullBlock(r) && r.type === 'table_row' ? r.table_row.cells.map((c) => c.map((t) => t.plain_text).join('')) : [],
        ),
        [
          ['A', 'B'],
          ['1', '2'],
        ],
      );
      assert.deepEqual((await notion.pages.retrieveMarkdown({ page_id: page.id })).markdown, replaced.markdown);
    });

    it('keeps block ids of unchanged blocks across markdown edits', async () => {
      const page = fake.addPage({ title: 'Doc', markdown: 'keep me\n\nchange me' });
      const [kept] = fake.pageBlocks(page.id);
      await patchMarkdown(notion, page.id, {
        type: 'update_content',
        update_content: { content_updates: [{ old_str: 'change me', new_str: 'changed' }] },
      });
      const after = fake.pageBlocks(page.id);
      assert.equal(after[0].id, kept.id);
      assert.equal(fake.pageMarkdown(page.id), 'keep me\n\nchanged');
    });

    it('inserts at the start and after a selection', async () => {
      const page = fake.addPage({ title: 'Doc', markdown: 'alpha\n\nomega' });
      await patchMarkdown(notion, page.id, { type: 'insert_content', insert_content: { content: 'start', position: { type: 'start' } } });
      const res = await patchMarkdown(notion, page.id, { type: 'insert_content', insert_content: { content: 'middle', after: 'al...ha' } });
      assert.equal(res.markdown, 'start\n\nalpha\n\nmiddle\n\nomega');
      await rejectsWith(
        patchMarkdown(notion, page.id, {
          type: 'insert_content',
          insert_content: { content: 'x', after: 'alpha', position: { type: 'end' } },
        }),
        400,
        APIErrorCode.ValidationError,
      );
    });

    it('validates update_content like Notion', async () => {
      const page = fake.addPage({ title: 'Doc', markdown: 'cat\n\ncat\n\ndog' });
      await rejectsWith(
        patchMarkdown(notion, page.id, {
          type: 'update_content',
          update_content: { content_updates: [{ old_str: 'bird', new_str: 'x' }] },
        }),
        400,
        APIErrorCode.ValidationError,
        /not found/,
      );
      await rejectsWith(
        patchMarkdown(notion, page.id, { type: 'update_content', update_content: { content_updates: [{ old_str: 'cat', new_str: 'x' }] } }),
        400,
        APIErrorCode.ValidationError,
        /matches 2 locations/,
      );
      const res = await patchMarkdown(notion, page.id, {
        type: 'update_content',
        update_content: { content_updates: [{ old_str: 'cat', new_str: 'lion', replace_all_matches: true }] },
      });
      assert.equal(res.markdown, 'lion\n\nlion\n\ndog');
    });

    it('refuses to delete child pages unless allow_deleting_content is set', async () => {
      const parent = fake.addPage({ title: 'Parent', markdown: 'intro' });
      const child = fake.addPage({ title: 'Child', parentPageId: parent.id });
      await rejectsWith(
        patchMarkdown(notion, parent.id, { type: 'replace_content', replace_content: { new_str: 'fresh' } }),
        400,
        APIErrorCode.ValidationError,
        /allow_deleting_content/,
      );
      const res = await patchMarkdown(notion, parent.id, {
        type: 'replace_content',
        replace_content: { new_str: 'fresh', allow_deleting_content: true },
      });
      assert.equal(res.markdown, 'fresh');
      assert.equal(fake.page(child.id)?.inTrash, true);
    });

    it('replaces a content range', async () => {
      const page = fake.addPage({ title: 'Doc', markdown: 'one\n\ntwo\n\nthree' });
      const res = await patchMarkdown(notion, page.id, {
        type: 'replace_content_range',
        replace_content_range: { content: '2', content_range: 'tw...o' },
      });
      assert.equal(res.markdown, 'one\n\n2\n\nthree');
    });

    it("does not read the engines' GitHub-flavoured answer as GitHub does (pipe table, `ts` fence)", async () => {
      const page = fake.addPage({ title: 'Generated' });
      const markdown = defaultGeneratedMarkdown('Plan a *team* offsite | with `tables`');
      const res = await patchMarkdown(notion, page.id, { type: 'replace_content', replace_content: { new_str: markdown } });
      assert.notEqual(res.markdown, markdown);
      const blocks = fake.pageBlocks(page.id);
      assert.ok(!blocks.some((b) => b.type === 'table'), 'a pipe table is not a Notion-flavored Markdown table');
      const code = blocks.find((b) => b.type === 'code');
      assert.ok(code?.type === 'code');
      assert.equal(code.code.language, 'plain text', "`ts` is not one of Notion's language names");
      const [heading] = blocks;
      assert.equal(
        text(heading)
          .map((r) => r.plain_text)
          .join(''),
        'Plan a *team* offsite | with `tables`',
      );
    });

    it('splits rich text longer than 2000 characters', () => {
      const page = fake.addPage({ title: 'Long', markdown: 'x'.repeat(4500) });
      const [para] = fake.pageBlocks(page.id);
      assert.deepEqual(
        text(para).map((r) => r.plain_text.length),
        [2000, 2000, 500],
      );
      assert.equal(fake.pageMarkdown(page.id), 'x'.repeat(4500));
    });
  });

  describe('blocks', () => {
    it('appends blocks at the end, the start and after a block, keeping markdown in sync', async () => {
      const page = fake.addPage({ title: 'Doc', markdown: 'first' });
      const para = (content: string, extra: Record<string, unknown> = {}) => ({
        paragraph: { rich_text: [{ text: { content }, annotations: extra }] },
      });
      const appended = await notion.blocks.children.append({ block_id: page.id, children: [para('bold end', { bold: true })] });
      assert.equal(appended.results.length, 1);
      assert.ok(isFullBlock(appended.results[0]));
      await notion.blocks.children.append({ block_id: page.id, children: [para('start')], position: { type: 'start' } });
      const [startBlock] = fake.pageBlocks(page.id);
      await notion.blocks.children.append({
        block_id: page.id,
        children: [
          { to_do: { rich_text: [{ text: { content: 'task' } }], checked: true } },
          { code: { rich_text: [{ text: { content: 'let x;' } }], language: 'javascript' } },
        ],
        position: { type: 'after_block', after_block: { id: startBlock.id } },
      });
      assert.equal(fake.pageMarkdown(page.id), 'start\n\n- [x] task\n\n```javascript\nlet x;\n```\n\nfirst\n\n**bold end**');
      const list = await notion.blocks.children.list({ block_id: page.id });
      assert.deepEqual(
        list.results.map((b) => isFullBlock(b) && b.type),
        ['paragraph', 'to_do', 'code', 'paragraph', 'paragraph'],
      );
    });

    it('renders nested children and accepts two levels of nesting', async () => {
      const page = fake.addPage({ title: 'Doc' });
      await notion.blocks.children.append({
        block_id: page.id,
        children: [
          {
            bulleted_list_item: {
              rich_text: [{ text: { content: 'parent' } }],
              children: [{ bulleted_list_item: { rich_text: [{ text: { content: 'child' } }] } }],
            },
          },
        ],
      });
      assert.equal(fake.pageMarkdown(page.id), '- parent\n\t- child');
      const [parent] = fake.pageBlocks(page.id);
      assert.equal(parent.has_children, true);
      const kids = await notion.blocks.children.list({ block_id: parent.id });
      assert.equal(kids.results.length, 1);
    });

    it('enforces the request limits with Notion-style messages', async () => {
      const page = fake.addPage({ title: 'Doc' });
      const para = (content: string) => ({ paragraph: { rich_text: [{ text: { content } }] } });
      await rejectsWith(
        notion.blocks.children.append({ block_id: page.id, children: Array.from({ length: 101 }, () => para('x')) }),
        400,
        APIErrorCode.ValidationError,
        'body failed validation: body.children.length should be ≤ `100`, instead was `101`.',
      );
      await rejectsWith(
        notion.blocks.children.append({ block_id: page.id, children: [para('y'.repeat(2001))] }),
        400,
        APIErrorCode.ValidationError,
        'body failed validation: body.children[0].paragraph.rich_text[0].text.content.length should be ≤ `2000`, instead was `2001`.',
      );
      const deep = { toggle: { rich_text: [], children: [{ toggle: { rich_text: [], children: [para('too deep')] } }] } };
      await rejectsWith(
        notion.blocks.children.append({ block_id: page.id, children: [deep] as never }),
        400,
        APIErrorCode.ValidationError,
        /^body failed validation: body\.children\[0\]\.toggle\.children\[0\]\.toggle\.children should be not present/,
      );
      assert.equal(fake.pageBlocks(page.id).length, 0);
    });

    it('deletes blocks', async () => {
      const page = fake.addPage({ title: 'Doc', markdown: 'a\n\nb' });
      const [first] = fake.pageBlocks(page.id);
      const deleted = await notion.blocks.delete({ block_id: first.id });
      assert.ok(isFullBlock(deleted));
      assert.equal(deleted.in_trash, true);
      assert.equal(fake.pageMarkdown(page.id), 'b');
      const again = await notion.blocks.retrieve({ block_id: first.id });
      assert.ok(isFullBlock(again) && again.in_trash);
    });
  });

  describe('databases, queries and search', () => {
    it('creates a database, adds rows through its data source and queries them with filters and pagination', async () => {
      const parent = fake.addPage({ title: 'Home' });
      const db = await notion.databases.create({
        parent: { type: 'page_id', page_id: parent.id },
        title: [{ type: 'text', text: { content: 'connections' } }],
        initial_data_source: { properties: { Name: { title: {} }, Key: { rich_text: {} } } },
      });
      assert.ok('data_sources' in db);
      const dataSourceId = db.data_sources[0].id;
      const ds = await notion.dataSources.retrieve({ data_source_id: dataSourceId });
      assert.ok('title' in ds);
      assert.deepEqual(Object.keys(ds.properties).sort(), ['Key', 'Name']);

      for (let i = 0; i < 5; i++) {
        await notion.pages.create({
          parent: { type: 'data_source_id', data_source_id: dataSourceId },
          properties: {
            Name: { title: [{ text: { content: `Row ${i}` } }] },
            Key: { rich_text: [{ text: { content: i % 2 ? 'odd' : 'even' } }] },
          },
        });
      }
      const viaDatabaseId = (await notion.pages.create({
        parent: { database_id: db.id },
        properties: { Name: { title: [{ text: { content: 'Extra' } }] } },
      })) as PageObjectResponse;
      assert.deepEqual(viaDatabaseId.parent, { type: 'data_source_id', data_source_id: dataSourceId, database_id: db.id });

      const odd = await notion.dataSources.query({
        data_source_id: dataSourceId,
        filter: { property: 'Key', rich_text: { equals: 'odd' } },
      });
      assert.deepEqual(
        odd.results.map((r) => titleOf(r as PageObjectResponse)),
        ['Row 1', 'Row 3'],
      );
      const contains = await notion.dataSources.query({
        data_source_id: dataSourceId,
        filter: { property: 'Name', title: { contains: 'row' } },
      });
      assert.equal(contains.results.length, 5);

      const first = await notion.dataSources.query({ data_source_id: dataSourceId, page_size: 4 });
      assert.equal(first.results.length, 4);
      assert.equal(first.has_more, true);
      assert.ok(first.next_cursor);
      const second = await notion.dataSources.query({ data_source_id: dataSourceId, page_size: 4, start_cursor: first.next_cursor });
      assert.equal(second.results.length, 2);
      assert.equal(second.has_more, false);
      assert.equal(second.next_cursor, null);
      const all = await collectPaginatedAPI(notion.dataSources.query, { data_source_id: dataSourceId, page_size: 2 });
      assert.equal(all.length, 6);
      await rejectsWith(
        notion.dataSources.query({ data_source_id: dataSourceId, page_size: 101 }),
        400,
        APIErrorCode.ValidationError,
        'body failed validation: body.page_size should be ≤ `100`, instead was `101`.',
      );
    });

    it('seeds databases with rows and resolves the data source from databases.retrieve', async () => {
      const db = fake.addDatabase({
        title: 'Reading List',
        properties: { Name: { title: {} }, Done: { checkbox: {} } },
        rows: [
          { Name: 'A', Done: true },
          { Name: 'B', Done: false },
        ],
      });
      const retrieved = await notion.databases.retrieve({ database_id: db.id.replace(/-/g, '') });
      assert.ok('data_sources' in retrieved);
      assert.equal(retrieved.data_sources[0].id, db.dataSourceId);
      const done = await notion.dataSources.query({
        data_source_id: db.dataSourceId,
        filter: { property: 'Done', checkbox: { equals: true } },
      });
      assert.deepEqual(
        done.results.map((r) => titleOf(r as PageObjectResponse)),
        ['A'],
      );
      await rejectsWith(
        notion.databases.retrieve({ database_id: fake.addPage({ title: 'p' }).id }),
        400,
        APIErrorCode.ValidationError,
        /is a page, not a database/,
      );
    });

    it('searches pages and data sources with filters and pagination', async () => {
      for (let i = 0; i < 3; i++) fake.addPage({ title: `Project ${i}` });
      fake.addPage({ title: 'Project hidden', shared: false, personAccess: false });
      fake.addDatabase({ title: 'Project tracker' });
      const pagesOnly = await notion.search({ query: 'project', filter: { property: 'object', value: 'page' } });
      assert.equal(pagesOnly.results.length, 3);
      assert.ok(pagesOnly.results.every((r) => r.object === 'page'));
      const sources = await notion.search({ query: 'project', filter: { property: 'object', value: 'data_source' } });
      assert.deepEqual(
        sources.results.map((r) => r.object),
        ['data_source'],
      );
      const first = await notion.search({ query: 'Project', page_size: 3 });
      assert.equal(first.has_more, true);
      const rest = await notion.search({ query: 'Project', page_size: 3, start_cursor: first.next_cursor ?? undefined });
      assert.equal(rest.results.length, 1);
      assert.equal(rest.has_more, false);
    });
  });

  describe('failures and rate limits', () => {
    it('lets the SDK retry an injected 500 on GET but not on PATCH', async () => {
      const page = fake.addPage({ title: 'Doc' });
      fake.failNext({ method: 'GET', path: /\/v1\/pages\// }, { status: 500, code: 'internal_server_error', message: 'Boom' });
      const got = await notion.pages.retrieve({ page_id: page.id });
      assert.equal(got.id, page.id);
      assert.equal(fake.requests.filter((r) => r.path.startsWith('/v1/pages/')).length, 2);

      fake.failNext(
        { path: /\/markdown$/ },
        { status: 409, code: 'conflict_error', message: 'Conflict occurred while saving. Please try again.' },
      );
      await rejectsWith(
        patchMarkdown(notion, page.id, { type: 'replace_content', replace_content: { new_str: 'x' } }),
        409,
        APIErrorCode.ConflictError,
        /Conflict occurred/,
      );
    });

    it('returns 429 rate_limited beyond the per-second budget and the SDK retries until it succeeds', async () => {
      const limited = await startNotionFake({ rateLimitPerSecond: 3 });
      try {
        const client = clientFor(limited);
        const results = await Promise.all(Array.from({ length: 5 }, () => client.users.me({})));
        assert.equal(results.length, 5);
        assert.ok(limited.rateLimitedCount >= 2, `rate limited ${limited.rateLimitedCount} times`);
        const raw = await fetch(`${limited.url}/v1/users/me`, {
          headers: { authorization: `Bearer ${TOKEN}`, 'notion-version': '2026-03-11' },
        });
        const burst = await Promise.all(
          Array.from({ length: 4 }, () =>
            fetch(`${limited.url}/v1/users/me`, { headers: { authorization: `Bearer ${TOKEN}`, 'notion-version': '2026-03-11' } }),
          ),
        );
        const rejected = [raw, ...burst].filter((r) => r.status === 429);
        assert.ok(rejected.length >= 1);
        assert.equal(rejected[0].headers.get('retry-after'), '1');
        assert.equal(((await rejected[0].json()) as { code: string }).code, 'rate_limited');
      } finally {
        await limited.close();
      }
    });

    it('waits latencyMs before answering', async () => {
      fake.latencyMs = 50;
      try {
        const started = Date.now();
        await notion.users.me({});
        assert.ok(Date.now() - started >= 45);
      } finally {
        fake.latencyMs = 0;
      }
    });
  });
});
