// The connection form's host side, driven the way its webview drives it: protocol messages into
// ConnectionFormController.handle, every message it posts back recorded. The services behind it are the
// real ones of the running extension, talking to the loopback stand-ins.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { FormState, HostMessage, ResultView, ValidationResult } from '../../src/views/connectionProtocol';
import { openConnectionPanel, type ConnectionFormController } from '../../src/views/connectionPanel';
import type { VisenTestApi } from '../../src/extension';
import type { Connection } from '../../src/services/connections/connection';
import { FakeWebview } from './support/fakeWebview';
import { GEMINI_KEY, NOTION_SECRET, OPENAI_KEY, useStage, setSetting, visenLog } from './support/visen';

const KEYS = [NOTION_SECRET, GEMINI_KEY, OPENAI_KEY];

/** Plays the connection form's webview. */
class ConnectionWebview extends FakeWebview<HostMessage, FormState, ConnectionFormController> {
  /** The connections step 1 made this form show (the panel's `onConnection`). */
  readonly adopted: Connection[];

  constructor(api: VisenTestApi, connectionId?: string) {
    const adopted: Connection[] = [];
    // Built by the extension's bundle, so the errors its services throw are the classes the controller knows.
    super((post) => api.forms.connection(post, { connectionId, onConnection: (c) => adopted.push(c) }));
    this.adopted = adopted;
  }

  validate(connectionType: 'page' | 'database', url: string): Promise<ValidationResult> {
    return this.request<ValidationResult>({ type: 'validate', connectionType, url });
  }

  lastResult(): ResultView | undefined {
    return this.of('result').at(-1)?.result;
  }
}

