// Models stay current: the default model is a rule over the live list, chosen when a key is checked and
// kept per server; a model the provider no longer serves is its own error; a compatible server that needs
// no key is used without one. Real engines over real HTTP against the loopback stand-ins.
import assert from 'node:assert/strict';
import { EngineError, readStream } from '../../src/services/engines/engine';
import * as gemini from '../../src/services/engines/gemini';
import { ModelDefaults, MODEL_DEFAULTS_STATE } from '../../src/services/engines/modelDefaults';
import * as openai from '../../src/services/engines/openai';
import { defaultModelFrom, DEFAULT_MODELS } from '../../src/services/engines/registry';
import { MemoryStore } from '../../src/services/keyValueStore';
import { GEMINI_MODELS_2026, startGeminiFake, type GeminiFake } from '../fakes/geminiFake';
import { OPENAI_MODEL_CREATED, startOpenAIFake, type OpenAIFake } from '../fakes/openaiFake';
import { collect, rejection } from '../support/async';

const ids = (...list: string[]) => list.map((id) => ({ id }));
const signal = () => new AbortController().signal;

const engineError = (promise: Promise<unknown>) => rejection(promise, EngineError);

describe('default model rules', () => {
  it('Gemini: the first recommended model of the catalog that the live list has, never one shut down', () => {
    const live = ids(
      'gemini-3-flash-preview',
      'gemini-2.5-flash',
      'gemini-3.5-flash-lite',
      'gemini-flash-latest',
      'gemini-3.8-flash',
      'gemini-3.5-flash',
    );
    assert.equal(defaultModelFrom('gemini', live), 'gemini-3.8-flash');
    assert.equal(
      defaultModelFrom('gemini', ids('models/gemini-3.5-flash', 'models/gemini-3.5-flash-lite')),
      'gemini-3.5-flash-lite',
      'the next recommended one',
    );
    assert.equal(
      defaultModelFrom('gemini', ids('gemini-3-flash-preview', 'gemini-2.5-pro', 'gemini-3.5-flash')),
      undefined,
      'nothing recommended: no guess (Visen asks)',
    );
    assert.equal(defaultModelFrom('gemini', ids('gemini-2.5-flash')), undefined, 'a model past its shutdown date is never chosen');
  });

  it('OpenAI: the first recommended model the live list has on the official API; no naming rule', () => {
    const live = ids('gpt-5-mini-2025-08-07', 'gpt-4o-mini', 'gpt-6-luna', 'gpt-4.1-mini', 'gpt-5-mini', 'gpt-6.1-terra', 'gpt-9-mini');
    assert.equal(defaultModelFrom('openai', live, { official: true }), 'gpt-6.1-terra');
    assert.equal(defaultModelFrom('openai', ids('gpt-4.1-mini', 'gpt-6-luna')), 'gpt-6-luna');
    assert.equal(
      defaultModelFrom('openai', ids('gpt-4o', 'gpt-4o-mini', 'gpt-5-mini', 'gpt-9-mini'), { official: true }),
      undefined,
      'nothing recommended: Visen asks rather than taking the newest (maybe the dearest)',
    );
  });

  it('OpenAI-compatible server: the first model it lists', () => {
    assert.equal(defaultModelFrom('openai', ids('llama3.2:latest', 'qwen3:8b', 'gpt-5-mini'), { official: false }), 'llama3.2:latest');
    assert.equal(defaultModelFrom('openai', [], { official: false }), undefined);
  });
});

