// Prompt templates, through the surfaces a person uses: "Generate to Notion Page" offers a connection's
// templates before the prompt box and keeps a typed prompt as one from its outcome; the connection form's
// host saves and deletes them and carries them in its state. Real services, loopback stand-ins.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { FormState, HostMessage } from '../../src/views/connectionProtocol';
import type { ConnectionFormController } from '../../src/views/connectionPanel';
import { localDate } from '../../src/workflows/promptVariables';
import { FakeWebview } from './support/fakeWebview';
import { connectPage, GEMINI_KEY, NOTION_SECRET, useStage } from './support/visen';

describe('Prompt templates', () => {
  const stage = useStage({ keys: { notion: NOTION_SECRET, gemini: GEMINI_KEY } });
  const templatesOf = (id: string) => stage.api.connections.get(id)?.templates ?? [];
  const withTemplates = async (templates: { name: string; prompt: string }[]) => {
    const page = stage.notion.addPage({ title: 'Weekly Notes' });
    const connection = await connectPage(stage.api, page);
    await stage.api.connections.update(connection.id, (c) => ({ ...c, templates }));
    return { page, connection };
  };
  /** What the engine was asked, each run. */
  const asked: string[] = [];
  beforeEach(() => {
    asked.length = 0;
    stage.gemini.respondWith((req) => {
      asked.push(req.prompt);
      return '## Notes\n\nWritten from the prompt.';
    });
  });

  describe('Generate to Notion Page', () => {
    it('offers the templates first: the one chosen is the prompt sent, its variables filled', async () => {
      const { page, connection } = await withTemplates([
        { name: 'Brief', prompt: 'A one-page brief' },
        { name: 'Weekly notes', prompt: 'Notes for the week of ${date}' },
      ]);
      stage.ui.picks.push((item) => item.label === 'Weekly notes');
      await vscode.commands.executeCommand('visen.generateToPage', { connectionId: connection.id });

      const offered = stage.ui.pickOffers[0];
      assert.deepStrictEqual(
        offered.map((i) => [i.label, i.detail]),
        [
          ['$(edit) Write a new prompt…', undefined],
          ['Templates', undefined],
          ['Brief', 'A one-page brief'],
          ['Weekly notes', 'Notes for the week of ${date}'],
          ['', undefined],
          ['$(gear) Rename or Delete a Template…', undefined],
        ],
      );
      assert.strictEqual(offered[1].kind, vscode.QuickPickItemKind.Separator);
      assert.strictEqual(offered[4].kind, vscode.QuickPickItemKind.Separator);
      assert.strictEqual(stage.ui.asked.length, 0, 'no prompt box: the template is the prompt');
      const expected = `Notes for the week of ${localDate(new Date())}`;
      assert.strictEqual(stage.api.generations.latest()!.prompt, expected);
      assert.strictEqual(asked.length, 1);
      assert.ok(asked[0].includes(expected), `the engine was asked "${asked[0]}"`);
      assert.match(stage.ui.last('info')!.message, /^Wrote \d+ blocks? to "Weekly Notes"\.$/);
      assert.ok(!stage.ui.last('info')!.actions.includes('Save Prompt as Template…'), 'a template is not offered to be saved again');
      assert.ok(stage.notion.pageBlocks(page.id).length > 0);
    });

    it('"Rename or Delete a Template…" renames one and deletes another, then offers the templates again', async () => {
      const { connection } = await withTemplates([
        { name: 'Brief', prompt: 'A one-page brief' },
        { name: 'Weekly notes', prompt: 'Notes for the week' },
      ]);
      const manage = (item: vscode.QuickPickItem) => item.label.endsWith('Rename or Delete a Template…');
      stage.ui.picks.push(
        manage,
        (item) => item.label === 'Weekly notes',
        (item) => item.label.endsWith('Rename…'),
        manage,
        (item) => item.label === 'Brief',
        (item) => item.label.endsWith('Delete'),
        (item) => item.label === 'Friday notes',
      );
      stage.ui.inputs.push('Friday notes');
      await vscode.commands.executeCommand('visen.generateToPage', { connectionId: connection.id });

      assert.deepStrictEqual(
        templatesOf(connection.id),
        [{ name: 'Friday notes', prompt: 'Notes for the week' }],
        'renamed, its prompt kept; the other deleted',
      );
      assert.deepStrictEqual(
        stage.ui.asked.map((a) => [a.title, a.prompt]),
        [['Visen: rename the template "Weekly notes"', 'Its new name; its prompt stays as it is.']],
      );
      assert.deepStrictEqual(
        stage.ui.messages.filter((m) => /^Template/.test(m.message)).map((m) => m.message),
        ['Template "Weekly notes" renamed to "Friday notes".', 'Template "Brief" deleted.'],
      );
      const last = stage.ui.pickOffers.at(-1)!.map((i) => i.label);
      assert.ok(
        last.includes('Friday notes') && !last.includes('Brief') && !last.includes('Weekly notes'),
        `the templates offered again: ${last.join(' | ')}`,
      );
      assert.strictEqual(stage.api.generations.latest()!.prompt, 'Notes for the week', 'the renamed template is used as the prompt');
    });

    it('a name another template has is refused with a message, and nothing changes', async () => {
      const { connection } = await withTemplates([
        { name: 'Brief', prompt: 'A one-page brief' },
        { name: 'Weekly notes', prompt: 'Notes for the week' },
      ]);
      stage.ui.picks.push(
        (item) => item.label.endsWith('Rename or Delete a Template…'),
        (item) => item.label === 'Brief',
        (item) => item.label.endsWith('Rename…'),
      );
      stage.ui.inputs.push('weekly NOTES');
      await vscode.commands.executeCommand('visen.generateToPage', { connectionId: connection.id });
      assert.match(stage.ui.last('error')!.message, /^There is already a template named "weekly NOTES"/);
      assert.deepStrictEqual(
        templatesOf(connection.id).map((t) => t.name),
        ['Brief', 'Weekly notes'],
      );
    });

    it('"Write a new prompt…" opens the prompt box; the outcome offers to keep the prompt, as typed, as a template', async () => {
      const { connection } = await withTemplates([{ name: 'Brief', prompt: 'A one-page brief' }]);
      stage.ui.picks.push((item) => item.label.endsWith('Write a new prompt…'));
      stage.ui.inputs.push('Release notes for ${date}', 'Release notes');
      stage.ui.respond = (m) => (m.level === 'info' && /^Wrote/.test(m.message) ? 'Save Prompt as Template…' : undefined);
      await vscode.commands.executeCommand('visen.generateToPage', { connectionId: connection.id });

      assert.strictEqual(
        stage.api.generations.latest()!.prompt,
        `Release notes for ${localDate(new Date())}`,
        'the typed prompt was sent, expanded',
      );
      assert.deepStrictEqual(
        stage.ui.asked.map((a) => a.title),
        ['Visen: what should be written to "Weekly Notes"?', 'Visen: save the prompt as a template of "Weekly Notes"'],
      );
      assert.deepStrictEqual(
        templatesOf(connection.id),
        [
          { name: 'Brief', prompt: 'A one-page brief' },
          { name: 'Release notes', prompt: 'Release notes for ${date}' },
        ],
        'saved as typed: its variables are filled when it is used',
      );
      assert.match(stage.ui.last('info')!.message, /^Saved the template "Release notes" for "Weekly Notes"\.$/);
    });

    it('a connection without templates asks for the prompt at once, and can keep its first one', async () => {
      const page = stage.notion.addPage({ title: 'Launch Plan' });
      const connection = await connectPage(stage.api, page);
      stage.ui.inputs.push('A launch plan', '', 'Launch');
      stage.ui.respond = (m) => (m.level === 'info' && /^Wrote/.test(m.message) ? 'Save Prompt as Template…' : undefined);
      await vscode.commands.executeCommand('visen.generateToPage', { connectionId: connection.id });
      assert.strictEqual(stage.ui.pickOffers.length, 0, 'no pick of templates when there are none');
      assert.deepStrictEqual(stage.ui.asked[1].problems, ['Type a name for the template.']);
      assert.deepStrictEqual(templatesOf(connection.id), [{ name: 'Launch', prompt: 'A launch plan' }]);
    });

    it('saving under a name a template has asks first, then replaces its prompt', async () => {
      const { connection } = await withTemplates([{ name: 'Brief', prompt: 'A one-page brief' }]);
      stage.ui.picks.push(
        (item) => item.label.endsWith('Write a new prompt…'),
        (item) => item.label.endsWith('Write a new prompt…'),
      );
      stage.ui.inputs.push('A two-page brief', 'brief', 'A three-page brief', 'BRIEF');
      const answer: { replace?: string } = {};
      stage.ui.respond = (m) =>
        m.level === 'info' && /^Wrote/.test(m.message) ? 'Save Prompt as Template…' : m.level === 'confirm' ? answer.replace : undefined;
      await vscode.commands.executeCommand('visen.generateToPage', { connectionId: connection.id });
      assert.match(stage.ui.last('confirm')!.message, /^Replace the template "Brief"\?$/);
      assert.deepStrictEqual(
        templatesOf(connection.id),
        [{ name: 'Brief', prompt: 'A one-page brief' }],
        'kept when the question is dismissed',
      );

      answer.replace = 'Replace';
      await vscode.commands.executeCommand('visen.generateToPage', { connectionId: connection.id });
      assert.deepStrictEqual(templatesOf(connection.id), [{ name: 'BRIEF', prompt: 'A three-page brief' }]);
    });
  });

  describe('the connection form', () => {
    const forms: FakeWebview<HostMessage, FormState, ConnectionFormController>[] = [];
    after(() => forms.forEach((f) => f.controller.dispose()));

    it('saves the prompt box as a template, carries the templates in its state, and deletes one', async () => {
      const page = stage.notion.addPage({ title: 'Weekly Notes' });
      const connection = await connectPage(stage.api, page);
      const webview = new FakeWebview<HostMessage, FormState, ConnectionFormController>((post) =>
        stage.api.forms.connection(post, { connectionId: connection.id }),
      );
      forms.push(webview);
      await webview.send({ type: 'ready' });
      assert.deepStrictEqual(webview.state.connection?.templates, []);

      assert.deepStrictEqual(
        await webview.request({ type: 'saveTemplate', templateName: ' Weekly ', prompt: 'Notes for ${date}\n{{page}}' }),
        { replaced: false },
      );
      await webview.waitFor('the state with the template', () => webview.state.connection?.templates?.length === 1);
      assert.deepStrictEqual(webview.state.connection?.templates, [{ name: 'Weekly', prompt: 'Notes for ${date}\n{{page}}' }]);
      assert.deepStrictEqual(await webview.request({ type: 'saveTemplate', templateName: 'weekly', prompt: 'Other notes' }), {
        replaced: true,
      });
      assert.deepStrictEqual(templatesOf(connection.id), [{ name: 'weekly', prompt: 'Other notes' }]);

      const empty = await webview.reply({ type: 'saveTemplate', templateName: '', prompt: 'Notes' });
      assert.deepStrictEqual(empty, {
        type: 'reply',
        requestId: empty.requestId,
        ok: false,
        error: 'Type a name for the template.',
        field: 'templateName',
      });
      const tooLong = await webview.reply({ type: 'saveTemplate', templateName: 'x'.repeat(101), prompt: 'Notes' });
      assert.ok(!tooLong.ok && /at most 100/.test(tooLong.error));

      assert.deepStrictEqual(await webview.request({ type: 'deleteTemplate', templateName: 'WEEKLY' }), { deleted: true });
      await webview.waitFor('the state without it', () => webview.state.connection?.templates?.length === 0);
      assert.deepStrictEqual(templatesOf(connection.id), []);
      assert.ok(!stage.notion.requests.some((r) => JSON.stringify(r.body ?? '').includes('Other notes')), 'templates never go to Notion');
    });
  });
});
