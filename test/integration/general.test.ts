import * as assert from 'assert';
import * as vscode from 'vscode';
import { GEMINI_KEY, OPENAI_KEY, useStage, setSetting, storeKeys } from './support/visen';

describe('Select Model, Send Feedback, Show Log', () => {
  const stage = useStage();

  it('Select Model lists the text models the Gemini key can use and saves the choice', async () => {
    await storeKeys(stage.api, { gemini: GEMINI_KEY });
    stage.ui.picks.push((item) => item.label === 'gemini-2.5-pro');
    await vscode.commands.executeCommand('visen.selectModel');
    const offered = stage.ui.pickOffers[0].map((i) => i.label);
    assert.ok(offered.includes('gemini-2.5-flash') && offered.includes('gemini-2.5-pro'));
    assert.ok(!offered.some((id) => /embedding/.test(id)), 'no embedding model');
    assert.strictEqual(stage.ui.pickOffers[0].find((i) => i.label === 'gemini-2.5-flash')?.description, 'current');
    assert.strictEqual(vscode.workspace.getConfiguration('visen').get('gemini.model'), 'gemini-2.5-pro');
    await setSetting('gemini.model', undefined);
  });

  it('Select Model follows visen.engine and asks for the key when there is none', async () => {
    await setSetting('engine', 'openai');
    await vscode.commands.executeCommand('visen.selectModel');
    assert.deepStrictEqual(stage.ui.last('error')!.actions, ['Set OpenAI API Key', 'Show Log']);
    await storeKeys(stage.api, { openai: OPENAI_KEY });
    stage.ui.picks.push((item) => item.label === 'gpt-4o');
    await vscode.commands.executeCommand('visen.selectModel');
    assert.ok(stage.ui.pickOffers[0].some((i) => i.label === 'gpt-4.1-mini'));
    assert.strictEqual(vscode.workspace.getConfiguration('visen').get('openai.model'), 'gpt-4o');
    await setSetting('openai.model', undefined);
  });

  it('Send Feedback opens the issue tracker named in package.json', async () => {
    await vscode.commands.executeCommand('visen.feedback');
    const bugs = (vscode.extensions.getExtension('visen.visen')!.packageJSON as { bugs: { url: string } }).bugs.url;
    assert.deepStrictEqual(stage.ui.opened, [bugs]);
  });
});
