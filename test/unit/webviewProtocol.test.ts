// The two webview protocols validate with one envelope and one parser (src/views/webviewProtocol.ts): what
// they accept, which field a refusal belongs next to, and that a refusal never repeats the value it refused
// (a key, a prompt). The settings form's models are keyed by the engine registry's kinds.
import assert from 'node:assert/strict';
import { parseWebviewMessage } from '../../src/views/connectionProtocol';
import { LIMITS } from '../../src/views/formLimits';
import { BASE_URL_FIELDS, KEY_NAMES, parseSettingsMessage } from '../../src/views/settingsProtocol';
import { ENGINE_KINDS, ENGINES, needsKey, type EngineDescriptor } from '../../src/services/engines/registry';

const refused = <T extends { ok: boolean }>(parsed: T) => {
  assert.equal(parsed.ok, false, 'the message is refused');
  return parsed as Extract<T, { ok: false }>;
};

describe('webview protocols: one envelope, one parser', () => {
  it('both forms take the same ready handshake and refuse what is not a message', () => {
    for (const parse of [parseWebviewMessage, parseSettingsMessage]) {
      assert.deepEqual(parse({ type: 'ready' }), { ok: true, message: { type: 'ready' } });
      assert.match(refused(parse({ type: 'ready', extra: 1 })).problem, /extra/);
      for (const raw of [null, 'ready', 42, { type: 'launchMissiles' }]) {
        const result = refused(parse(raw));
        assert.match(result.error, /The form sent a request Visen cannot read/);
      }
    }
  });

  it('settings: Save takes a model for every engine of the registry, under its kind', () => {
    const models = Object.fromEntries(ENGINE_KINDS.map((kind) => [kind, `${kind}-model`]));
    const parsed = parseSettingsMessage({ type: 'save', requestId: 1, settings: {}, keys: {}, models });
    assert.ok(parsed.ok && parsed.message.type === 'save');
    assert.deepEqual(parsed.message.models, models);
    assert.ok(ENGINE_KINDS.includes('vscode-lm'), 'VS Code language models are an engine of the registry');
  });

  it('settings: Save takes a key for Notion and each engine that needs one, and a base URL for each engine on a server, by the registry', () => {
    const keyed = ENGINE_KINDS.filter(needsKey);
    const servers = ENGINE_KINDS.filter((kind) => (ENGINES[kind] as EngineDescriptor).settings.baseUrl !== undefined);
    assert.deepEqual(KEY_NAMES, ['notion', ...keyed]);
    assert.deepEqual(
      BASE_URL_FIELDS,
      servers.map((kind) => `${kind}BaseUrl`),
    );
    const keys = Object.fromEntries(KEY_NAMES.map((name) => [name, `${name}-key-value`]));
    const settings = Object.fromEntries(BASE_URL_FIELDS.map((field) => [field, 'https://proxy.example.com']));
    const parsed = parseSettingsMessage({ type: 'save', requestId: 1, settings, keys });
    assert.ok(parsed.ok && parsed.message.type === 'save');
    assert.deepEqual(parsed.message.keys, keys);
    assert.deepEqual(parsed.message.settings, settings);
    // An engine without a key or a server has no such field.
    assert.ok(!needsKey('vscode-lm'));
    assert.equal(refused(parseSettingsMessage({ type: 'save', requestId: 1, settings: {}, keys: { 'vscode-lm': 'x' } })).field, undefined);
    assert.equal(
      refused(parseSettingsMessage({ type: 'save', requestId: 1, settings: { 'vscode-lmBaseUrl': 'https://x' }, keys: {} })).field,
      undefined,
    );
    // Each base URL field carries the base URL limit, answered next to it.
    for (const field of BASE_URL_FIELDS) {
      const long = refused(
        parseSettingsMessage({
          type: 'save',
          requestId: 1,
          settings: { [field]: `https://example.com/${'v'.repeat(LIMITS.baseUrl)}` },
          keys: {},
        }),
      );
      assert.equal(long.field, field);
    }
  });

  it('settings: a model of an engine the registry does not have is refused', () => {
    const result = refused(parseSettingsMessage({ type: 'save', requestId: 1, settings: {}, keys: {}, models: { claude: 'opus' } }));
    assert.equal(result.field, undefined);
    assert.doesNotMatch(result.problem, /opus/);
  });

  it("settings: a model over the limit is answered next to its engine's field, with its length only", () => {
    const model = `copilot-${'m'.repeat(LIMITS.model)}`;
    const result = refused(parseSettingsMessage({ type: 'save', requestId: 1, settings: {}, keys: {}, models: { 'vscode-lm': model } }));
    assert.equal(result.field, 'model-vscode-lm');
    assert.equal(result.error, `The model name is too long (${model.length} characters; at most ${LIMITS.model}).`);
    assert.match(result.problem, /^models\.vscode-lm: /);
    assert.doesNotMatch(result.problem + result.error, /mmmm/);
  });

  it('settings: a key over the limit is answered next to its field, never quoting it', () => {
    const key = `ntn_${'k'.repeat(LIMITS.key)}`;
    const result = refused(parseSettingsMessage({ type: 'save', requestId: 1, settings: {}, keys: { notion: key } }));
    assert.equal(result.field, 'notion');
    assert.doesNotMatch(result.problem + result.error, /kkkk/);
  });

  it('connection: a prompt over the limit goes next to the prompt; a wrong value is never quoted in the log', () => {
    const prompt = refused(
      parseWebviewMessage({
        type: 'generate',
        prompt: 'p'.repeat(LIMITS.prompt + 1),
        engine: 'gemini',
        model: 'gemini-2.5-flash',
        writeMode: 'append',
      }),
    );
    assert.equal(prompt.field, 'prompt');
    assert.doesNotMatch(prompt.error + prompt.problem, /pppp/);

    const engine = refused(parseWebviewMessage({ type: 'settings', engine: 'secret-engine-name' }));
    assert.equal(engine.field, 'engine');
    assert.match(engine.problem, /^engine: expected /);
    assert.doesNotMatch(engine.problem, /secret-engine-name/);
  });
});

