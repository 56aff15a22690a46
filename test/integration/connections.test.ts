import * as assert from 'assert';
import * as vscode from 'vscode';
import { Client } from '@notionhq/client';
import type { ConnectionItem, GenerationItem } from '../../src/views/connectionsTree';
import { SET_ASIDE_KEY } from '../../src/services/storage/setAside';
import { connectPage, GEMINI_KEY, NOTION_SECRET, useStage, setSetting, visenLog } from './support/visen';

describe('Connections', () => {
  const stage = useStage({ keys: { notion: NOTION_SECRET, gemini: GEMINI_KEY } });

  const roots = () => stage.api.tree.getChildren() as ConnectionItem[];
  const children = (item: ConnectionItem) => stage.api.tree.getChildren(item) as GenerationItem[];
  const generate = async (pageUrl: string, prompt: string) => {
    stage.ui.inputs.push(pageUrl, prompt);
    await vscode.commands.executeCommand('visen.generateToPage');
  };
  /** The rows of the stand-in's connections database, read the way any Notion client would. */
  const rows = async (dataSourceId: string) => {
    const client = new Client({ auth: NOTION_SECRET, baseUrl: stage.notion.url, notionVersion: '2025-09-03' });
    const result = await client.dataSources.query({ data_source_id: dataSourceId });
    return result.results as Array<{ id: string; properties: Record<string, any> }>;
  };
  const createDatabase = async () => {
    const home = stage.notion.addPage({ title: 'Team Home' });
    stage.ui.picks.push((item) => item.label.includes('Team Home'));
    await vscode.commands.executeCommand('visen.createConnectionsDatabase');
    const url = vscode.workspace.getConfiguration('visen').get<string>('connectionsDatabase')!;
    assert.ok(url, 'the setting holds the new database');
    const db = stage.notion.requests.find((r) => r.method === 'POST' && r.path === '/v1/databases');
    assert.ok(db, 'databases.create was called');
    const databaseId = url.match(/[0-9a-f]{32}/)![0];
    const database = stage.notion.database(databaseId)!;
    return { home, database, dataSourceId: database.dataSourceId };
  };

  it('a generation into a pasted URL creates a connection, counted in the tree with its history', async () => {
    assert.strictEqual(roots().length, 0);
    const page = stage.notion.addPage({ title: 'Product Ideas' });
    await generate(page.url, 'Ten product ideas');
    // The second run offers the connection first.
    stage.ui.picks.push((item) => item.label.includes('Product Ideas'));
    stage.ui.inputs.push('Five more');
    await vscode.commands.executeCommand('visen.generateToPage');

    const [item] = roots();
    assert.strictEqual(item.label, 'Product Ideas');
    assert.strictEqual(item.contextValue, 'visen.connection.page');
    assert.match(String(item.description), /^2 prompts · /);
    assert.match((item.tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' '), /Product Ideas/);
    const history = children(item);
    assert.deepStrictEqual(
      history.map((g) => g.label),
      ['Five more', 'Ten product ideas'],
    );
    assert.match(String(history[0].description), /Google Gemini · \d+ blocks/);
    assert.strictEqual(history[0].contextValue, 'visen.generation.undoable');
    const connection = stage.api.connections.list()[0];
    assert.strictEqual(connection.usage.prompts, 2);
    assert.ok(connection.usage.outputTokens > 0);
    assert.strictEqual(connection.lastPrompt, 'Five more');
    assert.strictEqual(stage.api.usage.thisMonth().prompts >= 2, true);
  });

  it('sorts connections by last use and opens a generation as a document', async () => {
    const a = stage.notion.addPage({ title: 'Alpha' });
    const b = stage.notion.addPage({ title: 'Beta' });
    await generate(a.url, 'First');
    stage.ui.picks.push((item) => /Paste a Notion page URL/.test(item.label));
    await generate(b.url, 'Second');
    assert.deepStrictEqual(
      roots().map((i) => i.label),
      ['Beta', 'Alpha'],
    );
    const generation = children(roots()[0])[0];
    await vscode.commands.executeCommand(generation.command!.command, ...generation.command!.arguments!);
    const opened = vscode.window.activeTextEditor?.document;
    assert.ok(opened && opened.uri.scheme === 'visen-generation');
    assert.strictEqual(opened.getText(), stage.api.generations.get(generation.record.id)!.markdown);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('renames and deletes connections, asking before deleting', async () => {
    const page = stage.notion.addPage({ title: 'Notes' });
    const connection = await connectPage(stage.api, page);
    stage.ui.inputs.push('', 'Team Notes');
    await vscode.commands.executeCommand('visen.renameConnection', roots()[0]);
    assert.deepStrictEqual(stage.ui.asked[0].problems, ['Type a name.']);
    assert.strictEqual(roots()[0].label, 'Team Notes');

    await vscode.commands.executeCommand('visen.deleteConnection', { connectionId: connection.id });
    assert.match(stage.ui.last('confirm')!.message, /Delete the connection "Team Notes"\?/);
    assert.strictEqual(roots().length, 1, 'dismissed: still there');
    stage.ui.respond = (m) => (m.level === 'confirm' ? 'Delete' : undefined);
    await vscode.commands.executeCommand('visen.deleteConnection', { connectionId: connection.id });
    assert.strictEqual(roots().length, 0);
    assert.ok(stage.notion.page(page.id), 'the Notion page itself is untouched');
  });

  it('skips and reports a damaged stored connection without losing it or anything else', async () => {
    const page = stage.notion.addPage({ title: 'Intact' });
    const good = await connectPage(stage.api, page);
    const damaged = { id: 'broken', name: 42, type: 'spreadsheet' };
    const asideBefore = stage.api.store.get<unknown[]>(SET_ASIDE_KEY);
    // As an older Visen left them: one list in global state, here with two damaged entries.
    await stage.api.store.update('visen.connections', [damaged, 'not even an object']);

    assert.deepStrictEqual(
      stage.api.connections.list().map((c) => c.id),
      [good.id],
    );
    assert.deepStrictEqual(
      roots().map((i) => i.label),
      ['Intact'],
    );
    await stage.api.connections.rename(good.id, 'Intact, renamed');
    assert.strictEqual(stage.api.connections.get(good.id)!.name, 'Intact, renamed');
    assert.strictEqual(stage.api.store.get('visen.connections'), undefined, 'the old list is moved out');
    const aside = stage.api.store.get<{ from: string; value: unknown }[]>(SET_ASIDE_KEY)!;
    assert.ok(
      aside.some((e) => e.from === 'visen.connections' && JSON.stringify(e.value) === JSON.stringify(damaged)),
      'the damaged entry is kept as it was',
    );
    assert.ok(aside.some((e) => e.from === 'visen.connections' && e.value === 'not even an object'));
    assert.match(await visenLog(stage.api), /stored connection \(entry 1\) is damaged and was skipped/);
    await stage.api.store.update(SET_ASIDE_KEY, asideBefore);
  });

  it('mirrors connections to a connections database it creates: upsert, rename, trash, refresh', async () => {
    const { dataSourceId } = await createDatabase();
    const schema = (stage.notion.requests.find((r) => r.method === 'POST' && r.path === '/v1/databases')!.body as any).initial_data_source
      .properties;
    assert.deepStrictEqual(
      Object.keys(schema).sort(),
      ['Engine', 'Last Generated', 'Last Prompt', 'Model', 'Name', 'Prompts', 'Tokens', 'Type', 'URL', 'Visen ID'].sort(),
    );

    const page = stage.notion.addPage({ title: 'Mirrored' });
    stage.ui.picks.push((item) => /Paste a Notion page URL/.test(item.label));
    await generate(page.url, 'Write something');
    const connection = stage.api.connections.list()[0];
    let [row] = await rows(dataSourceId);
    assert.ok(row, 'a row was written');
    assert.strictEqual(row.properties.Name.title[0].plain_text, 'Mirrored');
    assert.strictEqual(row.properties['Visen ID'].rich_text[0].plain_text, connection.id);
    assert.strictEqual(row.properties.Type.select.name, 'Notion Page');
    assert.strictEqual(row.properties.URL.url, page.url);
    assert.strictEqual(row.properties.Prompts.number, 1);
    assert.ok(row.properties.Tokens.number > 0);
    assert.strictEqual(row.properties.Engine.select.name, 'gemini');
    assert.strictEqual(row.properties['Last Prompt'].rich_text[0].plain_text, 'Write something');
    assert.ok(row.properties['Last Generated'].date.start);

    stage.ui.inputs.push('Mirrored, renamed');
    await vscode.commands.executeCommand('visen.renameConnection', { connectionId: connection.id });
    [row] = await rows(dataSourceId);
    assert.strictEqual(row.properties.Name.title[0].plain_text, 'Mirrored, renamed', 'the row was updated, not duplicated');
    assert.strictEqual((await rows(dataSourceId)).length, 1);

    // A row made on another machine is pulled on refresh.
    const other = stage.notion.addPage({ title: 'From Laptop' });
    const client = new Client({ auth: NOTION_SECRET, baseUrl: stage.notion.url, notionVersion: '2025-09-03' });
    await client.pages.create({
      parent: { type: 'data_source_id', data_source_id: dataSourceId },
      properties: {
        Name: { title: [{ text: { content: 'From Laptop' } }] },
        Type: { select: { name: 'Notion Page' } },
        URL: { url: other.url },
        Prompts: { number: 7 },
        'Last Generated': { date: { start: new Date().toISOString() } },
      },
    });
    await vscode.commands.executeCommand('visen.refreshConnections');
    assert.match(stage.ui.last('info')!.message, /1 added, 0 updated, 0 removed/);
    const pulled = stage.api.connections.list().find((c) => c.name === 'From Laptop')!;
    assert.ok(pulled, 'pulled into the tree');
    assert.strictEqual(pulled.usage.prompts, 7);
    assert.ok(roots().some((i) => i.label === 'From Laptop'));
    const pulledRow = (await rows(dataSourceId)).find((r) => r.properties.Name.title[0].plain_text === 'From Laptop')!;
    assert.strictEqual(pulledRow.properties['Visen ID'].rich_text[0].plain_text, pulled.id, 'the row got its Visen ID');

    stage.ui.respond = (m) => (m.level === 'confirm' ? 'Delete' : undefined);
    await vscode.commands.executeCommand('visen.deleteConnection', { connectionId: connection.id });
    const remaining = await rows(dataSourceId);
    assert.deepStrictEqual(
      remaining.map((r) => r.properties.Name.title[0].plain_text),
      ['From Laptop'],
      "the deleted connection's row is in the trash",
    );
    assert.strictEqual(stage.notion.page(row.id)?.inTrash, true);
  });

  it('links an existing database, offering to add the properties it lacks', async () => {
    const db = stage.notion.addDatabase({ title: 'My Connections', properties: { Name: { title: {} }, URL: { url: {} } } });
    stage.ui.inputs.push('https://example.com/not-notion', db.url);
    stage.ui.respond = (m) => (m.level === 'confirm' ? 'Add Properties' : undefined);
    await vscode.commands.executeCommand('visen.setConnectionsDatabase');
    assert.match(stage.ui.asked[0].problems[0], /not a Notion link/);
    const question = stage.ui.messages.find((m) => m.level === 'confirm')!;
    assert.match(
      question.message,
      /lacks properties Visen writes: Type, Last Prompt, Engine, Model, Prompts, Tokens, Last Generated, Visen ID/,
    );
    const update = stage.notion.requests.find((r) => r.method === 'PATCH' && r.path.startsWith('/v1/data_sources/'));
    assert.ok(update, 'the data source was updated');
    assert.ok('Visen ID' in (update.body as any).properties);
    assert.strictEqual(vscode.workspace.getConfiguration('visen').get('connectionsDatabase'), db.url);
    assert.match(stage.ui.last('info')!.message, /Connections database set to "My Connections"/);
  });

  it('works without a connections database, and says how to add one on refresh', async () => {
    await vscode.commands.executeCommand('visen.refreshConnections');
    const message = stage.ui.last('info')!;
    assert.match(message.message, /No connections database is set/);
    assert.deepStrictEqual(message.actions, ['Set Connections Database', 'Create Connections Database']);
  });

  it('asks before going past the monthly prompt budget', async () => {
    const page = stage.notion.addPage({ title: 'Budget' });
    await connectPage(stage.api, page);
    await setSetting('promptBudget', stage.api.usage.thisMonth().prompts);
    stage.ui.picks.push((item) => item.label.includes('Budget'));
    stage.ui.inputs.push('Write');
    const generations = stage.gemini.requests.length;
    await vscode.commands.executeCommand('visen.generateToPage');
    assert.match(stage.ui.last('confirm')!.message, /goes past your monthly budget/);
    assert.strictEqual(stage.gemini.requests.length, generations, 'declined: nothing generated');

    stage.ui.picks.push((item) => item.label.includes('Budget'));
    stage.ui.inputs.push('Write');
    stage.ui.respond = (m) => (m.level === 'confirm' ? 'Generate Anyway' : undefined);
    await vscode.commands.executeCommand('visen.generateToPage');
    assert.match(stage.ui.last('info')!.message, /Wrote \d+ blocks?/);
  });
});
