import * as assert from 'assert';
import * as vscode from 'vscode';
import type { GenerationRecord } from '../../src/services/generation/generationRecord';
import { geminiErrors } from '../fakes/geminiFake';
import { assertEveryKind } from '../support/answerBlocks';
import { connectPage, GEMINI_KEY, NOTION_SECRET, OPENAI_KEY, useStage, setSetting, visenLog } from './support/visen';

describe('Generate to Notion Page', () => {
  const stage = useStage({ keys: { notion: NOTION_SECRET, gemini: GEMINI_KEY, openai: OPENAI_KEY } });

  const latest = (): GenerationRecord => stage.api.generations.latest()!;
  const markdownWrites = () => stage.notion.requests.filter((r) => r.method === 'PATCH' && /\/markdown$/.test(r.path));

  it('checks the page, asks for the prompt, streams native blocks into it and offers to open it', async () => {
    const page = stage.notion.addPage({ title: 'Launch Plan', markdown: 'Written by hand.' });
    stage.ui.inputs.push(`${page.url}?pvs=4`, '', 'A launch plan for a small app');
    stage.ui.respond = (m) => (m.level === 'info' ? 'Open in Notion' : undefined);
    await vscode.commands.executeCommand('visen.generateToPage');

    assert.strictEqual(stage.ui.asked.length, 2, 'URL, then prompt');
    assert.match(stage.ui.asked[1].title, /Launch Plan/, 'the prompt box names the checked page');
    assert.deepStrictEqual(stage.ui.asked[1].problems, ['Type what Visen should write.']);
    const done = stage.ui.last('info')!;
    assert.match(done.message, /^Wrote \d+ blocks? to "Launch Plan"\.$/);
    assert.deepStrictEqual(stage.ui.opened, [page.url]);

    const types = stage.notion.pageBlocks(page.id).map((b) => b.type);
    assert.strictEqual(types[0], 'paragraph', 'appended after what was there');
    assertEveryKind(types);
    const record = latest();
    assert.strictEqual(record.status, 'written');
    assert.strictEqual(record.engine, 'gemini');
    assert.strictEqual(record.prompt, 'A launch plan for a small app');
    assert.ok(record.usage && record.usage.outputTokens > 0, 'tokens are counted');
    assert.deepStrictEqual(
      record.blockIds,
      stage.notion
        .pageBlocks(page.id)
        .slice(1)
        .map((b) => b.id),
      'the ids of the blocks written are kept',
    );
    assert.strictEqual(markdownWrites().length, 0, 'model output never goes through the markdown endpoint');
    assert.ok(/Undo/.test(done.actions?.join(' ') ?? ''), 'the completion message offers Undo');
    assert.ok(
      stage.ui.progressReports.some((p) => /blocks in Notion/.test(p)),
      'progress was reported',
    );
    const geminiBody = JSON.stringify(stage.gemini.requests.at(-1)?.body);
    assert.match(geminiBody, /A launch plan for a small app/);
  });

  it('offers the connections first, and checks the chosen page again', async () => {
    const page = stage.notion.addPage({ title: 'Weekly Notes' });
    await connectPage(stage.api, page);
    stage.ui.picks.push((item) => item.label.includes('Weekly Notes'));
    stage.ui.inputs.push('Notes for this week');
    await vscode.commands.executeCommand('visen.generateToPage');
    const offered = stage.ui.pickOffers[0].map((i) => i.label);
    assert.ok(offered[0].includes('Weekly Notes'));
    assert.ok(offered.some((l) => /Paste a Notion page URL/.test(l)));
    assert.ok(
      stage.notion.requests.some((r) => (r.method === 'GET' && r.path.includes(page.id.replace(/-/g, ''))) || r.path.includes(page.id)),
      'the page was checked',
    );
    assert.match(stage.ui.last('info')!.message, /Wrote \d+ blocks? to "Weekly Notes"/);
  });

  it('uses a link typed or pasted into the picker as it is: checked, then the prompt', async () => {
    await connectPage(stage.api, stage.notion.addPage({ title: 'Weekly Notes' }));
    const page = stage.notion.addPage({ title: 'Pasted Page' });
    stage.ui.picks.push(`${page.url}?pvs=4`);
    stage.ui.inputs.push('Notes for the pasted page');
    await vscode.commands.executeCommand('visen.generateToPage');
    assert.ok(
      stage.ui.pickOffers[0].some((i) => /Paste a Notion page URL/.test(i.label)),
      'the picker offers the paste',
    );
    assert.strictEqual(stage.ui.asked.length, 1, 'only the prompt is asked: the link is not asked for again');
    assert.match(stage.ui.asked[0].title, /Pasted Page/);
    assert.match(stage.ui.last('info')!.message, /^Wrote \d+ blocks? to "Pasted Page"\.$/);
    assert.ok(stage.notion.pageBlocks(page.id).length > 0, 'written to the pasted page');
    assert.ok(stage.api.connections.findByTarget(page.id), 'the pasted page became a connection');
  });

  it('opens the link box with a typed link that does not pass, saying why, so it can be corrected', async () => {
    await connectPage(stage.api, stage.notion.addPage({ title: 'Weekly Notes' }));
    const hidden = stage.notion.addPage({ title: 'Hidden', shared: false });
    const page = stage.notion.addPage({ title: 'Shared Page' });
    stage.ui.picks.push(hidden.url);
    stage.ui.inputs.push(page.url, 'Notes');
    await vscode.commands.executeCommand('visen.generateToPage');
    assert.match(stage.ui.asked[0].problems[0], /••• → Connections/, "the typed link's problem is shown in the box");
    assert.match(stage.ui.last('info')!.message, /^Wrote \d+ blocks? to "Shared Page"\.$/);
  });

  it('a database link given for a page becomes a database connection and adds a new entry', async () => {
    stage.gemini.respondWith((req) => {
      const schema = req.generationConfig?.responseJsonSchema as { properties?: Record<string, unknown> } | undefined;
      const wanted = Object.keys(schema?.properties ?? {});
      return wanted.length
        ? JSON.stringify(Object.fromEntries(wanted.map((k) => [k, k === 'Name' ? 'Ship the beta' : 'High'])))
        : `Body for: ${req.prompt}`;
    });
    const db = stage.notion.addDatabase({
      title: 'Tasks',
      properties: { Name: { title: {} }, Priority: { select: { options: [{ name: 'High' }, { name: 'Low' }] } } },
    });
    stage.ui.inputs.push(db.url, 'The next task');
    stage.ui.multiPicks.push((item) => item.label === 'Priority');
    await vscode.commands.executeCommand('visen.generateToPage');

    assert.deepStrictEqual(stage.ui.asked[0].problems, [], 'the database link is taken, not refused as "not a page"');
    const connection = stage.api.connections.findByTarget(db.id)!;
    assert.ok(connection, 'the database became a connection');
    assert.strictEqual(connection.type, 'database');
    assert.deepStrictEqual(connection.mappedProperties, ['Priority']);
    const created = stage.notion.requests.filter((r) => r.method === 'POST' && r.path === '/v1/pages');
    assert.strictEqual(created.length, 1, 'a new entry');
    const body = created[0].body as { parent: { data_source_id: string }; properties: Record<string, any> };
    assert.strictEqual(body.parent.data_source_id, db.dataSourceId);
    assert.strictEqual(body.properties.Priority.select.name, 'High');
    assert.match(stage.ui.last('info')!.message, /^Wrote \d+ blocks? to "Ship the beta"\.$/);

    // Pasted into the picker this time, it finds the same connection.
    stage.ui.picks.push(db.url);
    stage.ui.multiPicks.push(undefined); // the mapping as it was
    stage.ui.inputs.push('One more task');
    await vscode.commands.executeCommand('visen.generateToPage');
    assert.strictEqual(stage.api.connections.list().filter((c) => c.type === 'database').length, 1);
    assert.strictEqual(stage.notion.requests.filter((r) => r.method === 'POST' && r.path === '/v1/pages').length, 2);
  });

  it('replaces the content in replace mode, and Undo Last Generation brings the old blocks back with their ids', async () => {
    await setSetting('writeMode', 'replace');
    const page = stage.notion.addPage({ title: 'Replace Me', markdown: 'Old content that matters.\n\nA second old paragraph.' });
    const oldIds = stage.notion.pageBlocks(page.id).map((b) => b.id);
    stage.ui.inputs.push(page.url, 'Something new');
    await vscode.commands.executeCommand('visen.generateToPage');
    assert.ok(!stage.notion.pageMarkdown(page.id).includes('Old content'), 'replaced');

    stage.ui.respond = (m) => (m.level === 'confirm' ? 'Undo' : undefined);
    await vscode.commands.executeCommand('visen.undoLastGeneration');
    const confirm = stage.ui.last('confirm')!;
    assert.match(confirm.detail ?? '', /deletes the \d+ blocks it wrote and puts back the 2 blocks it replaced/);
    assert.deepStrictEqual(
      stage.notion.pageBlocks(page.id).map((b) => b.id),
      oldIds,
      'every old block is back, with its id, in its place',
    );
    assert.match(stage.notion.pageMarkdown(page.id), /Old content that matters\./);
    assert.ok(latest().undoneAt);
  });

  it('Undo of an older run a later replace covered is refused, naming it; Undo Both takes back the newest first', async () => {
    await setSetting('writeMode', 'replace');
    const page = stage.notion.addPage({ title: 'Two Versions', markdown: 'Original text.' });
    const original = stage.notion.pageBlocks(page.id).map((b) => b.id);
    stage.gemini.respondWith(() => 'First version.');
    stage.ui.inputs.push(page.url, 'First');
    await vscode.commands.executeCommand('visen.generateToPage');
    const first = latest();
    stage.gemini.respondWith(() => 'Second version.');
    stage.ui.picks.push((item) => item.label.includes('Two Versions'));
    stage.ui.inputs.push('Second');
    await vscode.commands.executeCommand('visen.generateToPage');
    const second = latest();
    assert.notStrictEqual(first.id, second.id);

    stage.ui.respond = () => undefined;
    await vscode.commands.executeCommand('visen.undoLastGeneration', { recordId: first.id });
    assert.match(stage.ui.last('warn')!.message, /A later generation in "Two Versions" replaced what this one wrote: "Second"/);
    assert.match(stage.notion.pageMarkdown(page.id), /^Second version\.\s*$/, 'declined: nothing changed');

    stage.ui.respond = (m) => (m.level === 'warn' ? 'Undo Both' : m.level === 'confirm' ? 'Undo' : undefined);
    await vscode.commands.executeCommand('visen.undoLastGeneration', { recordId: first.id });
    assert.deepStrictEqual(
      stage.notion.pageBlocks(page.id).map((b) => b.id),
      original,
      'the page as it was, never a mixture',
    );
    assert.ok(stage.api.generations.get(first.id)!.undoneAt && stage.api.generations.get(second.id)!.undoneAt);
  });

  it('undoes an append from the completion message, naming the blocks edited since', async () => {
    const page = stage.notion.addPage({ title: 'Append Here', markdown: 'Kept by hand.' });
    const kept = stage.notion.pageBlocks(page.id).map((b) => b.id);
    stage.ui.inputs.push(page.url, 'Something to add');
    let record: GenerationRecord | undefined;
    stage.ui.respond = (m) => {
      if (m.level === 'info' && /^Wrote/.test(m.message)) {
        record = latest();
        stage.notion.editBlockAsUser(record.blockIds![1], 'Changed by a person.');
        return 'Undo';
      }
      if (m.level === 'confirm') return 'Delete Them Too';
      return undefined;
    };
    await vscode.commands.executeCommand('visen.generateToPage');
    assert.ok(latest().undoneAt, 'undone from the completion message');
    const confirm = stage.ui.last('confirm')!;
    assert.match(confirm.detail ?? '', new RegExp(`1 of the ${record!.blockIds!.length} blocks were edited since`));
    assert.deepStrictEqual(
      stage.notion.pageBlocks(page.id).map((b) => b.id),
      kept,
      'only what Visen wrote is gone',
    );
  });

  it('uses OpenAI when visen.engine is openai', async () => {
    await setSetting('engine', 'openai');
    const page = stage.notion.addPage({ title: 'Via OpenAI' });
    stage.ui.inputs.push(page.id, 'Write it');
    await vscode.commands.executeCommand('visen.generateToPage');
    assert.strictEqual(latest().engine, 'openai');
    assert.strictEqual(stage.openai.requests.filter((r) => /chat\/completions/.test(r.path)).length, 1);
    assert.match(stage.ui.last('info')!.message, /Wrote \d+ blocks?/);
  });

  describe('error paths', () => {
    it('asks for the Notion secret before anything else', async () => {
      await stage.api.secrets.delete('visen.notion.secret');
      await vscode.commands.executeCommand('visen.generateToPage');
      const error = stage.ui.last('error')!;
      assert.match(error.message, /Notion token/);
      assert.deepStrictEqual(error.actions, ['Set Notion Token', 'Show Log']);
      assert.strictEqual(stage.ui.asked.length, 0);
    });

    it('asks for the engine key before the page and prompt', async () => {
      await stage.api.secrets.delete('visen.gemini.apiKey');
      await vscode.commands.executeCommand('visen.generateToPage');
      const error = stage.ui.last('error')!;
      assert.match(error.message, /Google Gemini API key/);
      assert.strictEqual(error.actions[0], 'Set Gemini API Key');
    });

    it('explains malformed links, foreign links and unshared pages in the URL box', async () => {
      const hidden = stage.notion.addPage({ title: 'Hidden', shared: false });
      stage.ui.inputs.push(
        'not a url',
        'https://example.com/Page-0123456789abcdef0123456789abcdef',
        'https://www.notion.so/my-workspace',
        hidden.url,
      );
      await vscode.commands.executeCommand('visen.generateToPage');
      const problems = stage.ui.asked[0].problems;
      assert.strictEqual(problems.length, 4);
      assert.match(problems[1], /not a Notion link/);
      assert.match(problems[2], /does not point to a page/);
      assert.match(problems[3], /••• → Connections/);
      assert.strictEqual(stage.gemini.requests.length, 0, 'nothing generated');
      assert.strictEqual(markdownWrites().length, 0, 'nothing written');
    });

    it('tells a Notion secret that stopped working apart, with a button to set it again', async () => {
      await stage.api.secrets.store('visen.notion.secret', 'secret_revoked');
      stage.ui.inputs.push(stage.notion.addPage({ title: 'Any' }).url);
      await vscode.commands.executeCommand('visen.generateToPage');
      assert.match(stage.ui.asked[0].problems[0], /Notion rejected the integration secret.*Set Notion Token/);
    });

    it('says the engine key is wrong, with a button to set it, and writes nothing', async () => {
      await stage.api.secrets.store('visen.gemini.apiKey', 'AIza-revoked');
      const page = stage.notion.addPage({ title: 'Wrong Key' });
      stage.ui.inputs.push(page.url, 'Write');
      await vscode.commands.executeCommand('visen.generateToPage');
      const error = stage.ui.last('error')!;
      assert.match(error.message, /Gemini rejected the API key/);
      assert.strictEqual(error.actions[0], 'Set Gemini API Key');
      assert.strictEqual(markdownWrites().length, 0);
      assert.strictEqual(latest().status, 'failed');
    });

    it('tells a spent quota from a server error', async () => {
      const page = stage.notion.addPage({ title: 'Quota' });
      // Google's real per-day quota body: the words "rate" and "generate" in it decide nothing, its QuotaFailure does.
      stage.gemini.failNext(geminiErrors.quotaPerDay({}));
      stage.ui.inputs.push(page.url, 'Write');
      await vscode.commands.executeCommand('visen.generateToPage');
      assert.match(stage.ui.last('error')!.message, /quota (for today )?is used up/);

      stage.gemini.failNext({ status: 500 }, 3);
      stage.ui.picks.push((item) => item.label.includes('Quota'));
      stage.ui.inputs.push('Write');
      await vscode.commands.executeCommand('visen.generateToPage');
      assert.match(stage.ui.last('error')!.message, /Gemini had a server error/);
    });

    it('says Notion cannot be reached when it is down', async () => {
      await setSetting('notion.apiBaseUrl', 'http://127.0.0.1:9');
      try {
        stage.ui.inputs.push('https://www.notion.so/Page-0123456789abcdef0123456789abcdef');
        await vscode.commands.executeCommand('visen.generateToPage');
        assert.match(stage.ui.asked[0].problems[0], /Could not reach Notion/);
      } finally {
        await setSetting('notion.apiBaseUrl', stage.notion.url);
      }
    });

    it('keeps the text when Notion rejects a write, and Retry Write finishes it without generating again', async () => {
      const page = stage.notion.addPage({ title: 'Flaky Write' });
      // A 500 on a write leaves its outcome unknown: Visen looks at the page, sends it once more, and fails on the second 500.
      stage.notion.failNext(
        { method: 'PATCH', path: /\/children$/ },
        { status: 500, code: 'internal_server_error', message: 'Internal error.' },
        2,
      );
      stage.ui.inputs.push(page.url, 'Write');
      stage.ui.respond = (m) => (m.actions.includes('Retry Write') ? 'Retry Write' : undefined);
      await vscode.commands.executeCommand('visen.generateToPage');

      const failure = stage.ui.messages.find((m) => m.level === 'error')!;
      assert.match(failure.message, /generated but Notion did not take all of it/);
      assert.deepStrictEqual(failure.actions, ['Retry Write', 'Show Log']);
      assert.strictEqual(stage.gemini.requests.filter((r) => /GenerateContent/i.test(r.path)).length, 1, 'generated once');
      const record = latest();
      assert.strictEqual(record.status, 'written', 'the retry wrote the rest');
      assert.strictEqual(stage.notion.pageBlocks(page.id).filter((b) => b.type === 'heading_1').length, 1, 'nothing twice');
      assert.match(stage.ui.last('info')!.message, /Wrote \d+ blocks? to "Flaky Write"/);
    });

    it('Retry Write whose place is gone asks where: a heading picked, the rest lands right after it, and Undo takes back exactly that', async () => {
      await setSetting('writeMode', 'afterHeading');
      const page = stage.notion.addPage({
        title: 'Place Gone',
        markdown: ['# Intro', 'First words.', '## Target', 'Under the target.', '## Later', 'The end of the page.'].join('\n\n'),
      });
      const textOf = (b: { type: string }) =>
        ((b as unknown as Record<string, { rich_text?: { plain_text: string }[] }>)[b.type]?.rich_text ?? [])
          .map((t) => t.plain_text)
          .join('');
      const idOf = (text: string) => stage.notion.pageBlocks(page.id).find((b) => textOf(b) === text)!.id;
      // The list item's children go in a request of their own (their child has a child): Notion refuses that one.
      stage.gemini.respondWith(() => '- item\n  - child\n    - grandchild\n\nA paragraph after.');
      const bare = page.id.replace(/-/g, '');
      stage.notion.failNext(
        { method: 'PATCH', path: new RegExp(`^/v1/blocks/(?!${page.id}|${bare})[^/]+/children$`) },
        { status: 400, code: 'validation_error', message: 'Refused once.' },
      );
      stage.ui.inputs.push(page.url, 'Write a list');
      stage.ui.picks.push((item) => item.label === '## Target');
      await vscode.commands.executeCommand('visen.generateToPage');
      const failed = latest();
      assert.strictEqual(failed.status, 'writeFailed');
      assert.ok(failed.blockIds!.length > 0, 'the run wrote its first blocks after the heading');

      // A person deletes what the run wrote, and the heading it went after.
      const byHand = (path: string) =>
        fetch(`${stage.notion.url}${path}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${NOTION_SECRET}`, 'notion-version': '2026-03-11' },
        }).then((r) => assert.ok(r.ok, `DELETE ${path}: ${r.status}`));
      for (const id of [...failed.blockIds!, idOf('Target')]) await byHand(`/v1/blocks/${id}`);
      const left = stage.notion.pageBlocks(page.id).map((b) => b.id);
      const tree = stage.notion.blockTree(page.id);

      // Dismissed: nothing written, the text kept, Retry Write still offered.
      stage.ui.picks.length = 0;
      await vscode.commands.executeCommand('visen.retryWrite', failed.id);
      const offered = stage.ui.pickOffers.at(-1)!.map((item) => item.label);
      assert.deepStrictEqual(offered, ['# Intro', '## Later', 'At the end of the page'], 'the headings in page order, with their level');
      assert.match(stage.ui.pickTitles.at(-1)!, /"Place Gone"/);
      assert.deepStrictEqual(stage.notion.blockTree(page.id), tree, 'nothing written');
      const kept = stage.api.generations.get(failed.id)!;
      assert.strictEqual(kept.status, 'writeFailed');
      assert.strictEqual(kept.markdown, failed.markdown, 'the text is kept');
      assert.ok(
        stage.api.generations.get(failed.id) && /Retry Write/.test(stage.ui.messages.at(-1)!.actions.join()),
        'Retry Write is offered',
      );

      // The person picks "## Later": the text lands right after it; every other block keeps its id.
      stage.ui.picks.push((item) => item.label === '## Later');
      await vscode.commands.executeCommand('visen.retryWrite', failed.id);
      const written = stage.api.generations.get(failed.id)!;
      assert.strictEqual(written.status, 'written', written.error);
      const later = left.indexOf(idOf('Later'));
      const inserted = written.blockIds!;
      assert.deepStrictEqual(
        stage.notion.pageBlocks(page.id).map((b) => b.id),
        [...left.slice(0, later + 1), ...inserted, ...left.slice(later + 1)],
      );
      assert.deepStrictEqual(stage.notion.pageBlocks(page.id).map(textOf), [
        'Intro',
        'First words.',
        'Under the target.',
        'Later',
        'item',
        'A paragraph after.',
        'The end of the page.',
      ]);
      assert.match(JSON.stringify(stage.notion.blockTree(page.id)), /grandchild/, 'the list complete, every level');

      // Undo takes back exactly what the retry wrote.
      stage.ui.respond = (m) => (m.level === 'confirm' ? 'Undo' : undefined);
      await vscode.commands.executeCommand('visen.undoLastGeneration', { recordId: failed.id });
      assert.deepStrictEqual(stage.notion.blockTree(page.id), tree);
    });

    it('Cancel stops the model and the writes, and keeps what was generated', async () => {
      stage.gemini.respondWith(() => Array.from({ length: 300 }, (_, i) => `Paragraph ${i}.`).join('\n\n'));
      stage.gemini.chunkDelayMs = 10;
      const page = stage.notion.addPage({ title: 'Cancel Me' });
      stage.ui.inputs.push(page.url, 'Write a lot');
      stage.ui.onProgress = (message, cancel) => {
        if (/[1-9]\d* of \d+ blocks in Notion/.test(message)) cancel();
      };
      try {
        await vscode.commands.executeCommand('visen.generateToPage');
      } finally {
        stage.gemini.chunkDelayMs = 0;
      }
      const record = latest();
      assert.strictEqual(record.status, 'cancelled');
      assert.ok(record.markdown.length > 0 && !record.markdown.includes('Paragraph 299'));
      assert.match(stage.ui.last('info')!.message, /Generation cancelled/);
      const writes = markdownWrites().length;
      await new Promise((r) => setTimeout(r, 300));
      assert.strictEqual(markdownWrites().length, writes);
    });

    it('never sends a key to Notion in a body, nor logs one', async () => {
      const page = stage.notion.addPage({ title: 'Leak Check' });
      stage.ui.inputs.push(page.url, `Write about ${'keys'}`);
      await vscode.commands.executeCommand('visen.generateToPage');
      for (const request of stage.notion.requests) {
        const visible = JSON.stringify({ path: request.path, query: request.query, body: request.body });
        for (const key of [NOTION_SECRET, GEMINI_KEY, OPENAI_KEY]) assert.ok(!visible.includes(key));
      }
      const log = await visenLog(stage.api);
      assert.match(log, /Generation [0-9a-f-]+: written/);
      for (const key of [NOTION_SECRET, GEMINI_KEY, OPENAI_KEY]) assert.ok(!log.includes(key), 'no key in the log');
    });
  });
});
