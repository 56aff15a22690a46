import * as assert from 'assert';
import * as vscode from 'vscode';
import { NOTION_SECRET, setSetting, useStage } from './support/visen';

// code-server has no language-model provider: this is what a person without GitHub Copilot (or another
// provider) sees after choosing visen.engine "vscode-lm".
describe('Engine vscode-lm without a language model', () => {
  const stage = useStage({ keys: { notion: NOTION_SECRET } });
  const NO_MODEL =
    'No language model is available in VS Code — install or sign in to a provider such as GitHub Copilot, or choose Gemini or OpenAI.';

  it('Generate to Notion Page says no model is available, offers Choose Engine and Select Model, and writes nothing', async () => {
    await setSetting('engine', 'vscode-lm');
    const page = stage.notion.addPage({ title: 'Copilot Page', markdown: 'Written by hand.' });
    stage.ui.inputs.push(page.url, 'A short plan');
    await vscode.commands.executeCommand('visen.generateToPage');

    assert.strictEqual(stage.ui.asked.length, 2, 'no key is asked for: the URL, then the prompt');
    const shown = stage.ui.last('error');
    assert.ok(shown, 'an error is shown');
    assert.strictEqual(shown.message, NO_MODEL);
    assert.deepStrictEqual(shown.actions, ['Choose Engine', 'Select Model']);
    assert.deepStrictEqual(
      stage.notion.pageBlocks(page.id).map((b) => b.type),
      ['paragraph'],
      'the page holds only what was there',
    );
    assert.ok(!stage.notion.requests.some((r) => r.method === 'PATCH' && /\/children$/.test(r.path)), 'no block was appended');
    assert.strictEqual(stage.gemini.requests.length + stage.openai.requests.length, 0, 'no other engine was asked');
    const record = stage.api.generations.latest();
    assert.strictEqual(record?.engine, 'vscode-lm');
    assert.strictEqual(record?.status, 'failed');
  });

  it('its Select Model button lists what VS Code offers, and says again that there is none', async () => {
    await setSetting('engine', 'vscode-lm');
    const page = stage.notion.addPage({ title: 'Copilot Page' });
    stage.ui.inputs.push(page.url, 'A short plan');
    stage.ui.respond = (m) => (m.message === NO_MODEL && m.actions.includes('Select Model') ? 'Select Model' : undefined);
    await vscode.commands.executeCommand('visen.generateToPage');
    const errors = stage.ui.messages.filter((m) => m.level === 'error').map((m) => m.message);
    assert.deepStrictEqual(errors, [NO_MODEL, NO_MODEL], 'the generation, then Select Model');
    assert.strictEqual(stage.ui.pickOffers.length, 0, 'no empty model list is offered');
  });
});
