// The settings form's host side, driven the way its webview drives it: protocol messages into
// SettingsFormController.handle, every message it posts back recorded. The services behind it are the real
// ones of the running extension, talking to the loopback stand-ins.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { ModelList, SaveResult, SettingsHostMessage, SettingsState } from '../../src/views/settingsProtocol';
import { openSettingsPanel, type SettingsFormController } from '../../src/views/settingsPanel';
import type { VisenTestApi } from '../../src/extension';
import { ENGINE_KINDS, ENGINES, needsKey, SERVER_ENGINE_KINDS, type EngineDescriptor } from '../../src/services/engines/registry';
import { DEFAULT_OPENAI_MODELS } from '../fakes/openaiFake';
import { FakeWebview } from './support/fakeWebview';
import { GEMINI_KEY, NOTION_SECRET, OPENAI_KEY, useStage, setSetting, storeKeys, visenLog } from './support/visen';

/** Keys the stand-ins reject: typed into the form, they must not come back either. */
const WRONG_NOTION_SECRET = 'secret_wrong_settings_7c1e';
const WRONG_OPENAI_KEY = 'sk-wrong-settings-5d2a';
const ALL_KEYS = [NOTION_SECRET, GEMINI_KEY, OPENAI_KEY, WRONG_NOTION_SECRET, WRONG_OPENAI_KEY];

const config = () => vscode.workspace.getConfiguration('visen');

/** Plays the settings form's webview. */
class SettingsWebview extends FakeWebview<SettingsHostMessage, SettingsState, SettingsFormController> {
  constructor(api: VisenTestApi) {
    // Built by the extension's bundle, so the errors its services throw are the classes the controller knows.
    super((post) => api.forms.settings(post));
  }

  save(settings: Record<string, unknown>, keys: Record<string, string> = {}, models?: Record<string, string>): Promise<SaveResult> {
    return this.request<SaveResult>({ type: 'save', settings, keys, ...(models ? { models } : {}) });
  }

  model(kind: string): string | undefined {
    return this.state.engines.find((e) => e.kind === kind)?.model;
  }

  keySet(name: 'notion' | 'gemini' | 'openai'): boolean | undefined {
    return this.state.keys.find((k) => k.name === name)?.set;
  }
}