describe('default models from the live lists of the stand-ins', () => {
  let geminiFake: GeminiFake;
  let openaiFake: OpenAIFake;
  before(async () => {
    geminiFake = await startGeminiFake({ chunkDelayMs: 0, models: GEMINI_MODELS_2026 });
    openaiFake = await startOpenAIFake({ chunkDelayMs: 0 });
  });
  after(async () => {
    await geminiFake.close();
    await openaiFake.close();
  });
  beforeEach(() => {
    geminiFake.reset();
    openaiFake.reset();
  });

  it('Gemini: only models that support generateContent count', async () => {
    const engine = gemini.createEngine({ apiKey: 'AIza-fake-gemini', baseUrl: geminiFake.url });
    assert.equal(defaultModelFrom('gemini', await engine.listModels()), undefined, 'the 2026 list of the stand-in has nothing recommended');
    geminiFake.models.push({ id: 'gemini-3.8-flash', methods: ['bidiGenerateContent'] });
    assert.equal(
      defaultModelFrom('gemini', await engine.listModels()),
      undefined,
      'a model that cannot generateContent is not the default',
    );
    geminiFake.models.push({ id: 'gemini-3.5-flash-lite' });
    assert.equal(defaultModelFrom('gemini', await engine.listModels()), 'gemini-3.5-flash-lite');
  });

  it('OpenAI: a compatible server keeps its own order; the rule reads that list as either kind of server', async () => {
    openaiFake.models = ['gpt-4o', 'gpt-4.1-mini-2025-04-14', 'whisper-1', 'gpt-4o-mini', 'gpt-4.1-mini', 'gpt-5-mini'];
    openaiFake.created = { 'gpt-5-mini': 1754425928 };
    const models = await openai.createEngine({ apiKey: 'sk-fake-openai', baseUrl: openaiFake.url }).listModels();
    assert.deepEqual(
      models.map((m) => m.id),
      ['gpt-4o', 'gpt-4.1-mini-2025-04-14', 'gpt-4o-mini', 'gpt-4.1-mini', 'gpt-5-mini'],
      "the server's order, without whisper",
    );
    assert.equal(defaultModelFrom('openai', models, { official: false }), 'gpt-4o');
    assert.equal(defaultModelFrom('openai', models, { official: true }), undefined, 'nothing recommended on the official API: Visen asks');
    assert.ok(OPENAI_MODEL_CREATED['gpt-4.1-mini'] > OPENAI_MODEL_CREATED['gpt-4o-mini'], "the stand-in reports OpenAI's creation times");
  });

  it('is kept when the key is checked, per engine and server, and read back only for that server', async () => {
    const store = new MemoryStore();
    const defaults = new ModelDefaults(store);
    assert.equal(defaults.get('gemini', geminiFake.url), undefined, 'nothing before a key was checked');
    assert.equal(DEFAULT_MODELS.gemini, 'gemini-3.8-flash', "the fallback until then: the catalog's first recommended model");
    const engine = gemini.createEngine({ apiKey: 'AIza-fake-gemini', baseUrl: geminiFake.url });
    assert.equal(
      await defaults.remember('gemini', geminiFake.url, await engine.listModels(), true),
      '',
      'nothing recommended: kept as "ask"',
    );
    assert.equal(defaults.get('gemini', geminiFake.url), '', 'an empty default: Visen asks');
    geminiFake.models.push({ id: 'gemini-3.5-flash-lite' });
    assert.equal(await defaults.remember('gemini', geminiFake.url, await engine.listModels(), true), 'gemini-3.5-flash-lite');
    assert.equal(defaults.get('gemini', `${geminiFake.url}/`), 'gemini-3.5-flash-lite', 'the same server');
    assert.equal(defaults.get('gemini', 'https://generativelanguage.googleapis.com'), undefined, 'another server has other models');
    assert.equal(defaults.get('openai', geminiFake.url), undefined);

    openaiFake.models = ['llama3.2:latest', 'qwen3:8b'];
    const compatible = openai.createEngine({ apiKey: 'sk-fake-openai', baseUrl: openaiFake.url });
    assert.equal(await defaults.remember('openai', openaiFake.url, await compatible.listModels(), false), 'llama3.2:latest');
    assert.deepEqual(Object.keys(store.get<Record<string, unknown>>(MODEL_DEFAULTS_STATE) ?? {}).sort(), ['gemini', 'openai']);

    geminiFake.models.push({ id: 'gemini-3.8-flash' });
    await defaults.remember('gemini', geminiFake.url, await engine.listModels(), true);
    assert.equal(defaults.get('gemini', geminiFake.url), 'gemini-3.8-flash', 'a later check follows the provider');

    // A default kept before its model's shutdown date is not used after it: Visen asks.
    await store.update(MODEL_DEFAULTS_STATE, {
      ...store.get<object>(MODEL_DEFAULTS_STATE),
      gemini: { origin: new URL(geminiFake.url).origin, model: 'gemini-2.5-flash', at: '2026-06-01T00:00:00Z' },
    });
    assert.equal(defaults.get('gemini', geminiFake.url), '');
  });
});

