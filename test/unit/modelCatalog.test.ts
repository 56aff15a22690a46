// The model catalog: dated data citing the providers' pages, which ranks the live model list. Its age is
// checked here: the test fails when the catalog is older than CATALOG_MAX_AGE_DAYS (npm run models:check warns
// from CATALOG_WARN_AGE_DAYS), so CI cannot keep passing on a catalog nobody refreshed.
import assert from 'node:assert/strict';
import * as gemini from '../../src/services/engines/gemini';
import { readStream } from '../../src/services/engines/engine';
import {
  CATALOG_MAX_AGE_DAYS,
  CATALOG_WARN_AGE_DAYS,
  catalogFallback,
  catalogSuggestions,
  daysBetween,
  isShutDown,
  MODEL_CATALOG,
  rankModels,
  recommendedFrom,
  today,
} from '../../src/services/engines/modelCatalog';
import * as openai from '../../src/services/engines/openai';
import { DEFAULT_MODELS, defaultModelFrom, ENGINES } from '../../src/services/engines/registry';
import { startGeminiFake, type GeminiFake } from '../fakes/geminiFake';
import { startOpenAIFake, type OpenAIFake } from '../fakes/openaiFake';

const ids = (...list: string[]) => list.map((id) => ({ id }));
const DATE = /^\d{4}-\d{2}-\d{2}$/;

