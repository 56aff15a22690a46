// The engine registry is the one table engines are described in: kinds, labels, keys, default models and
// settings are derived from it, so each entry must be complete and agree with the manifest.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConnectionSchema } from '../../src/services/connections/connection';
import {
  DEFAULT_ENGINE,
  DEFAULT_MODELS,
  ENGINE_KINDS,
  ENGINE_LABELS,
  ENGINE_SECRET_NAMES,
  ENGINES,
  defaultModelFrom,
  engineKindOf,
  needsKey,
  SET_KEY_COMMANDS,
  type EngineDescriptor,
} from '../../src/services/engines/registry';
import * as v from 'valibot';

/** Visen's package.json, above the test bundle wherever it was built. */
function manifestPath(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file) && JSON.parse(fs.readFileSync(file, 'utf8')).name === 'visen') return file;
    if (path.dirname(dir) === dir) throw new Error(`no Visen package.json above ${__dirname}`);
  }
}

function manifest(): {
  contributes: { configuration: { properties: Record<string, { enum?: string[] }> }; commands: { command: string }[] };
} {
  return JSON.parse(fs.readFileSync(manifestPath(), 'utf8'));
}

describe('engine registry', () => {
  const pkg = manifest();
  const properties = pkg.contributes.configuration.properties;
  const entries = ENGINE_KINDS.map((kind) => [kind, ENGINES[kind] as EngineDescriptor] as const);

  it('lists gemini, openai and vscode-lm, each with a label and a default model rule', () => {
    assert.deepEqual([...ENGINE_KINDS], ['gemini', 'openai', 'vscode-lm']);
    for (const [kind, engine] of entries) {
      assert.ok(engine.label.trim(), `${kind} has a label`);
      assert.equal(ENGINE_LABELS[kind], engine.label);
      assert.equal(typeof engine.defaultModel.fallback, 'string', `${kind} has a default rule`);
      assert.equal(DEFAULT_MODELS[kind], engine.defaultModel.fallback);
    }
  });

  it('gives an engine a secret exactly when it needs a key, each secret and set-key command its own', () => {
    for (const [kind, engine] of entries) {
      assert.equal(needsKey(kind), engine.key !== undefined);
      if (engine.key) {
        assert.match(engine.key.secret, /^visen\.[a-zA-Z]+\.apiKey$/, `${kind}'s secret name`);
        assert.ok(engine.key.helpUrl.startsWith('https://'), `${kind}'s key help link`);
        assert.ok(
          pkg.contributes.commands.some((c) => c.command === engine.key!.setKeyCommand),
          `${engine.key.setKeyCommand} is contributed`,
        );
      }
    }
    assert.deepEqual(ENGINE_SECRET_NAMES, ['visen.gemini.apiKey', 'visen.openai.apiKey']);
    assert.deepEqual(SET_KEY_COMMANDS, ['visen.setGeminiKey', 'visen.setOpenAIKey']);
    assert.equal(new Set(ENGINE_SECRET_NAMES).size, ENGINE_SECRET_NAMES.length);
    assert.equal(needsKey('vscode-lm'), false);
  });

  it('reads settings that exist in contributes.configuration; base URLs are application-scoped', () => {
    assert.deepEqual(properties['visen.engine'].enum, ENGINE_KINDS, 'visen.engine lists every engine, in the same order');
    assert.equal(
      (properties['visen.engine'] as { default?: string }).default,
      DEFAULT_ENGINE,
      "the manifest's default engine is the one Visen falls back to",
    );
    for (const [kind, engine] of entries) {
      assert.ok(properties[engine.settings.model], `${kind}: ${engine.settings.model} is contributed`);
      if (engine.settings.baseUrl) {
        const baseUrl = properties[engine.settings.baseUrl] as { scope?: string } | undefined;
        assert.ok(baseUrl, `${kind}: ${engine.settings.baseUrl} is contributed`);
        assert.equal(baseUrl.scope, 'application', `${engine.settings.baseUrl} is a user setting only`);
        assert.ok(engine.settings.officialBaseUrl?.startsWith('https://'));
        assert.ok(engine.settings.baseUrlHint?.().trim(), `${kind}: the settings form's hint under its base URL field`);
      }
    }
  });

  it('keeps an engine that needs the vscode API host-side, in src/platform', () => {
    for (const [kind, engine] of entries) assert.equal(engine.needsVscode, engine.load === 'host', kind);
    assert.equal(ENGINES['vscode-lm'].load, 'host');
  });

  it("finds each engine's module where the build looks for it (esbuild.js: one bundle per engine)", () => {
    const root = path.dirname(manifestPath());
    for (const [kind, engine] of entries) {
      const file =
        engine.load === 'host'
          ? path.join(root, 'src/platform', `${kind.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())}.ts`)
          : path.join(root, 'src/services/engines', `${kind}.ts`);
      assert.ok(fs.existsSync(file), `${kind}: ${file}`);
      const source = fs.readFileSync(file, 'utf8');
      assert.match(source, /export const createEngine\b/, `${kind}: its module makes the engine`);
    }
  });

  it('derives the connection schema and the connections database Engine values from the table', () => {
    const base = {
      id: 'c1',
      name: 'n',
      type: 'page',
      target: { id: '12345678-1234-1234-1234-123456789abc', url: 'https://www.notion.so/t', title: 't' },
      createdAt: new Date().toISOString(),
      usage: { prompts: 0, inputTokens: 0, outputTokens: 0 },
    };
    for (const kind of ENGINE_KINDS) {
      const parsed = v.safeParse(ConnectionSchema, { ...base, engine: kind });
      assert.ok(parsed.success, `a connection may use ${kind}: ${parsed.success ? '' : parsed.issues[0].message}`);
      assert.equal(engineKindOf(kind), kind);
    }
    assert.equal(v.safeParse(ConnectionSchema, { ...base, engine: 'claude' }).success, false);
    assert.equal(engineKindOf('claude'), undefined);
    assert.equal(engineKindOf(undefined), undefined);
  });

  it('chooses a default model by its rule over the live list', () => {
    const gemini = [
      { id: 'models/gemini-3-pro-preview' },
      { id: 'models/gemini-3.5-flash-lite' },
      { id: 'models/gemini-2.5-flash' },
      { id: 'models/gemini-2.0-flash' },
    ];
    assert.equal(defaultModelFrom('gemini', gemini), 'gemini-3.5-flash-lite', "the model catalog's recommended one");
    assert.equal(
      defaultModelFrom('openai', [{ id: 'gpt-5' }, { id: 'gpt-4.1-mini' }]),
      undefined,
      'nothing recommended: none (Visen asks)',
    );
    assert.equal(defaultModelFrom('openai', [{ id: 'llama3.2' }], { official: false }), 'llama3.2', 'another server: its first model');
    assert.equal(defaultModelFrom('vscode-lm', [{ id: 'copilot-gpt-4o' }]), 'copilot-gpt-4o');
    assert.equal(defaultModelFrom('vscode-lm', []), undefined);
  });
});
