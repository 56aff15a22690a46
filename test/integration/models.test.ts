import * as assert from 'assert';
import * as vscode from 'vscode';
import { MODEL_DEFAULTS_STATE } from '../../src/services/engines/modelDefaults';
import { GEMINI_KEY, NOTION_SECRET, setSetting, useStage } from './support/visen';

// Models stay current: the default follows what the provider lists when a key is checked; a model the
// provider retired says so and offers Select Model; a compatible server that needs no key works without one.
describe('Models that stay current', () => {
  const stage = useStage({
    keys: { notion: NOTION_SECRET },
    beforeClose: async () => {
      for (const key of ['gemini.model', 'openai.model']) await setSetting(key, undefined);
      await stage.api.store.update(MODEL_DEFAULTS_STATE, undefined);
    },
  });
  afterEach(async () => {
    for (const key of ['gemini.model', 'openai.model']) await setSetting(key, undefined);
    await stage.api.store.update(MODEL_DEFAULTS_STATE, undefined);
  });

  const generate = async (title: string) => {
    const page = stage.notion.addPage({ title });
    stage.ui.inputs.push(page.url, 'A short plan');
    await vscode.commands.executeCommand('visen.generateToPage');
    return page;
  };

  it('a model Gemini no longer serves: says so, offers Select Model, which lists the models and saves the choice', async () => {
    await stage.api.secrets.store('visen.gemini.apiKey', GEMINI_KEY);
    await setSetting('gemini.model', 'gemini-1.5-flash');
    const gone = 'gemini-1.5-flash is no longer available — choose another model.';
    stage.ui.respond = (m) => (m.message === gone && m.actions.includes('Select Model') ? 'Select Model' : undefined);
    stage.ui.picks.push((item) => item.label === 'gemini-3.5-flash-lite');
    const page = await generate('Retired Model Page');

    const shown = stage.ui.messages.find((m) => m.level === 'error');
    assert.ok(shown, 'an error is shown');
    assert.strictEqual(shown.message, gone);
    assert.deepStrictEqual(shown.actions, ['Select Model', 'Show Log']);
    assert.ok(
      stage.ui.pickOffers[0]?.some((i) => i.label === 'gemini-3.8-flash'),
      'Select Model listed what the key can use',
    );
    assert.ok(!stage.ui.pickOffers[0]?.some((i) => i.label === 'gemini-2.5-flash'), 'but no model past its shutdown date');
    assert.strictEqual(vscode.workspace.getConfiguration('visen').get('gemini.model'), 'gemini-3.5-flash-lite');
    assert.deepStrictEqual(stage.notion.pageBlocks(page.id), [], 'nothing was written');
    assert.strictEqual(stage.api.generations.latest()?.status, 'failed');
  });

  it('Set Gemini API Key keeps the default the model catalog recommends from the live list; an empty model setting generates with it', async () => {
    stage.gemini.models = [
      { id: 'gemini-2.5-flash' },
      { id: 'gemini-3-flash-preview' },
      { id: 'gemini-3.5-flash-lite' },
      { id: 'gemini-3.5-flash' },
    ];
    stage.ui.inputs.push(GEMINI_KEY);
    await vscode.commands.executeCommand('visen.setGeminiKey');
    assert.strictEqual(await stage.api.secrets.get('visen.gemini.apiKey'), GEMINI_KEY);
    const kept = stage.api.store.get<Record<string, { origin: string; model: string }>>(MODEL_DEFAULTS_STATE)?.gemini;
    assert.deepStrictEqual([kept?.origin, kept?.model], [new URL(stage.gemini.url).origin, 'gemini-3.5-flash-lite']);

    await generate('Current Default Page');
    assert.match(stage.ui.last('info')!.message, /^Wrote \d+ blocks?/);
    assert.strictEqual(stage.api.generations.latest()?.model, 'gemini-3.5-flash-lite');
    assert.ok(stage.gemini.requests.some((r) => r.path.includes('/models/gemini-3.5-flash-lite:streamGenerateContent')));
  });

  it('with no model chosen and nothing recommended in the live list, Visen asks which model to use (the live list, ranked)', async () => {
    stage.gemini.models = [{ id: 'gemini-2.5-flash' }, { id: 'gemini-3.6-flash' }, { id: 'gemini-3.1-flash-lite' }];
    stage.ui.inputs.push(GEMINI_KEY);
    await vscode.commands.executeCommand('visen.setGeminiKey');
    assert.strictEqual(
      stage.api.store.get<Record<string, { model: string }>>(MODEL_DEFAULTS_STATE)?.gemini?.model,
      '',
      'nothing recommended: no guess',
    );

    stage.ui.picks.push((item) => item.label === 'gemini-3.1-flash-lite');
    const offersBefore = stage.ui.pickOffers.length;
    await generate('Asked Model Page');
    const offered = stage.ui.pickOffers[offersBefore]?.map((i) => i.label);
    assert.deepStrictEqual(
      offered,
      ['gemini-3.6-flash', 'gemini-3.1-flash-lite'],
      'the live list, without the model past its shutdown date',
    );
    assert.strictEqual(vscode.workspace.getConfiguration('visen').get('gemini.model'), 'gemini-3.1-flash-lite', 'the choice is kept');
    assert.strictEqual(stage.api.generations.latest()?.model, 'gemini-3.1-flash-lite');
    assert.ok(stage.gemini.requests.some((r) => r.path.includes('/models/gemini-3.1-flash-lite:streamGenerateContent')));
  });

  it('an OpenAI-compatible server that needs no key: an empty key is accepted, and Visen generates without one', async () => {
    await setSetting('engine', 'openai');
    stage.openai.keyless = true;
    stage.openai.models = ['llama3.2:latest', 'qwen3:8b'];
    await stage.api.contextKeys.update();
    assert.strictEqual(
      stage.api.contextKeys.values.get('visen.hasEngineKey'),
      false,
      'before: no key, and the server has not answered without one',
    );

    stage.ui.inputs.push('');
    await vscode.commands.executeCommand('visen.setOpenAIKey');
    assert.match(stage.ui.asked[0].prompt ?? '', /Leave it empty if the server at .* needs no key\.$/);
    assert.deepStrictEqual(stage.ui.asked[0].problems, [], 'the empty key passed');
    assert.match(stage.ui.last('info')!.message, /answers without a key \(2 text models\): Visen sends none\.$/);
    assert.strictEqual(await stage.api.secrets.get('visen.openai.apiKey'), undefined, 'no key was stored');
    assert.strictEqual(
      stage.api.store.get<Record<string, { model: string }>>(MODEL_DEFAULTS_STATE)?.openai?.model,
      'llama3.2:latest',
      'its first model is the default',
    );

    stage.openai.reset();
    stage.openai.keyless = true;
    stage.openai.models = ['llama3.2:latest', 'qwen3:8b'];
    await generate('Local Model Page');
    assert.match(stage.ui.last('info')?.message ?? stage.ui.last('error')?.message ?? '', /^Wrote \d+ blocks?/);
    assert.strictEqual(stage.api.generations.latest()?.model, 'llama3.2:latest');
    const chat = stage.openai.requests.filter((r) => r.path === '/v1/chat/completions');
    assert.strictEqual(chat.length, 1);
    assert.strictEqual(chat[0].headers.authorization, undefined, 'the request carried no key');
    await stage.api.contextKeys.update();
    assert.strictEqual(stage.api.contextKeys.values.get('visen.hasEngineKey'), true, 'the engine counts as ready');
  });
});