describe('Settings form (webview panel host)', () => {
  /** Every form of every test: at the end, none may have posted a key. */
  const forms: SettingsWebview[] = [];
  const resetModelSettings = async () => {
    for (const key of ['gemini.model', 'openai.model', 'vscodeLm.model', 'instructions']) await setSetting(key, undefined);
  };
  const stage = useStage({
    beforeClose: async () => {
      forms.forEach((f) => f.controller.dispose());
      await resetModelSettings();
    },
  });
  beforeEach(resetModelSettings);

  const form = async () => {
    const webview = new SettingsWebview(stage.api);
    forms.push(webview);
    await webview.send({ type: 'ready' });
    return webview;
  };

  it('answers ready with the settings and which keys are set, never their values', async () => {
    await storeKeys(stage.api, { notion: NOTION_SECRET, gemini: GEMINI_KEY });
    await setSetting('writeMode', 'replace');
    const webview = await form();
    const state = webview.state;
    assert.deepStrictEqual(
      state.keys.map((k) => [k.name, k.set]),
      [
        ['notion', true],
        ['gemini', true],
        ['openai', false],
      ],
    );
    assert.deepStrictEqual(
      Object.keys(state.keys[0]).sort(),
      ['label', 'name', 'set'],
      'a key is described by its name, label and flag only',
    );
    assert.strictEqual(state.values.engine, 'gemini');
    assert.strictEqual(state.values.writeMode, 'replace');
    assert.strictEqual(state.values.openaiBaseUrl, stage.openai.url, 'base URLs as settings.json has them');
    assert.deepStrictEqual(
      state.engines.map((e) => [e.kind, e.setting, e.keyName]),
      ENGINE_KINDS.map((kind) => [kind, ENGINES[kind].settings.model, needsKey(kind) ? ENGINES[kind].key.name : undefined]),
      'one model row per engine of the registry',
    );
    for (const engine of state.engines) {
      const descriptor: EngineDescriptor = ENGINES[engine.kind];
      assert.strictEqual(
        engine.keyField !== undefined,
        descriptor.key !== undefined,
        `${engine.kind}: a key field when the registry says it needs a key`,
      );
      assert.strictEqual(
        engine.endpoint?.field,
        descriptor.settings.baseUrl ? `${engine.kind}BaseUrl` : undefined,
        `${engine.kind}: a base URL field when it talks to a server`,
      );
      assert.strictEqual(engine.endpoint?.placeholder, descriptor.settings.officialBaseUrl);
    }
    assert.deepStrictEqual(state.engines.find((e) => e.kind === 'openai')?.keyField, {
      title: 'OpenAI API key',
      hint: 'Paste an OpenAI API key from platform.openai.com/api-keys, or the key of your OpenAI-compatible server.',
      removeLabel: 'Remove the OpenAI API key',
    });
    assert.strictEqual(
      webview.model('gemini'),
      'gemini-3.8-flash',
      "an empty model setting shows the default (the model catalog's recommended one)",
    );
    assert.strictEqual(webview.model('vscode-lm'), '', 'the first model VS Code offers');
    for (const key of ALL_KEYS) assert.ok(!webview.wire.join('\n').includes(key));
  });

  it("saves each engine's base URL in the setting the registry names for it", async () => {
    const webview = await form();
    const settingOf = (kind: (typeof SERVER_ENGINE_KINDS)[number]) => ENGINES[kind].settings.baseUrl;
    const user = (setting: string) => vscode.workspace.getConfiguration().inspect<string>(setting)?.globalValue;
    const before = SERVER_ENGINE_KINDS.map((kind) => [settingOf(kind), user(settingOf(kind))] as const);
    try {
      const settings = Object.fromEntries(SERVER_ENGINE_KINDS.map((kind) => [`${kind}BaseUrl`, ` http://127.0.0.1:9/${kind} `]));
      const result = await webview.save(settings);
      assert.deepStrictEqual(result.errors, {});
      assert.deepStrictEqual([...result.saved].sort(), Object.keys(settings).sort());
      for (const kind of SERVER_ENGINE_KINDS)
        assert.strictEqual(user(settingOf(kind)), `http://127.0.0.1:9/${kind}`, `${settingOf(kind)}, trimmed`);
      const logged =
        (await visenLog(stage.api))
          .split('\n')
          .filter((line) => line.includes('Settings form: saved'))
          .pop() ?? '';
      for (const kind of SERVER_ENGINE_KINDS) assert.ok(logged.includes(settingOf(kind)), `the log names ${settingOf(kind)}: ${logged}`);
    } finally {
      for (const [setting, value] of before)
        await vscode.workspace.getConfiguration().update(setting, value, vscode.ConfigurationTarget.Global);
    }
  });

  it('refuses invalid messages with an answer, and logs them without their values', async () => {
    const webview = await form();
    const before = webview.posted.length;
    for (const bad of [
      null,
      'ready',
      { type: 'launchMissiles' },
      { type: 'save', requestId: 1, settings: { engine: 'claude' }, keys: {} },
      { type: 'save', requestId: 2, settings: {}, keys: { notion: 42 } },
      { type: 'save', requestId: 3, settings: { colour: 'red' }, keys: {} },
      { type: 'save', requestId: 4, settings: {}, keys: { notion: 'x'.repeat(5000) } },
      { type: 'listModels', requestId: -1, engine: 'gemini' },
      { type: 'removeKey', key: 'visen.notion.secret' },
      { type: 'runCommand', command: 'workbench.action.terminal.new' },
    ]) {
      await webview.send(bad);
    }
    const answers = webview.posted.slice(before) as unknown as Array<{ type: string; requestId?: number; error?: string; field?: string }>;
    assert.deepStrictEqual(
      answers.map((m) => m.type),
      ['rejected', 'reply', 'reply', 'reply', 'reply', 'rejected', 'rejected', 'rejected'],
    );
    const tooLong = answers.find((m) => m.requestId === 4)!;
    assert.deepStrictEqual(
      [tooLong.error, tooLong.field],
      ['The key is too long (5,000 characters; at most 1,000).', 'notion'],
      'only its length is told',
    );
    assert.ok(!webview.wire.join('\n').includes('x'.repeat(100)), 'the value is not sent back');
    assert.match(await visenLog(stage.api), /Settings form: refused an invalid message "launchMissiles"/);
  });

  it('Save with a wrong Notion secret shows the error next to the field and stores nothing', async () => {
    const webview = await form();
    const result = await webview.save({}, { notion: WRONG_NOTION_SECRET });
    assert.match(
      result.errors.notion ?? '',
      /Notion rejected the token\. Paste a personal access token .* or the secret of an internal integration here/,
    );
    assert.deepStrictEqual(result.saved, []);
    assert.match(result.message, /Nothing was saved/);
    assert.strictEqual(await stage.api.secrets.get('visen.notion.secret'), undefined);
    assert.ok(
      stage.notion.requests.some((r) => r.path === '/v1/users/me'),
      'the secret was checked with Notion, as the command checks it',
    );
  });

  it('Save with a setting in error stores no key and writes no setting', async () => {
    const webview = await form();
    const result = await webview.save(
      { openaiBaseUrl: 'ftp://example.com', promptBudget: -3, writeMode: 'replace' },
      { gemini: GEMINI_KEY },
    );
    assert.match(result.errors.openaiBaseUrl ?? '', /http/);
    assert.match(result.errors.promptBudget ?? '', /whole number/);
    assert.deepStrictEqual(result.saved, []);
    assert.strictEqual(await stage.api.secrets.get('visen.gemini.apiKey'), undefined);
    assert.strictEqual(config().get('writeMode'), 'append');
    assert.strictEqual(stage.gemini.requests.length, 0, 'no key was sent anywhere');
  });

  it('Save checks and stores valid keys, keeps out a rejected one, and writes the settings to the user settings', async () => {
    const webview = await form();
    const result = await webview.save(
      { engine: 'openai', writeMode: 'replace', instructions: 'Write for engineers.', promptBudget: 25 },
      { notion: NOTION_SECRET, gemini: GEMINI_KEY, openai: WRONG_OPENAI_KEY },
      { openai: 'gpt-4o' },
    );
    assert.deepStrictEqual(Object.keys(result.errors), ['openai']);
    assert.match(result.errors.openai!, /OpenAI rejected the API key/);
    assert.deepStrictEqual([...result.saved].sort(), [
      'engine',
      'gemini',
      'instructions',
      'model-openai',
      'notion',
      'promptBudget',
      'writeMode',
    ]);
    assert.strictEqual(await stage.api.secrets.get('visen.notion.secret'), NOTION_SECRET);
    assert.strictEqual(await stage.api.secrets.get('visen.gemini.apiKey'), GEMINI_KEY);
    assert.strictEqual(await stage.api.secrets.get('visen.openai.apiKey'), undefined, 'the rejected key is not stored');
    // Keys were checked against the stand-ins the way the set-key commands check them.
    assert.ok(stage.gemini.requests.some((r) => /\/models/.test(r.path) && r.headers['x-goog-api-key'] === GEMINI_KEY));
    for (const [key, value] of Object.entries({
      engine: 'openai',
      'openai.model': 'gpt-4o',
      writeMode: 'replace',
      instructions: 'Write for engineers.',
      promptBudget: 25,
    })) {
      assert.strictEqual(config().inspect(key)?.globalValue, value, `visen.${key} is written to the user settings`);
    }
    assert.ok(!JSON.stringify(config()).includes(GEMINI_KEY), 'no key in settings');

    // The form shows the outcome once the host has posted its fresh state.
    await webview.waitFor('the saved state', () => webview.keySet('gemini') === true && webview.state.values.engine === 'openai');
    assert.strictEqual(webview.keySet('openai'), false);

    // Then the right OpenAI key, alone.
    const second = await webview.save({}, { openai: OPENAI_KEY });
    assert.deepStrictEqual(second.errors, {});
    assert.deepStrictEqual(second.saved, ['openai']);
    assert.strictEqual(await stage.api.secrets.get('visen.openai.apiKey'), OPENAI_KEY);
  });

  it('Save checks the connections database like "Set Connections Database", offering to add missing properties', async () => {
    await storeKeys(stage.api, { notion: NOTION_SECRET });
    const db = stage.notion.addDatabase({ title: 'Form Connections', properties: { Name: { title: {} }, URL: { url: {} } } });
    const webview = await form();

    const wrong = await webview.save({ connectionsDatabase: 'https://example.com/not-notion' });
    assert.match(wrong.errors.connectionsDatabase ?? '', /not a Notion link/);
    assert.strictEqual(config().get('connectionsDatabase'), '');

    stage.ui.respond = (m) => (m.level === 'confirm' ? 'Add Properties' : undefined);
    const right = await webview.save({ connectionsDatabase: db.url });
    assert.deepStrictEqual(right.errors, {});
    assert.deepStrictEqual(right.saved, ['connectionsDatabase']);
    assert.match(stage.ui.messages.find((m) => m.level === 'confirm')!.message, /lacks properties Visen writes/);
    assert.ok(
      stage.notion.requests.some((r) => r.method === 'PATCH' && r.path.startsWith('/v1/data_sources/')),
      'the properties were added',
    );
    assert.strictEqual(config().inspect('connectionsDatabase')?.globalValue, db.url);
    await webview.waitFor('the linked database in the form', () => webview.state.values.connectionsDatabase === db.url);
  });

  it("saves each engine's model in the setting the registry names, VS Code's language models included", async () => {
    const webview = await form();
    const result = await webview.save({}, {}, { 'vscode-lm': '  copilot-gpt-4o ', gemini: 'gemini-2.5-pro' });
    assert.deepStrictEqual(result.errors, {});
    assert.deepStrictEqual([...result.saved].sort(), ['model-gemini', 'model-vscode-lm']);
    assert.strictEqual(config().inspect('vscodeLm.model')?.globalValue, 'copilot-gpt-4o');
    assert.strictEqual(config().inspect('gemini.model')?.globalValue, 'gemini-2.5-pro');
    await webview.waitFor(
      'the saved models in the form',
      () => webview.model('vscode-lm') === 'copilot-gpt-4o' && webview.model('gemini') === 'gemini-2.5-pro',
    );

    // A model that is not one line is refused next to its engine's field, and nothing is written.
    const writeMode = config().get('writeMode');
    const wrong = await webview.save(
      { writeMode: writeMode === 'replace' ? 'append' : 'replace' },
      {},
      { openai: 'gpt-4o\nsystem: ignore' },
    );
    assert.deepStrictEqual(Object.keys(wrong.errors), ['model-openai']);
    assert.match(wrong.errors['model-openai'] ?? '', /one line/);
    assert.deepStrictEqual(wrong.saved, []);
    assert.strictEqual(config().get('writeMode'), writeMode, 'no setting was written');

    // An engine the registry does not have is not a field: the message is refused.
    const unknown = await webview.reply({ type: 'save', settings: {}, keys: {}, models: { claude: 'opus' } });
    assert.ok(!unknown.ok);
  });

  it('lists the models the stored key of the current engine can use, from the stand-in', async () => {
    await setSetting('engine', 'openai');
    const webview = await form();
    const missing = await webview.reply({ type: 'listModels', engine: 'openai' });
    assert.ok(!missing.ok);
    assert.match(missing.error, /Save your OpenAI API key first/);

    await storeKeys(stage.api, { openai: OPENAI_KEY });
    const reply = await webview.reply({ type: 'listModels', engine: webview.state.values.engine });
    assert.ok(reply.ok, reply.ok ? '' : reply.error);
    const list = reply.result as ModelList;
    assert.strictEqual(list.engine, 'openai');
    assert.deepStrictEqual([...list.models.map((m) => m.id)].sort(), [...DEFAULT_OPENAI_MODELS].sort());
    assert.ok(
      stage.openai.requests.some((r) => /\/models/.test(r.path)),
      'asked the configured server',
    );

    // Choosing one is a Save of that model.
    const saved = await webview.save({}, {}, { openai: list.models[0].id });
    assert.deepStrictEqual(saved.saved, ['model-openai']);
    assert.strictEqual(config().get('openai.model'), list.models[0].id);
  });

  it('Remove deletes one key; Clear clears them all only after the confirmation', async () => {
    await storeKeys(stage.api, { notion: NOTION_SECRET, gemini: GEMINI_KEY, openai: OPENAI_KEY });
    const webview = await form();
    await webview.send({ type: 'removeKey', key: 'gemini' });
    assert.strictEqual(await stage.api.secrets.get('visen.gemini.apiKey'), undefined);
    assert.strictEqual(await stage.api.secrets.get('visen.openai.apiKey'), OPENAI_KEY);
    await webview.waitFor('gemini shown as not set', () => webview.keySet('gemini') === false);

    await webview.send({ type: 'clearKeys' });
    const question = stage.ui.last('confirm');
    assert.ok(question, 'asked first');
    assert.deepStrictEqual(question.actions, ['Clear Keys']);
    assert.strictEqual(await stage.api.secrets.get('visen.notion.secret'), NOTION_SECRET, 'dismissing keeps them');

    stage.ui.respond = (m) => (m.level === 'confirm' ? 'Clear Keys' : undefined);
    await webview.send({ type: 'clearKeys' });
    for (const name of ['visen.notion.secret', 'visen.gemini.apiKey', 'visen.openai.apiKey'] as const) {
      assert.strictEqual(await stage.api.secrets.get(name), undefined, `${name} is cleared`);
    }
    await webview.waitFor('every key shown as not set', () => webview.state.keys.every((k) => !k.set));
  });

  it('follows settings.json and the key commands while it is open', async () => {
    const webview = await form();
    assert.strictEqual(webview.state.values.writeMode, 'append');
    await setSetting('writeMode', 'replace');
    await setSetting('gemini.model', 'gemini-2.5-pro');
    await webview.waitFor(
      'the edited settings',
      () => webview.state.values.writeMode === 'replace' && webview.model('gemini') === 'gemini-2.5-pro',
    );

    assert.strictEqual(webview.keySet('gemini'), false);
    stage.ui.inputs.push(GEMINI_KEY);
    await vscode.commands.executeCommand('visen.setGeminiKey');
    await webview.waitFor('the key set by the command', () => webview.keySet('gemini') === true);
  });

  it('"Visen: Open Settings" opens one settings panel, reveals it when run again, under a strict CSP', async () => {
    const settingsTabs = () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('visen.settings'));
    const deadline = Date.now() + 5000;
    await vscode.commands.executeCommand('visen.openSettings');
    while (settingsTabs().length === 0) {
      if (Date.now() > deadline) {
        const all = vscode.window.tabGroups.all
          .flatMap((g) => g.tabs)
          .map((t) => `${t.label} (${t.input instanceof vscode.TabInputWebview ? t.input.viewType : typeof t.input})`);
        assert.fail(`no settings form among the tabs: ${all.join(', ')}; errors shown: ${JSON.stringify(stage.ui.messages)}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    await vscode.commands.executeCommand('visen.openSettings');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepStrictEqual(
      settingsTabs().map((t) => t.label),
      ['Visen Settings'],
      'one panel',
    );

    // The page it loads: a strict CSP, scripts by nonce only, assets from the extension's built folders.
    const { extensionUri } = vscode.extensions.getExtension('visen.visen')!;
    const panel = openSettingsPanel(stage.api, extensionUri);
    assert.match(panel.webview.html, /default-src 'none'/);
    assert.match(panel.webview.html, /script-src 'nonce-[A-Za-z0-9+/=]+'/);
    assert.doesNotMatch(panel.webview.html, /unsafe-(inline|eval)/);
    assert.match(panel.webview.html, /settings\.js/);
    assert.match(panel.webview.html, /shared\/form\.css[\s\S]*settings\.css/);
    // The translations ride on <body> as data, read by the page's script: no inline script carries them.
    const l10nAttribute = /<body data-l10n="([^"]*)">/.exec(panel.webview.html)?.[1];
    assert.ok(l10nAttribute !== undefined, "the bundle of VS Code's language on <body>");
    const l10nBundle: unknown = JSON.parse(
      l10nAttribute
        .replace(/&quot;/g, '"')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&'),
    );
    assert.deepStrictEqual(l10nBundle, vscode.l10n.bundle ?? {});
    assert.deepStrictEqual(
      panel.webview.options.localResourceRoots?.map((u) => u.path.split('/').slice(-2).join('/')),
      ['dist/webview', `${extensionUri.path.split('/').pop()}/media`],
    );
    await vscode.window.tabGroups.close(settingsTabs());
  });

  it('never posts a key to the webview, not even one it was given', () => {
    assert.ok(forms.length > 5, 'the forms of the tests above');
    const wire = forms.flatMap((f) => f.wire).join('\n');
    assert.ok(wire.includes('"type":"state"'), 'messages were recorded');
    for (const key of ALL_KEYS) {
      assert.ok(!wire.includes(key), 'no key in any posted message');
      // Not partly either: the distinctive middle of each key.
      assert.ok(!wire.includes(key.slice(3, -3)), 'no part of a key in any posted message');
    }
  });
});
