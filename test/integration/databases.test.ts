import * as assert from 'assert';
import * as vscode from 'vscode';
import type { GeminiRequest } from '../fakes/geminiFake';
import { GEMINI_KEY, NOTION_SECRET, useStage } from './support/visen';

const PROPERTIES = {
  Name: { title: {} },
  Author: { rich_text: {} },
  Genre: { select: { options: [{ name: 'Fiction' }, { name: 'Science' }] } },
  Pages: { number: {} },
  Summary: { rich_text: {} },
};

/** Gemini's answer: JSON of the requested schema when asked for it, markdown otherwise. */
function answer(req: GeminiRequest): string {
  const schema = req.generationConfig?.responseJsonSchema as { properties?: Record<string, unknown> } | undefined;
  const wanted = Object.keys(schema?.properties ?? {});
  if (wanted.length === 0) return `## Notes\n\nA body for: ${req.prompt}`;
  const book = /"([^"]+)"/.exec(req.prompt)?.[1] ?? 'New book';
  const values: Record<string, unknown> = {
    Name: 'Dune Messiah',
    Summary: `Summary of ${book}.`,
    Genre: 'Science',
    Pages: 256,
    Author: 'Frank Herbert',
  };
  return JSON.stringify(Object.fromEntries(wanted.map((k) => [k, values[k]])));
}