describe('a model the provider no longer serves', () => {
  let geminiFake: GeminiFake;
  let openaiFake: OpenAIFake;
  before(async () => {
    geminiFake = await startGeminiFake({ chunkDelayMs: 0 });
    openaiFake = await startOpenAIFake({ chunkDelayMs: 0 });
  });
  after(async () => {
    await geminiFake.close();
    await openaiFake.close();
  });

  it('Gemini: the 404 NOT_FOUND of generateContent says so, naming the model', async () => {
    const engine = gemini.createEngine({ apiKey: 'AIza-fake-gemini', baseUrl: geminiFake.url });
    for (const run of [
      () => collect(engine.stream({ model: 'gemini-1.5-flash', prompt: 'x' }, signal())),
      () => engine.complete({ model: 'gemini-1.5-flash', prompt: 'x' }, signal()),
    ]) {
      const error = await engineError(run());
      assert.equal(error.kind, 'modelGone');
      assert.equal(error.status, 404);
      assert.equal(error.message, 'gemini-1.5-flash is no longer available — choose another model.');
    }
    // A model that exists but cannot generateContent gets the same 404 from the API.
    const embedding = await engineError(collect(engine.stream({ model: 'gemini-embedding-001', prompt: 'x' }, signal())));
    assert.equal(embedding.kind, 'modelGone');
  });

  it('OpenAI: the 404 model_not_found says so, naming the model', async () => {
    const engine = openai.createEngine({ apiKey: 'sk-fake-openai', baseUrl: openaiFake.url });
    for (const run of [
      () => collect(engine.stream({ model: 'gpt-4.5-preview', prompt: 'x' }, signal())),
      () => engine.complete({ model: 'gpt-4.5-preview', prompt: 'x' }, signal()),
    ]) {
      const error = await engineError(run());
      assert.equal(error.kind, 'modelGone');
      assert.equal(error.status, 404);
      assert.equal(error.message, 'gpt-4.5-preview is no longer available — choose another model.');
    }
  });

  it('keeps other 404s apart: a wrong path is not a retired model', async () => {
    const engine = openai.createEngine({ apiKey: 'sk-fake-openai', baseUrl: `${openaiFake.url}/extra` });
    const error = await engineError(collect(engine.stream({ model: 'gpt-4.1-mini', prompt: 'x' }, signal())));
    assert.notEqual(error.kind, 'modelGone');
  });
});

describe('an OpenAI-compatible server without a key', () => {
  let fake: OpenAIFake;
  before(async () => {
    fake = await startOpenAIFake({ chunkDelayMs: 0, keyless: true, models: ['llama3.2:latest'] });
  });
  after(() => fake.close());
  beforeEach(() => fake.reset());

  it('generates and lists models with no Authorization header at all', async () => {
    const engine = openai.createEngine({ apiKey: '', baseUrl: fake.url });
    assert.deepEqual(
      (await engine.listModels()).map((m) => m.id),
      ['llama3.2:latest'],
    );
    let text = '';
    const end = await readStream(engine.stream({ model: 'llama3.2:latest', prompt: 'Hello' }, signal()), (piece) => (text += piece));
    assert.ok(text.length > 0);
    assert.deepEqual(end.ending, { reason: 'stop' });
    assert.equal(fake.requests.length, 2);
    for (const request of fake.requests) assert.equal(request.headers.authorization, undefined, `${request.path} carried no key`);
  });

  it('a server that wants a key refuses, and the message says to set one', async () => {
    fake.keyless = false;
    const engine = openai.createEngine({ apiKey: '', baseUrl: fake.url });
    const error = await engineError(collect(engine.stream({ model: 'llama3.2:latest', prompt: 'Hello' }, signal())));
    assert.equal(error.kind, 'auth');
    assert.match(error.message, /asks for an API key\. Run "Visen: Set OpenAI API Key"/);
    assert.equal(fake.requests[0].headers.authorization, undefined);
  });
});
