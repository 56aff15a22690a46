// The one generation flow (src/workflows/generate.ts) that the Command Palette and the connection form
// both run, called directly: keys, a database's questions, the prompt, the budget, then the run into the
// page or a new entry. The services are the running extension's, against the loopback stand-ins; the
// person's answers come from the scripted UI.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { generate, retryWrite } from '../../src/workflows/generate';
import { MissingKeyError } from '../../src/workflows/missingKey';
import { connectPage, GEMINI_KEY, NOTION_SECRET, setSetting, useStage } from './support/visen';

describe('Generate workflow', () => {
  const stage = useStage({ keys: { notion: NOTION_SECRET, gemini: GEMINI_KEY } });
  /** Notion's answers to "which page is this?" for `id`. */
  const pageLookups = (id: string) =>
    stage.notion.requests.filter(
      (r) => r.method === 'GET' && r.path.startsWith('/v1/pages/') && r.path.replace(/-/g, '').includes(id.replace(/-/g, '')),
    );
  const generations = () => stage.gemini.requests.filter((r) => /GenerateContent/i.test(r.path)).length;

  it('writes into a page, and takes the page the surface just checked instead of asking Notion again', async () => {
    const page = stage.notion.addPage({ title: 'Checked Page' });
    const connection = await connectPage(stage.api, page);
    const checked = await stage.api.generation.service.resolvePage(page.url);
    const labels: string[] = [];
    const before = pageLookups(page.id).length;
    const done = await generate(stage.api, { connection, page: checked, prompt: 'Write', onProgress: (_p, label) => labels.push(label) });
    assert.ok(done.started, 'it ran');
    assert.strictEqual(done.result.record.status, 'written');
    assert.strictEqual(pageLookups(page.id).length, before, 'no second request for the page');
    assert.ok(
      labels.some((l) => /^\d+ of \d+ blocks in Notion$/.test(l)),
      labels.join(' | '),
    );

    // Without a checked page, the run asks Notion once itself.
    const again = await generate(stage.api, {
      connection,
      prompt: 'Write more',
      countCharacters: true,
      onProgress: (_p, label) => labels.push(label),
    });
    assert.ok(again.started && again.result.record.status === 'written');
    assert.strictEqual(pageLookups(page.id).length, before + 1);
    assert.ok(
      labels.some((l) => /characters generated, \d+ of \d+ blocks in Notion$/.test(l)),
      'characters counted where asked',
    );
  });

  it('reads each key once per run: the run is resolved once and handed down', async () => {
    const connection = await connectPage(stage.api, stage.notion.addPage({ title: 'Keys Once' }));
    const secrets = stage.api.secrets;
    const reads: string[] = [];
    const get = secrets.get;
    secrets.get = async (name) => {
      reads.push(name);
      return get.call(secrets, name);
    };
    try {
      const done = await generate(stage.api, { connection, prompt: 'Write' });
      assert.ok(done.started && done.result.record.status === 'written');
    } finally {
      secrets.get = get;
    }
    assert.deepStrictEqual(reads.sort(), ['visen.gemini.apiKey', 'visen.notion.secret']);
  });

  it("the palette checks a chosen connection's page once: the run takes it", async () => {
    const page = stage.notion.addPage({ title: 'Picked Page' });
    await connectPage(stage.api, page);
    stage.ui.picks.push((item) => item.label.includes('Picked Page'));
    stage.ui.inputs.push('Notes');
    await vscode.commands.executeCommand('visen.generateToPage');
    assert.match(stage.ui.last('info')?.message ?? '', /^Wrote \d+ blocks? to "Picked Page"\.$/);
    assert.strictEqual(pageLookups(page.id).length, 1, 'one request for the page, not two');
  });

  it('checks both keys first: a missing one throws with its fix, before the prompt is asked', async () => {
    await stage.api.secrets.delete('visen.gemini.apiKey');
    const connection = await connectPage(stage.api, stage.notion.addPage({ title: 'No Key' }));
    let asked = false;
    const error = await generate(stage.api, {
      connection,
      prompt: async () => {
        asked = true;
        return 'Write';
      },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof MissingKeyError, String(error));
    assert.strictEqual(error.command, 'visen.setGeminiKey');
    assert.match(error.message, /Google Gemini API key/);
    assert.strictEqual(asked, false, 'no prompt typed in vain');
    assert.strictEqual(stage.gemini.requests.length, 0);
  });

  it('does not start past the budget unless the person agrees, and asks the prompt before the budget', async () => {
    const connection = await connectPage(stage.api, stage.notion.addPage({ title: 'Budget' }));
    await setSetting('promptBudget', stage.api.usage.thisMonth().prompts);
    const order: string[] = [];
    stage.ui.respond = (m) => {
      order.push(m.level);
      return undefined;
    };
    const kept = await generate(stage.api, {
      connection,
      prompt: async () => {
        order.push('prompt');
        return 'Write';
      },
    });
    assert.deepStrictEqual(kept, { started: false, reason: 'budget' });
    assert.deepStrictEqual(order, ['prompt', 'confirm']);
    assert.strictEqual(generations(), 0);

    stage.ui.respond = (m) => (m.level === 'confirm' ? 'Generate Anyway' : undefined);
    const agreed = await generate(stage.api, { connection, prompt: 'Write' });
    assert.ok(agreed.started && agreed.result.record.status === 'written');
  });

  it('a database connection: its properties before the prompt, asked until chosen or every time, and a declined preview', async () => {
    stage.gemini.respondWith((req) => {
      const schema = req.generationConfig?.responseJsonSchema as { properties?: Record<string, unknown> } | undefined;
      const wanted = Object.keys(schema?.properties ?? {});
      return wanted.length ? JSON.stringify(Object.fromEntries(wanted.map((k) => [k, k === 'Name' ? 'An entry' : 'High']))) : 'A body.';
    });
    const db = stage.notion.addDatabase({
      title: 'Tasks',
      properties: { Name: { title: {} }, Priority: { select: { options: [{ name: 'High' }, { name: 'Low' }] } } },
    });
    const connection = await stage.api.connections.create({
      name: 'Tasks',
      type: 'database',
      target: { id: db.id, url: db.url, title: db.title },
    });
    const entries = () => stage.notion.requests.filter((r) => r.method === 'POST' && r.path === '/v1/pages').length;

    // The properties question dismissed: nothing starts, the prompt is never asked.
    let asked = 0;
    const prompt = async () => {
      asked++;
      return 'The next task';
    };
    assert.deepStrictEqual(await generate(stage.api, { connection, prompt }), { started: false, reason: 'dismissed' });
    assert.strictEqual(asked, 0);

    stage.ui.multiPicks.push((item) => item.label === 'Priority');
    const first = await generate(stage.api, { connection, prompt });
    assert.ok(first.started && first.result.record.status === 'written', JSON.stringify(first.started ? first.result.record.error : first));
    assert.strictEqual(first.result.record.page.title, 'An entry');
    assert.deepStrictEqual(stage.api.connections.get(connection.id)?.mappedProperties, ['Priority']);

    // Chosen: not asked again, unless the surface asks every time (the palette).
    const offers = stage.ui.pickOffers.length;
    assert.ok((await generate(stage.api, { connection, prompt })).started);
    assert.strictEqual(stage.ui.pickOffers.length, offers, 'not asked once chosen');
    stage.ui.multiPicks.push(undefined);
    assert.ok((await generate(stage.api, { connection, prompt, askMapping: 'always' })).started);
    assert.strictEqual(stage.ui.pickOffers.length, offers + 1, 'asked every time');
    assert.strictEqual(entries(), 3);

    // Values shown first and declined: no entry.
    await stage.api.connections.update(connection.id, (c) => ({ ...c, previewValues: true }));
    stage.ui.respond = () => undefined;
    assert.deepStrictEqual(await generate(stage.api, { connection, prompt }), { started: false, reason: 'declined' });
    assert.match(stage.ui.last('confirm')?.detail ?? '', /Priority: High/);
    assert.strictEqual(entries(), 3);
  });

  it('retry-write writes what Notion refused, without generating again', async () => {
    const page = stage.notion.addPage({ title: 'Flaky' });
    const connection = await connectPage(stage.api, page);
    stage.notion.failNext(
      { method: 'PATCH', path: /\/children$/ },
      { status: 500, code: 'internal_server_error', message: 'Internal error.' },
      2,
    );
    const failed = await generate(stage.api, { connection, prompt: 'Write' });
    assert.ok(failed.started && failed.result.record.status === 'writeFailed');
    const outcome = await retryWrite(stage.api, failed.result.record.id);
    assert.strictEqual(outcome.record.status, 'written');
    assert.strictEqual(generations(), 1, 'generated once');
    assert.strictEqual(stage.notion.pageBlocks(page.id).filter((b) => b.type === 'heading_1').length, 1, 'nothing twice');
  });

  it("afterHeading from the palette: a quick pick of the page's headings, then the text right after the one chosen", async () => {
    await setSetting('writeMode', 'afterHeading');
    const page = stage.notion.addPage({
      title: 'Sections',
      markdown: '# Intro\n\nHello.\n\n## Target\n\nUnder the target.\n\n### Last\n\nThe end.',
    });
    await connectPage(stage.api, page);
    const before = stage.notion.pageBlocks(page.id).map((b) => b.id);
    stage.ui.picks.push(
      (item) => item.label.includes('Sections'),
      (item) => item.label === '## Target',
    );
    stage.ui.inputs.push('Notes');
    await vscode.commands.executeCommand('visen.generateToPage');
    assert.deepStrictEqual(
      stage.ui.pickOffers.at(-1)!.map((i) => i.label),
      ['# Intro', '## Target', '### Last'],
      "the page's top-level headings, with their text",
    );
    assert.match(stage.ui.last('info')?.message ?? '', /^Wrote \d+ blocks? to "Sections"\.$/);
    const record = stage.api.generations.latest()!;
    assert.strictEqual(record.mode, 'afterHeading');
    assert.strictEqual(record.anchor?.after, before[2]);
    assert.deepStrictEqual(
      stage.notion.pageBlocks(page.id).map((b) => b.id),
      [...before.slice(0, 3), ...record.blockIds!, ...before.slice(3)],
      'in place; every other block keeps its id',
    );

    // A page without headings says so and offers to append.
    const plain = stage.notion.addPage({ title: 'Plain', markdown: 'Only a paragraph.' });
    const connection = await connectPage(stage.api, plain);
    stage.ui.respond = (m) => (m.level === 'confirm' ? 'Append at the End' : undefined);
    const done = await generate(stage.api, { connection, prompt: 'Write' });
    assert.match(stage.ui.last('confirm')?.message ?? '', /"Plain" has no headings to write after/);
    assert.ok(done.started && done.result.record.mode === 'append');
    assert.strictEqual(
      stage.notion.pageBlocks(plain.id)[0].id,
      stage.notion.pageBlocks(plain.id).find((b) => !done.result.record.blockIds!.includes(b.id))!.id,
      'appended after what was there',
    );
  });
});