describe('Databases', () => {
  const stage = useStage({ keys: { notion: NOTION_SECRET, gemini: GEMINI_KEY } });
  beforeEach(() => {
    stage.gemini.respondWith(answer);
  });

  const addBooks = (count: number) =>
    stage.notion.addDatabase({
      title: 'Reading List',
      properties: PROPERTIES,
      rows: Array.from({ length: count }, (_, i) => ({ Name: `Book ${i}`, Author: `Writer ${i}` })),
    });

  it('Fill Database Rows: picks, a preview of 3 rows, then progress over all rows', async () => {
    const db = addBooks(8);
    stage.ui.inputs.push('not a database', db.url, '{{Nope}}', 'Summarize "{{Name}}" by {{Author}}.');
    stage.ui.picks.push(
      (item) => item.label.includes('Summary'),
      (item) => /All rows/.test(item.label),
    );
    stage.ui.respond = (m) => (m.level === 'confirm' ? 'Fill Rows' : undefined);
    await vscode.commands.executeCommand('visen.fillDatabase');

    const asked = stage.ui.asked;
    assert.match(asked[0].problems[0], /not a Notion link|does not point|malformed|Notion/);
    assert.match(asked[1].problems[0], /No property named "Nope"/);
    assert.ok(
      stage.ui.pickOffers[0].some((i) => i.label.includes('Page body: append')),
      'body targets are offered',
    );
    assert.match(stage.ui.documents[0], /^# Reading List → property "Summary"\n\n\*A preview: nothing has been written yet\.\*/);
    assert.match(stage.ui.documents[0], /Summary of Book 0\./);
    assert.strictEqual((stage.ui.documents[0].match(/^## /gm) ?? []).length, 3, 'three rows previewed');
    assert.ok(
      stage.ui.progressReports.some((r) => /^8 \/ 8 rows$/.test(r)),
      `progress: ${stage.ui.progressReports.join(' | ')}`,
    );
    assert.match(stage.ui.last('info')!.message, /Filled 8 rows of "Reading List"\./);

    const connection = stage.api.connections.list().find((c) => c.type === 'database')!;
    assert.strictEqual(connection.name, 'Reading List');
    assert.strictEqual(connection.usage.prompts, 8, 'each row counted');
    const values = [...stage.notion.requests].filter((r) => r.method === 'PATCH' && r.path.startsWith('/v1/pages/'));
    assert.strictEqual(values.length, 8, 'each row written once (the preview wrote nothing)');
  });

  it('Fill Database Rows says no row matches before the prompt is asked, and asks the engine nothing', async () => {
    const db = addBooks(3);
    stage.ui.inputs.push(db.url, 'Never asked for.');
    stage.ui.picks.push(
      (item) => item.label.includes('Author'),
      (item) => /Rows where Author is empty/.test(item.label),
    );
    await vscode.commands.executeCommand('visen.fillDatabase');
    assert.match(stage.ui.last('info')!.message, /^No rows of "Reading List" match\. Nothing to fill\.$/);
    assert.deepStrictEqual(stage.ui.inputs, ['Never asked for.'], 'the prompt was never asked');
    assert.strictEqual(stage.gemini.requests.filter((r) => /generateContent/i.test(r.path)).length, 0, 'the engine wrote nothing');
    assert.strictEqual(stage.ui.documents.length, 0, 'no preview');
  });

  it('reports failed rows and retries one alone', async () => {
    const db = addBooks(3);
    stage.notion.failNext(
      { method: 'PATCH', path: /^\/v1\/pages\// },
      { status: 400, code: 'validation_error', message: 'body failed validation: row locked.' },
    );
    stage.ui.inputs.push(db.url, 'Summarize "{{Name}}".');
    stage.ui.picks.push(
      (item) => item.label.includes('Summary'),
      (item) => /All rows/.test(item.label),
    );
    let retried = false;
    stage.ui.respond = (m) =>
      m.level === 'confirm' ? 'Fill Rows' : m.actions.includes('Show Failed Rows') ? 'Show Failed Rows' : undefined;
    stage.ui.picks.push((item) => {
      if (/row locked/.test(item.detail ?? '')) retried = true;
      return /row locked/.test(item.detail ?? '');
    });
    await vscode.commands.executeCommand('visen.fillDatabase');
    const warning = stage.ui.messages.find((m) => m.level === 'warn')!;
    assert.match(warning.message, /Filled 2 rows .* 1 failed\./);
    assert.ok(retried, 'the failed row was offered with its reason');
    assert.match(stage.ui.last('info')!.message, /Filled 1 rows/);
  });

  it('Generate to Notion Page on a database connection creates an entry with mapped properties, previewed', async () => {
    const db = addBooks(1);
    stage.ui.inputs.push(db.url, 'A sequel to "Dune"');
    stage.ui.picks.push((item) => /Paste a Notion database URL/.test(item.label));
    stage.ui.multiPicks.push((item) => ['Genre', 'Pages'].includes(item.label) || /Show the values/.test(item.label));
    stage.ui.respond = (m) => (m.level === 'confirm' && m.actions.includes('Write Entry') ? 'Write Entry' : undefined);
    // Make the connection through Fill's picker, then generate into it from the palette.
    await vscode.commands.executeCommand('visen.fillDatabase');
    const connection = stage.api.connections.list().find((c) => c.type === 'database')!;
    assert.ok(connection);
    stage.ui.inputs.splice(0);
    stage.ui.inputs.push('A sequel to "Dune"');
    await vscode.commands.executeCommand('visen.generateToPage', { connectionId: connection.id });

    const confirm = stage.ui.messages.find((m) => m.level === 'confirm' && m.actions.includes('Write Entry'))!;
    assert.match(confirm.detail!, /Name: Dune Messiah/);
    assert.match(confirm.detail!, /Genre: Science/);
    assert.match(confirm.detail!, /Pages: 256/);
    const created = [...stage.notion.requests].find((r) => r.method === 'POST' && r.path === '/v1/pages')!;
    const body = created.body as { parent: { data_source_id: string }; properties: Record<string, any> };
    assert.strictEqual(body.parent.data_source_id, db.dataSourceId);
    assert.strictEqual(body.properties.Genre.select.name, 'Science');
    assert.strictEqual(body.properties.Pages.number, 256);
    assert.strictEqual(body.properties.Name.title[0].text.content, 'Dune Messiah');
    assert.match(stage.ui.last('info')!.message, /Wrote \d+ blocks? to "Dune Messiah"/);
    const record = stage.api.generations.latest()!;
    assert.match(stage.notion.pageMarkdown(record.page.id), /A body for: A sequel to "Dune"/);
    assert.deepStrictEqual(stage.api.connections.get(connection.id)!.mappedProperties, ['Genre', 'Pages']);
  });

  it('keeps the paid values of a new entry in the history when the preview is declined, and writes nothing', async () => {
    const db = addBooks(1);
    stage.ui.inputs.push(db.url, 'A sequel to "Dune"');
    stage.ui.picks.push((item) => /Paste a Notion database URL/.test(item.label));
    stage.ui.multiPicks.push((item) => ['Genre', 'Pages'].includes(item.label) || /Show the values/.test(item.label));
    stage.ui.respond = () => undefined;
    await vscode.commands.executeCommand('visen.fillDatabase');
    const connection = stage.api.connections.list().find((c) => c.type === 'database')!;
    stage.ui.inputs.splice(0);
    stage.ui.inputs.push('A sequel to "Dune"');
    const before = stage.notion.requests.length;
    await vscode.commands.executeCommand('visen.generateToPage', { connectionId: connection.id });

    assert.ok(
      stage.ui.messages.some((m) => m.level === 'confirm' && m.actions.includes('Write Entry')),
      'the values were shown',
    );
    assert.ok(!stage.notion.requests.slice(before).some((r) => r.method === 'POST' && r.path === '/v1/pages'), 'no entry was created');
    const record = stage.api.generations.latest()!;
    assert.strictEqual(record.status, 'cancelled');
    assert.match(record.markdown, /Dune Messiah/, 'the answer is kept');
    assert.strictEqual(stage.api.connections.get(connection.id)!.usage.prompts, 1, 'and counted: the provider billed it');
  });
});