describe('model catalog', () => {
  it(`is at most ${CATALOG_MAX_AGE_DAYS} days old (npm run models:check warns after ${CATALOG_WARN_AGE_DAYS})`, () => {
    assert.match(MODEL_CATALOG.checkedOn, DATE);
    const age = daysBetween(MODEL_CATALOG.checkedOn, today());
    assert.ok(age >= 0, 'checkedOn is not in the future');
    assert.ok(age <= CATALOG_MAX_AGE_DAYS, `the catalog was checked ${age} days ago: refresh it (README, "Models")`);
  });

  it('every entry is complete, dated and cites a page of its provider', () => {
    const seen = new Set<string>();
    for (const m of MODEL_CATALOG.models) {
      const key = `${m.provider}/${m.id}`;
      assert.ok(!seen.has(key), `${key} once`);
      seen.add(key);
      assert.ok(m.provider === 'openai' || m.provider === 'gemini', key);
      assert.ok(['flagship', 'balanced', 'lite'].includes(m.tier), `${key}: tier`);
      for (const date of [m.released, m.deprecated, m.shutdown]) assert.ok(date === null || DATE.test(date), `${key}: ${date}`);
      if (m.deprecated && m.shutdown) assert.ok(m.deprecated <= m.shutdown, `${key}: deprecated before shut down`);
      const host = m.provider === 'openai' ? /^https:\/\/(developers|platform)\.openai\.com\// : /^https:\/\/ai\.google\.dev\//;
      assert.match(m.source ?? '', host, `${key}: cites its provider's page`);
      if (m.secondary !== undefined) {
        assert.match(m.secondary, /^https:\/\//, `${key}: the secondary page is a link`);
        assert.doesNotMatch(m.secondary, host, `${key}: a provider's page is the source, not a secondary one`);
      }
      if (m.recommended) assert.ok(!isShutDown(m.provider, m.id, MODEL_CATALOG.checkedOn), `${key}: a recommended model is served`);
    }
    for (const provider of ['openai', 'gemini'] as const) {
      assert.ok(
        MODEL_CATALOG.models.some((m) => m.provider === provider && m.recommended && !m.shutdown),
        `${provider}: something recommended`,
      );
    }
  });

  it('on 2026-12-06: gpt-5-mini is still served until 2026-12-11; gemini-2.5-flash is shut down; the 4.1/4o minis go on 2027-01-14', () => {
    assert.equal(isShutDown('openai', 'gpt-5-mini', '2026-12-06'), false);
    assert.equal(isShutDown('openai', 'gpt-5-mini', '2026-12-11'), true, 'the shutdown day counts');
    assert.equal(isShutDown('gemini', 'gemini-2.5-flash', '2026-12-06'), true);
    assert.equal(isShutDown('gemini', 'models/gemini-2.5-flash', '2026-12-06'), true, "with the API's models/ prefix");
    for (const id of ['gpt-4.1-mini', 'gpt-4o-mini']) assert.equal(MODEL_CATALOG.models.find((m) => m.id === id)?.shutdown, '2027-01-14');
    assert.equal(isShutDown('openai', 'gpt-unknown', '2099-01-01'), false, 'a model the catalog does not know is not shut down');
  });

  it('gemini-3.5-flash and gemini-3.7-flash, answered by other models since 2026-10-08, are neither chosen nor offered', () => {
    for (const id of ['gemini-3.5-flash', 'gemini-3.7-flash']) assert.equal(isShutDown('gemini', id, '2026-12-06'), true, id);
    assert.deepEqual(
      rankModels('gemini', ids('gemini-3.7-flash', 'gemini-3.6-flash', 'gemini-3.5-flash', 'gemini-3.8-flash'), '2026-12-06').map(
        (m) => m.id,
      ),
      ['gemini-3.8-flash', 'gemini-3.6-flash'],
    );
    assert.ok(!catalogSuggestions('gemini', '2026-12-06').includes('gemini-3.5-flash'));
  });

  it("ranks a live list: recommended first, unknown models kept in the engine's order, retiring ones last, shut-down ones gone", () => {
    const live = ids('gpt-9-preview', 'gpt-5-mini', 'gpt-4.1-mini', 'gpt-6-luna', 'gpt-7-nova', 'gpt-6.1-terra', 'gpt-4.1-nano');
    assert.deepEqual(
      rankModels('openai', live, '2026-12-06').map((m) => m.id),
      ['gpt-6.1-terra', 'gpt-6-luna', 'gpt-9-preview', 'gpt-7-nova', 'gpt-5-mini', 'gpt-4.1-mini'],
    );
    assert.deepEqual(
      rankModels('openai', live, '2026-12-12').map((m) => m.id),
      ['gpt-6.1-terra', 'gpt-6-luna', 'gpt-9-preview', 'gpt-7-nova', 'gpt-4.1-mini'],
      'after 2026-12-11 gpt-5-mini is never offered',
    );
    assert.equal(recommendedFrom('openai', ids('gpt-5-mini', 'gpt-7-nova'), '2026-12-06'), undefined, 'nothing recommended: no default');
  });

  it('gives the fallback and the suggestions from the catalog: recommended, never shut down', () => {
    assert.equal(catalogFallback('gemini', '2026-12-06'), 'gemini-3.8-flash');
    assert.equal(catalogFallback('openai', '2026-12-06'), 'gpt-6.1-terra');
    assert.equal(DEFAULT_MODELS.gemini, catalogFallback('gemini'));
    assert.deepEqual(ENGINES.gemini.suggestedModels, catalogSuggestions('gemini'));
    for (const provider of ['openai', 'gemini'] as const) {
      for (const id of catalogSuggestions(provider, '2026-12-06')) assert.ok(!isShutDown(provider, id, '2026-12-06'), id);
      assert.ok(!catalogSuggestions(provider, '2026-12-06').some((id) => /preview/.test(id)), 'no preview suggested');
    }
  });
});

describe('OpenAI: the shutdown_date of /v1/models', () => {
  let fake: OpenAIFake;
  before(async () => {
    fake = await startOpenAIFake({ chunkDelayMs: 0 });
  });
  after(() => fake.close());

  it('a model the list itself says has shut down is neither chosen nor offered, even one the catalog does not know', async () => {
    fake.models = ['gpt-9-mini', 'gpt-7-nova', 'gpt-8-sun'];
    fake.shutdownDates = { 'gpt-9-mini': '2026-11-01', 'gpt-7-nova': null, 'gpt-8-sun': '2099-01-01' };
    const listed = await openai.createEngine({ apiKey: 'sk-fake-openai', baseUrl: fake.url }).listModels();
    assert.deepEqual(listed.find((m) => m.id === 'gpt-9-mini')?.shutdown, '2026-11-01');
    assert.equal(listed.find((m) => m.id === 'gpt-7-nova')?.shutdown, undefined, 'null: none announced');
    assert.deepEqual(
      rankModels('openai', listed, '2026-12-06')
        .map((m) => m.id)
        .sort(),
      ['gpt-7-nova', 'gpt-8-sun'],
    );
    assert.equal(rankModels('openai', listed, '2026-12-06').at(-1)?.id, 'gpt-8-sun', 'one announced for shutdown comes last');
    assert.notEqual(defaultModelFrom('openai', listed, { official: false }), 'gpt-9-mini');
  });
});

describe('Gemini: CONTINUATION', () => {
  let fake: GeminiFake;
  before(async () => {
    fake = await startGeminiFake({ chunkDelayMs: 0 });
  });
  after(() => fake.close());

  it('takes the output-limit path (the answer cut at the limit: Generate the Rest), not an error', async () => {
    fake.setUsage({ candidatesTokenCount: 256 });
    fake.respondWith(() => 'One two three four five six seven eight nine ten eleven twelve thirteen fourteen.');
    fake.failStreamNext({ kind: 'maxTokens', afterChunks: 2, finishReason: 'CONTINUATION' });
    const engine = gemini.createEngine({ apiKey: 'AIza-fake-gemini', baseUrl: fake.url });
    let text = '';
    const { ending } = await readStream(
      engine.stream({ model: 'gemini-3.8-flash', prompt: 'Write' }, new AbortController().signal),
      (piece) => (text += piece),
    );
    assert.ok(text.length > 0);
    assert.deepEqual(ending, { reason: 'length', outputTokens: 256 });
  });
});