describe('connection form protocol: prompt templates', () => {
  it('takes saveTemplate and deleteTemplate as requests, with nothing else in them', () => {
    const save = parseWebviewMessage({ type: 'saveTemplate', requestId: 3, templateName: 'Weekly', prompt: 'Notes for ${date}' });
    assert.deepEqual(save, {
      ok: true,
      message: { type: 'saveTemplate', requestId: 3, templateName: 'Weekly', prompt: 'Notes for ${date}' },
    });
    assert.ok(parseWebviewMessage({ type: 'deleteTemplate', requestId: 4, templateName: 'Weekly' }).ok);
    refused(parseWebviewMessage({ type: 'deleteTemplate', templateName: 'Weekly' }));
    refused(parseWebviewMessage({ type: 'saveTemplate', requestId: 5, templateName: 'Weekly', prompt: 'x', connectionId: 'another' }));
  });

  it('a name or a prompt over its limit is answered next to its field, with its length only', () => {
    const name = refused(
      parseWebviewMessage({ type: 'saveTemplate', requestId: 1, templateName: 'n'.repeat(LIMITS.templateName + 1), prompt: 'x' }),
    );
    assert.equal(name.field, 'templateName');
    assert.equal(name.error, `The template name is too long (${LIMITS.templateName + 1} characters; at most ${LIMITS.templateName}).`);
    assert.doesNotMatch(name.error + name.problem, /nnnn/);
    const prompt = refused(
      parseWebviewMessage({ type: 'saveTemplate', requestId: 1, templateName: 'Weekly', prompt: 'p'.repeat(LIMITS.prompt + 1) }),
    );
    assert.equal(prompt.field, 'prompt');
  });
});
