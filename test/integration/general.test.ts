import * as assert from 'assert';
import * as vscode from 'vscode';
import { GEMINI_KEY, OPENAI_KEY, useStage, setSetting, storeKeys } from './support/visen';

describe('Select Model, Send Feedback, Show Log', () => {
  const stage = useStage();

  it('Select Model lists the text models the Gemini key can use and saves the choice', async () => {
    await storeKeys(stage.api, { gemini: GEMINI_KEY });
    stage.ui.picks.push((item) => item.label === 'gemini-3.5-flash-lite');
    await vscode.commands.executeCommand('visen.selectModel');
    const offered = stage.ui.pickOffers[0].map((i) => i.label);
    assert.deepStrictEqual(
      offered.slice(0, 2),
      ['gemini-3.8-flash', 'gemini-3.5-flash-lite'],
      "the model catalog's recommended models first",
    );
    assert.ok(offered.includes('gemini-2.5-flash-lite'), 'a model the catalog does not recommend is still offered');
    assert.ok(!offered.includes('gemini-2.5-flash') && !offered.includes('gemini-2.5-pro'), 'models past their shutdown date are not');
    assert.ok(!offered.some((id) => /embedding/.test(id)), 'no embedding model');
    assert.strictEqual(stage.ui.pickOffers[0].find((i) => i.label === 'gemini-3.8-flash')?.description, 'current · recommended');
    assert.strictEqual(vscode.workspace.getConfiguration('visen').get('gemini.model'), 'gemini-3.5-flash-lite');
    await setSetting('gemini.model', undefined);
  });

  it('Select Model follows visen.engine and asks for the key when there is none', async () => {
    await setSetting('engine', 'openai');
    await vscode.commands.executeCommand('visen.selectModel');
    assert.deepStrictEqual(stage.ui.last('error')!.actions, ['Set OpenAI API Key', 'Show Log']);
    await storeKeys(stage.api, { openai: OPENAI_KEY });
    stage.ui.picks.push((item) => item.label === 'gpt-4o');
    await vscode.commands.executeCommand('visen.selectModel');
    assert.strictEqual(
      stage.ui.pickOffers[0].find((i) => i.label === 'gpt-4.1-mini')?.description,
      'shuts down 2027-01-14',
      'a model announced for shutdown is marked',
    );
    assert.strictEqual(vscode.workspace.getConfiguration('visen').get('openai.model'), 'gpt-4o');
    await setSetting('openai.model', undefined);
  });

  it('Send Feedback opens the issue tracker named in package.json', async () => {
    await vscode.commands.executeCommand('visen.feedback');
    const bugs = (vscode.extensions.getExtension('visen.visen')!.packageJSON as { bugs: { url: string } }).bugs.url;
    assert.deepStrictEqual(stage.ui.opened, [bugs]);
  });
});
