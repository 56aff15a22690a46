import * as assert from 'assert';
import * as vscode from 'vscode';
import { silentLogger } from '../../src/services/logger';
import { WalkthroughProgress } from '../../src/views/walkthrough';
import { GEMINI_KEY, NOTION_SECRET, OPENAI_KEY, useStage, setSetting } from './support/visen';

/** The walkthrough's steps complete on context keys (package.json completionEvents); these drive them. */
describe('Get started walkthrough', () => {
  const stage = useStage();

  const key = async (name: string) => {
    await stage.api.contextKeys.update();
    return stage.api.contextKeys.values.get(name);
  };

  it('declares four steps, each completing on a Visen context key', () => {
    const manifest = vscode.extensions.getExtension('visen.visen')!.packageJSON as {
      contributes: {
        walkthroughs: Array<{ id: string; steps: Array<{ id: string; completionEvents: string[]; media: { markdown: string } }> }>;
      };
    };
    const walkthrough = manifest.contributes.walkthroughs.find((w) => w.id === 'visen.getStarted')!;
    assert.deepStrictEqual(
      walkthrough.steps.map((s) => s.completionEvents),
      [
        ['onContext:visen.hasNotionSecret'],
        ['onContext:visen.hasEngineKey'],
        ['onContext:visen.hasConnectionsDatabase'],
        ['onContext:visen.hasGenerated'],
      ],
    );
    for (const step of walkthrough.steps) assert.match(step.media.markdown, /^media\/walkthrough\/.+\.md$/);
  });

  it("tells VS Code's walkthrough service of each step its key completes, with commands this VS Code has", async () => {
    // VS Code ticks an onContext step only for a change it sees while its walkthrough service is loaded;
    // Visen also marks the step itself, so a key set before the walkthrough was ever opened still ticks it.
    const progress = new WalkthroughProgress(vscode.extensions.getExtension('visen.visen')!, silentLogger);
    assert.deepStrictEqual(Object.fromEntries(progress.keys), {
      'visen.hasNotionSecret': ['visen.visen#visen.getStarted#integration'],
      'visen.hasEngineKey': ['visen.visen#visen.getStarted#engine'],
      'visen.hasConnectionsDatabase': ['visen.visen#visen.getStarted#database'],
      'visen.hasGenerated': ['visen.visen#visen.getStarted#generate'],
    });
    const commands = await vscode.commands.getCommands(false);
    for (const id of ['welcome.markStepComplete', 'welcome.markStepIncomplete', 'workbench.action.openWalkthrough']) {
      assert.ok(commands.includes(id), `${id} is a command of this VS Code`);
    }
  });

  it('step 1 completes only once a valid Notion secret is stored', async () => {
    assert.strictEqual(await key('visen.hasNotionSecret'), false);
    stage.ui.inputs.push('secret_wrong');
    await vscode.commands.executeCommand('visen.setNotionSecret');
    assert.strictEqual(await key('visen.hasNotionSecret'), false, 'a rejected secret does not complete it');
    stage.ui.inputs.push(NOTION_SECRET);
    await vscode.commands.executeCommand('visen.setNotionSecret');
    assert.strictEqual(await key('visen.hasNotionSecret'), true);
  });

  it('step 2 follows the key of the chosen engine', async () => {
    stage.ui.inputs.push(GEMINI_KEY);
    await vscode.commands.executeCommand('visen.setGeminiKey');
    assert.strictEqual(await key('visen.hasEngineKey'), true);
    await setSetting('engine', 'openai');
    assert.strictEqual(await key('visen.hasEngineKey'), false, 'OpenAI chosen, no OpenAI key yet');
    stage.ui.inputs.push(OPENAI_KEY);
    await vscode.commands.executeCommand('visen.setOpenAIKey');
    assert.strictEqual(await key('visen.hasEngineKey'), true);
  });

  it('step 3 completes when a connections database is set, step 4 after the first generation', async () => {
    assert.strictEqual(await key('visen.hasConnectionsDatabase'), false);
    await setSetting('connectionsDatabase', 'https://www.notion.so/0123456789abcdef0123456789abcdef');
    assert.strictEqual(await key('visen.hasConnectionsDatabase'), true);
    await setSetting('connectionsDatabase', undefined);

    await stage.api.secrets.store('visen.notion.secret', NOTION_SECRET);
    await stage.api.secrets.store('visen.gemini.apiKey', GEMINI_KEY);
    assert.strictEqual(await key('visen.hasGenerated'), false);
    const page = stage.notion.addPage({ title: 'First Page' });
    stage.ui.inputs.push(page.url, 'Hello');
    await vscode.commands.executeCommand('visen.generateToPage');
    assert.strictEqual(await key('visen.hasGenerated'), true);
  });
});