describe('Connection form (webview panel host)', () => {
  /** Every form of every test: at the end, none may have posted a key. */
  const forms: ConnectionWebview[] = [];
  const stage = useStage({
    keys: { notion: NOTION_SECRET, gemini: GEMINI_KEY, openai: OPENAI_KEY },
    beforeClose: () => forms.forEach((f) => f.controller.dispose()),
  });

  const form = async (connectionId?: string) => {
    const webview = new ConnectionWebview(stage.api, connectionId);
    forms.push(webview);
    await webview.send({ type: 'ready' });
    return webview;
  };

  /** Step 1 done for a fresh page: the form at step 2. */
  const connected = async (title = 'Launch Plan', markdown?: string) => {
    const page = stage.notion.addPage({ title, markdown });
    const webview = await form();
    const { connectionId } = await webview.request<{ connectionId: string }>({
      type: 'create',
      name: '',
      connectionType: 'page',
      url: page.url,
    });
    return { page, webview, connectionId };
  };

  it('answers ready with the whole state, and tells which keys are set without their values', async () => {
    await stage.api.secrets.delete('visen.openai.apiKey');
    const webview = await form();
    const state = webview.state;
    assert.strictEqual(state.connection, undefined, 'a new connection starts at step 1');
    assert.strictEqual(state.notionSecretSet, true);
    // VS Code's own models need no key: that engine is always ready as far as keys go.
    assert.deepStrictEqual(
      state.engines.map((e) => [e.kind, e.keySet]),
      [
        ['gemini', true],
        ['openai', false],
        ['vscode-lm', true],
      ],
    );
    assert.strictEqual(state.engines[1].setKey.command, 'visen.setOpenAIKey');
  });

  it('refuses invalid messages: requests get an error reply, others a rejection; nothing runs; the log names the type', async () => {
    const webview = await form();
    const before = webview.posted.length;
    for (const bad of [
      null,
      'ready',
      { type: 'launchMissiles' },
      { type: 'generate', prompt: 42, engine: 'gemini', model: 'm', writeMode: 'append' },
      { type: 'generate', prompt: '   ', engine: 'gemini', model: 'm', writeMode: 'append' },
      { type: 'generate', prompt: 'ok', engine: 'claude', model: 'm', writeMode: 'append' },
      { type: 'validate', requestId: 1, connectionType: 'page', url: 'https://www.notion.so/x', extra: true },
      { type: 'validate', requestId: -1, connectionType: 'page', url: 'https://www.notion.so/x' },
      { type: 'runCommand', command: 'workbench.action.terminal.new' },
      { type: 'openInNotion', recordId: 'x'.repeat(1000) },
    ]) {
      await webview.send(bad);
    }
    const answers = webview.posted.slice(before) as unknown as Array<{ type: string; requestId?: number; ok?: boolean }>;
    assert.deepStrictEqual(
      answers.map((m) => m.type),
      ['rejected', 'rejected', 'rejected', 'rejected', 'reply', 'rejected', 'rejected', 'rejected'],
    );
    assert.deepStrictEqual(
      answers.filter((m) => m.type === 'reply').map((m) => [m.requestId, m.ok]),
      [[1, false]],
    );
    assert.strictEqual(stage.gemini.requests.length, 0, 'nothing was generated');
    assert.match(await visenLog(stage.api), /Connection form: refused an invalid message "launchMissiles"/);
  });

  it('answers an over-long link and prompt with an error next to the field, instead of leaving the page waiting', async () => {
    const webview = await form();
    const reply = await webview.reply({ type: 'validate', connectionType: 'page', url: `https://www.notion.so/${'a'.repeat(2_001 - 22)}` });
    assert.deepStrictEqual(reply, {
      type: 'reply',
      requestId: reply.requestId,
      ok: false,
      error: 'The link is too long (2,001 characters; at most 2,000).',
      field: 'url',
    });
    const before = webview.posted.length;
    await webview.send({ type: 'generate', prompt: 'p'.repeat(100_001), engine: 'gemini', model: 'gemini-2.5-flash', writeMode: 'append' });
    assert.deepStrictEqual(webview.posted.slice(before), [
      {
        type: 'rejected',
        messageType: 'generate',
        error: 'The prompt is too long (100,001 characters; at most 100,000).',
        field: 'prompt',
      },
    ]);
  });

  describe('step 1', () => {
    it('checks a page URL and shows its title', async () => {
      const page = stage.notion.addPage({ title: 'Launch Plan' });
      const webview = await form();
      const result = await webview.validate('page', `${page.url}?pvs=4`);
      assert.ok(result.ok);
      assert.strictEqual(result.title, 'Launch Plan');
      assert.strictEqual(result.existingConnection, undefined);
    });

    it('explains an unshared page, a database given for a page, a page given for a database and a foreign link', async () => {
      const hidden = stage.notion.addPage({ title: 'Hidden', shared: false });
      const db = stage.notion.addDatabase({ title: 'Tasks' });
      const page = stage.notion.addPage({ title: 'Plain Page' });
      const webview = await form();

      const unshared = await webview.validate('page', hidden.url);
      assert.ok(!unshared.ok && unshared.problem === 'notShared', JSON.stringify(unshared));
      assert.match(unshared.message, /••• → Connections/);

      const database = await webview.validate('page', db.url);
      assert.ok(!database.ok && database.problem === 'isDatabase', JSON.stringify(database));
      assert.match(database.message, /"Tasks" is a Notion database, not a page/);

      const pageForDatabase = await webview.validate('database', page.url);
      assert.ok(!pageForDatabase.ok && pageForDatabase.problem === 'isPage', JSON.stringify(pageForDatabase));
      assert.match(pageForDatabase.message, /"Plain Page" is a Notion page, not a database/);

      const foreign = await webview.validate('page', 'https://example.com/Page-0123456789abcdef0123456789abcdef');
      assert.ok(!foreign.ok && foreign.problem === 'notNotion', JSON.stringify(foreign));
      assert.match(foreign.message, /not a Notion link/);

      const good = await webview.validate('database', db.url);
      assert.ok(good.ok && good.title === 'Tasks', JSON.stringify(good));
    });

    it('asks for the Notion secret with a button that sets it', async () => {
      await stage.api.secrets.delete('visen.notion.secret');
      const page = stage.notion.addPage({ title: 'Anything' });
      const webview = await form();
      assert.strictEqual(webview.state.notionSecretSet, false);
      const result = await webview.validate('page', page.url);
      assert.ok(!result.ok && result.problem === 'noSecret', JSON.stringify(result));
      assert.strictEqual(result.action?.command, 'visen.setNotionSecret');
    });

    it('Next creates the connection, named after the page when no name was given, and moves to step 2', async () => {
      const { page, webview, connectionId } = await connected('Launch Plan');
      const connection = stage.api.connections.get(connectionId);
      assert.ok(connection);
      assert.strictEqual(connection.name, 'Launch Plan');
      assert.strictEqual(connection.type, 'page');
      assert.strictEqual(connection.target.id, page.id);
      assert.deepStrictEqual(
        webview.adopted.map((c) => c.id),
        [connectionId],
        "the panel becomes this connection's",
      );
      assert.strictEqual(webview.state.connection?.id, connectionId);
      assert.deepStrictEqual(webview.state.history, []);

      // The same page again: the existing connection is offered and reused.
      const again = await form();
      const check = await again.validate('page', page.url);
      assert.ok(check.ok && check.existingConnection === 'Launch Plan');
      const reused = await again.request<{ connectionId: string }>({
        type: 'create',
        name: 'Other name',
        connectionType: 'page',
        url: page.url,
      });
      assert.strictEqual(reused.connectionId, connectionId);
      assert.strictEqual(stage.api.connections.list().length, 1);
    });

    it('creates a database connection with the given name', async () => {
      const db = stage.notion.addDatabase({ title: 'Reading List' });
      const webview = await form();
      const { connectionId } = await webview.request<{ connectionId: string }>({
        type: 'create',
        name: 'Books',
        connectionType: 'database',
        url: db.url,
      });
      const connection = stage.api.connections.get(connectionId)!;
      assert.strictEqual(connection.name, 'Books');
      assert.strictEqual(connection.type, 'database');
      assert.strictEqual(connection.target.title, 'Reading List');
    });
  });

  describe('step 2', () => {
    it('streams the text as the model writes, reports blocks written, and ends with the result', async () => {
      stage.openai.chunkDelayMs = 20;
      try {
        const { page, webview, connectionId } = await connected('Launch Plan', 'Written by hand.');
        await webview.send({
          type: 'generate',
          prompt: 'A launch plan for a small app',
          engine: 'openai',
          model: 'gpt-4o-mini',
          writeMode: 'append',
        });
        // OpenAI was chosen for this connection: that is the engine that answered.
        assert.strictEqual(stage.openai.requests.filter((r) => /chat\/completions/.test(r.path)).length, 1);

        const started = webview.of('runStarted');
        assert.strictEqual(started.length, 1);
        const texts = webview.of('text');
        assert.ok(texts.length > 1, `the text arrived in pieces (${texts.length})`);
        const record = stage.api.generations.latest()!;
        assert.strictEqual(texts.map((t) => t.text).join(''), record.markdown, 'the pieces are the whole text');
        assert.ok(
          webview.of('progress').some((p) => /^\d+ of \d+ blocks in Notion$/.test(p.progress.label)),
          'progress in blocks',
        );
        const order = webview.posted.map((m) => m.type);
        assert.ok(order.lastIndexOf('text') < order.indexOf('result'), 'the result comes after the text');

        const result = webview.lastResult()!;
        assert.strictEqual(result.status, 'written');
        assert.match(result.message, /^Wrote \d+ blocks? to "Launch Plan"\.$/);
        assert.ok(result.canOpen && !result.canRetry);

        const blocks = stage.notion.pageBlocks(page.id);
        assert.strictEqual(record.writtenBlocks, record.blocks, 'every block was written');
        assert.strictEqual(blocks[0].type, 'paragraph', 'appended after what was there');
        for (const type of ['heading_1', 'bulleted_list_item', 'code', 'table']) {
          assert.ok(
            blocks.some((b) => b.type === type),
            `the page has a ${type}`,
          );
        }

        const saved = stage.api.connections.get(connectionId)!;
        assert.deepStrictEqual(
          [saved.engine, saved.model, saved.writeMode],
          ['openai', 'gpt-4o-mini', 'append'],
          'the choices are kept on the connection',
        );
        assert.strictEqual(saved.usage.prompts, 1);

        assert.strictEqual(webview.posted.at(-1)?.type, 'state', 'a fresh state follows the result');
        const item = webview.state.history[0];
        assert.strictEqual(item.prompt, 'A launch plan for a small app');
        assert.strictEqual(item.status, 'written');
        assert.ok(item.canUndo, 'the latest written generation can be undone');
        assert.match(item.engine, /OpenAI · gpt-4o-mini/);
        assert.strictEqual(webview.state.connection?.lastPrompt, 'A launch plan for a small app');

        const content = await webview.request<string>({ type: 'historyContent', recordId: item.id });
        assert.strictEqual(content, record.markdown);

        await webview.send({ type: 'openInNotion', recordId: item.id });
        await webview.send({ type: 'openInNotion' });
        assert.deepStrictEqual(stage.ui.opened, [page.url, page.url]);
      } finally {
        stage.openai.chunkDelayMs = 0;
      }
    });

    it('Generate on a database connection adds a new entry: mapped properties asked for once, then written with the body', async () => {
      // Gemini answers JSON of the requested schema for the entry's values, markdown for its body.
      stage.gemini.respondWith((req) => {
        const schema = req.generationConfig?.responseJsonSchema as { properties?: Record<string, unknown> } | undefined;
        const wanted = Object.keys(schema?.properties ?? {});
        if (wanted.length === 0) return `## Notes\n\nA body for: ${req.prompt}`;
        const values: Record<string, unknown> = { Name: 'Dune Messiah', Genre: 'Science', Pages: 256 };
        return JSON.stringify(Object.fromEntries(wanted.map((k) => [k, values[k]])));
      });
      const db = stage.notion.addDatabase({
        title: 'Reading List',
        properties: {
          Name: { title: {} },
          Genre: { select: { options: [{ name: 'Fiction' }, { name: 'Science' }] } },
          Pages: { number: {} },
        },
      });
      const webview = await form();
      const { connectionId } = await webview.request<{ connectionId: string }>({
        type: 'create',
        name: '',
        connectionType: 'database',
        url: db.url,
      });
      stage.ui.multiPicks.push((item) => ['Genre', 'Pages'].includes(item.label));
      await webview.send({
        type: 'generate',
        prompt: 'A sequel to "Dune"',
        engine: 'gemini',
        model: 'gemini-2.5-flash',
        writeMode: 'append',
      });

      const result = webview.lastResult()!;
      assert.strictEqual(result.status, 'written', JSON.stringify(result));
      assert.match(result.message, /^Wrote \d+ blocks? to "Dune Messiah"\.$/);
      assert.ok(
        stage.ui.pickOffers.some((offer) => offer.some((i) => i.label === 'Genre')),
        'the properties to fill were offered',
      );
      const created = stage.notion.requests.filter((r) => r.method === 'POST' && r.path === '/v1/pages');
      assert.strictEqual(created.length, 1, 'one new entry');
      const body = created[0].body as { parent: { data_source_id: string }; properties: Record<string, any> };
      assert.strictEqual(body.parent.data_source_id, db.dataSourceId);
      assert.strictEqual(body.properties.Name.title[0].text.content, 'Dune Messiah');
      assert.strictEqual(body.properties.Genre.select.name, 'Science');
      assert.strictEqual(body.properties.Pages.number, 256);
      const record = stage.api.generations.latest()!;
      assert.strictEqual(record.connectionId, connectionId);
      assert.match(stage.notion.pageMarkdown(record.page.id), /A body for: A sequel to "Dune"/);
      assert.deepStrictEqual(stage.api.connections.get(connectionId)!.mappedProperties, ['Genre', 'Pages'], 'the mapping is remembered');
      assert.strictEqual(webview.state.history[0]?.status, 'written');

      // The second entry asks nothing: the mapping is the connection's.
      const offers = stage.ui.pickOffers.length;
      await webview.send({ type: 'generate', prompt: 'Another sequel', engine: 'gemini', model: 'gemini-2.5-flash', writeMode: 'append' });
      assert.strictEqual(webview.lastResult()?.status, 'written');
      assert.strictEqual(stage.ui.pickOffers.length, offers, 'no question the second time');
      assert.strictEqual(stage.notion.requests.filter((r) => r.method === 'POST' && r.path === '/v1/pages').length, 2);
    });

    it('Cancel really stops the model, and keeps what was generated', async () => {
      stage.gemini.respondWith(() => Array.from({ length: 300 }, (_, i) => `Paragraph ${i}.`).join('\n\n'));
      stage.gemini.chunkDelayMs = 10;
      try {
        const { webview } = await connected('Cancel Me');
        const generating = webview.send({
          type: 'generate',
          prompt: 'Write a lot',
          engine: 'gemini',
          model: 'gemini-2.5-flash',
          writeMode: 'append',
        });
        await webview.waitFor('some text', () => webview.of('text').length > 0);
        await webview.send({ type: 'cancel' });
        await generating;
        const result = webview.lastResult()!;
        assert.strictEqual(result.status, 'cancelled');
        assert.match(result.message, /Generation cancelled/);
        const record = stage.api.generations.latest()!;
        assert.strictEqual(record.status, 'cancelled');
        assert.ok(record.markdown.length > 0 && !record.markdown.includes('Paragraph 299'), 'stopped early');
      } finally {
        stage.gemini.chunkDelayMs = 0;
      }
    });

    it('Retry Write writes what Notion refused, without generating again', async () => {
      const { page, webview } = await connected('Flaky Write');
      stage.notion.failNext(
        { method: 'PATCH', path: /\/children$/ },
        { status: 500, code: 'internal_server_error', message: 'Internal error.' },
        2,
      );
      await webview.send({ type: 'generate', prompt: 'Write', engine: 'gemini', model: 'gemini-2.5-flash', writeMode: 'append' });
      const failed = webview.lastResult()!;
      assert.strictEqual(failed.status, 'writeFailed');
      assert.ok(failed.canRetry && failed.recordId);
      assert.match(failed.message, /generated but Notion did not take all of it/);

      await webview.send({ type: 'retryWrite', recordId: failed.recordId });
      const retried = webview.lastResult()!;
      assert.strictEqual(retried.status, 'written', retried.message);
      assert.strictEqual(stage.gemini.requests.filter((r) => /GenerateContent/i.test(r.path)).length, 1, 'generated once');
      assert.strictEqual(stage.notion.pageBlocks(page.id).filter((b) => b.type === 'heading_1').length, 1, 'nothing twice');
      assert.strictEqual(stage.api.generations.get(failed.recordId)!.status, 'written');
    });

    it('says which key is missing, with the button that sets it, and generates nothing', async () => {
      await stage.api.secrets.delete('visen.gemini.apiKey');
      const { webview } = await connected('No Key');
      assert.strictEqual(webview.state.engines.find((e) => e.kind === 'gemini')?.keySet, false);
      await webview.send({ type: 'generate', prompt: 'Write', engine: 'gemini', model: 'gemini-2.5-flash', writeMode: 'append' });
      const result = webview.lastResult()!;
      assert.strictEqual(result.status, 'missingKey');
      assert.deepStrictEqual(result.action, { command: 'visen.setGeminiKey', label: 'Set Gemini API Key' });
      assert.strictEqual(stage.gemini.requests.length, 0);
    });

    it('offers to set the key of the engine that rejected it', async () => {
      for (const [engine, key, model, command, label] of [
        ['openai', 'visen.openai.apiKey', 'gpt-4.1-mini', 'visen.setOpenAIKey', 'Set OpenAI API Key'],
        ['gemini', 'visen.gemini.apiKey', 'gemini-2.5-flash', 'visen.setGeminiKey', 'Set Gemini API Key'],
      ] as const) {
        await stage.api.secrets.store(key, `revoked-${engine}-key`);
        const { webview } = await connected(`Rejected ${engine}`);
        await webview.send({ type: 'generate', prompt: 'Write', engine, model, writeMode: 'append' });
        const result = webview.lastResult()!;
        assert.strictEqual(result.status, 'failed', result.message);
        assert.deepStrictEqual(result.action, { command, label }, result.message);
      }
    });

    it('saves the engine, model and write mode chosen for the connection', async () => {
      const { webview, connectionId } = await connected('Settings');
      await webview.send({ type: 'settings', engine: 'openai' });
      assert.strictEqual(stage.api.connections.get(connectionId)!.engine, 'openai');
      await webview.send({ type: 'settings', model: 'gpt-4.1' });
      await webview.send({ type: 'settings', writeMode: 'replace' });
      const saved = stage.api.connections.get(connectionId)!;
      assert.deepStrictEqual([saved.engine, saved.model, saved.writeMode], ['openai', 'gpt-4.1', 'replace']);
      await webview.waitFor(
        'a state with the choices',
        () => webview.state.connection?.writeMode === 'replace' && webview.state.connection.model === 'gpt-4.1',
      );
    });

    it("After a heading: the page's headings for the select, and Generate writes right after the one chosen", async () => {
      const { page, webview } = await connected('Sections', '# Intro\n\nHello.\n\n## Target\n\nUnder the target.');
      const before = stage.notion.pageBlocks(page.id).map((b) => b.id);
      const headings = await webview.request({ type: 'headings' });
      const offers = stage.ui.pickOffers.length;
      assert.deepStrictEqual(headings, [
        { id: before[0], level: 1, text: 'Intro' },
        { id: before[2], level: 2, text: 'Target' },
      ]);
      await webview.send({
        type: 'generate',
        prompt: 'More',
        engine: 'gemini',
        model: 'gemini-2.5-flash',
        writeMode: 'afterHeading',
        heading: before[0],
      });
      await webview.waitFor('the result', () => webview.of('result').length === 1);
      const record = stage.api.generations.latest()!;
      assert.strictEqual(record.status, 'written', record.error);
      assert.deepStrictEqual(
        stage.notion.pageBlocks(page.id).map((b) => b.id),
        [before[0], ...record.blockIds!, ...before.slice(1)],
      );
      assert.strictEqual(stage.ui.pickOffers.length, offers, 'the form chose the heading: nothing asked');
    });

    it('Undo takes back what the generation wrote after a confirmation', async () => {
      await setSetting('writeMode', 'replace');
      const { page, webview } = await connected('Replace Me', 'Old content that matters.');
      await webview.send({ type: 'generate', prompt: 'Something new', engine: 'gemini', model: 'gemini-2.5-flash', writeMode: 'replace' });
      assert.ok(!stage.notion.pageMarkdown(page.id).includes('Old content'), 'replaced');
      await webview.waitFor('the history', () => webview.state.history.length === 1);
      const item = webview.state.history[0];

      stage.ui.respond = () => undefined;
      assert.deepStrictEqual(await webview.request({ type: 'undo', recordId: item.id }), { undone: false }, 'dismissed: nothing happens');
      stage.ui.respond = (m) => (m.level === 'confirm' ? 'Undo' : undefined);
      assert.deepStrictEqual(await webview.request({ type: 'undo', recordId: item.id }), { undone: true });
      assert.match(stage.notion.pageMarkdown(page.id), /Old content that matters\./);
      await webview.waitFor('the history marks it undone', () => webview.state.history[0]?.undone === true);
      assert.strictEqual(webview.state.history[0].canUndo, false);
    });

    it('opens an existing connection at step 2 and refuses records of other connections', async () => {
      const first = await connected('First');
      await first.webview.send({ type: 'generate', prompt: 'One', engine: 'gemini', model: 'gemini-2.5-flash', writeMode: 'append' });
      const other = await connected('Second');
      const reopened = await form(other.connectionId);
      assert.strictEqual(reopened.state.connection?.name, 'Second');
      const foreign = stage.api.generations.latest()!;
      await reopened.send({ type: 'historyContent', requestId: 99, recordId: foreign.id });
      const reply = reopened.of('reply').find((r) => r.requestId === 99)!;
      assert.ok(!reply.ok, "a record of another connection is not this form's to read");
    });
  });

  it('opens one panel per connection and reveals it instead of a second', async () => {
    const { connectionId } = await connected('Panel Page');
    const formTabs = () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('visen.connection'));
    const webview = new ConnectionWebview(stage.api);
    await vscode.commands.executeCommand('visen.openConnection', connectionId);
    await webview
      .waitFor('the tab', () => formTabs().length > 0, 5000)
      .catch(() => {
        const all = vscode.window.tabGroups.all
          .flatMap((g) => g.tabs)
          .map((t) => `${t.label} (${t.input instanceof vscode.TabInputWebview ? t.input.viewType : typeof t.input})`);
        assert.fail(`no connection form among the tabs: ${all.join(', ')}; errors shown: ${JSON.stringify(stage.ui.messages)}`);
      });
    await vscode.commands.executeCommand('visen.openConnection', connectionId);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepStrictEqual(
      formTabs().map((t) => t.label),
      ['Visen: Panel Page'],
    );
    webview.controller.dispose();
    await vscode.window.tabGroups.close(formTabs());

    // The page it loads: a strict CSP, scripts by nonce only.
    const { extensionUri } = vscode.extensions.getExtension('visen.visen')!;
    const panel = openConnectionPanel(stage.api, extensionUri, stage.api.connections.get(connectionId));
    try {
      assert.strictEqual(panel.title, 'Visen: Panel Page');
      assert.match(panel.webview.html, /default-src 'none'/);
      assert.match(panel.webview.html, /script-src 'nonce-[A-Za-z0-9+/=]+'/);
      assert.doesNotMatch(panel.webview.html, /unsafe-(inline|eval)/);
      assert.match(panel.webview.html, /shared\/form\.css[\s\S]*connection\.css/, "the shared controls first, then the form's own styles");
      assert.deepStrictEqual(
        panel.webview.options.localResourceRoots?.map((u) => u.path.split('/').slice(-2).join('/')),
        ['dist/webview', `${extensionUri.path.split('/').pop()}/media`],
      );
    } finally {
      panel.dispose();
    }
  });

  // Last (mocha runs a suite's own tests before its nested suites): every form of every test above.
  describe('privacy', () => {
    it('never posts a key to the webview', () => {
      const posted = forms.flatMap((f) => f.posted.map((m) => JSON.stringify(m)));
      assert.ok(posted.length > 50, `messages were recorded (${posted.length})`);
      for (const text of posted) {
        for (const key of KEYS) assert.ok(!text.includes(key), `a posted message holds a key: ${text.slice(0, 200)}`);
      }
    });
  });
});
