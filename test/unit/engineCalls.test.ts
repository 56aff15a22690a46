import assert from 'node:assert/strict';
import { CALL_DEADLINES, type CallDeadlines } from '../../src/services/engines/callDeadline';
import { EngineError, type EngineModule } from '../../src/services/engines/engine';
import * as gemini from '../../src/services/engines/gemini';
import * as openai from '../../src/services/engines/openai';
import { startGeminiFake, type GeminiFake } from '../fakes/geminiFake';
import { startOpenAIFake, type OpenAIFake } from '../fakes/openaiFake';
import type { LoggedRequest } from '../fakes/server';
import { collect, rejection as rejectionOf } from '../support/async';

const rejection = (promise: Promise<unknown>) => rejectionOf(promise, EngineError);

/** Short deadlines for the tests: the real ones are 30 s to the first byte and 120 s in all. */
const SHORT: CallDeadlines = { firstByteMs: 150, totalMs: 1_500 };

/** A marker no request may carry: every provider variable below is set to something containing it. */
const LEAK = 'ENVLEAK';

interface Case {
  name: string;
  module: EngineModule;
  start(): Promise<OpenAIFake | GeminiFake>;
  key: string;
  model: string;
  /** Path of the model list and of a completion that is not streamed. */
  listPath: RegExp;
  completePath: RegExp;
  /** Every variable the provider's SDKs are documented (or seen in their source) to read. */
  environment: Record<string, string>;
}

const cases: Case[] = [
  {
    name: 'OpenAI',
    module: openai,
    start: () => startOpenAIFake(),
    key: 'sk-fake-openai',
    model: 'gpt-4.1-mini',
    listPath: /\/v1\/models$/,
    completePath: /\/v1\/chat\/completions$/,
    // node_modules/openai/client.js reads these in its constructor.
    environment: {
      OPENAI_CUSTOM_HEADERS: `X-Leak: ${LEAK}\nOpenAI-Organization: org-${LEAK}`,
      OPENAI_BASE_URL: `http://127.0.0.1:9/${LEAK}`,
      OPENAI_ORG_ID: `org-${LEAK}`,
      OPENAI_PROJECT_ID: `proj_${LEAK}`,
      OPENAI_API_KEY: `sk-${LEAK}`,
      OPENAI_ADMIN_KEY: `sk-admin-${LEAK}`,
      OPENAI_WEBHOOK_SECRET: `whsec_${LEAK}`,
      OPENAI_LOG: 'off',
    },
  },
  {
    name: 'Gemini',
    module: gemini,
    start: () => startGeminiFake(),
    key: 'AIza-fake-gemini',
    model: 'gemini-2.5-flash',
    listPath: /\/v1beta\/models$/,
    completePath: /:generateContent$/,
    // @google/genai (Node and web entries) and google-auth-library read these.
    environment: {
      GEMINI_API_KEY: `AIza${LEAK}`,
      GOOGLE_API_KEY: `AIza${LEAK}`,
      GOOGLE_GENAI_API_KEY: `AIza${LEAK}`,
      GOOGLE_GENAI_ACCESS_TOKEN: LEAK,
      GOOGLE_GEMINI_BASE_URL: `http://127.0.0.1:9/${LEAK}`,
      GOOGLE_VERTEX_BASE_URL: `http://127.0.0.1:9/${LEAK}`,
      GOOGLE_GENAI_USE_VERTEXAI: 'true',
      GOOGLE_CLOUD_PROJECT: LEAK,
      GOOGLE_CLOUD_LOCATION: LEAK,
      GOOGLE_GENAI_API_VERSION: LEAK,
      GOOGLE_GENAI_USER_PROJECT: LEAK,
      GOOGLE_GENAI_DEBUG: '1',
    },
  },
];

/** What of a request reached the server, without what differs from one request to the next. */
function shape(request: LoggedRequest): unknown {
  const headers = Object.fromEntries(
    Object.entries(request.headers).filter(
      ([name]) => !/^(x-stainless-retry-count|x-stainless-timeout|content-length|connection|host)$/.test(name),
    ),
  );
  return { method: request.method, path: request.path, query: request.query, headers, body: request.body };
}

for (const c of cases) {
  describe(`${c.name} engine: calls that are not streamed`, () => {
    let fake: OpenAIFake | GeminiFake;
    before(async () => {
      fake = await c.start();
    });
    after(async () => {
      await fake.close();
    });
    afterEach(() => fake.reset());

    const engine = (deadlines?: CallDeadlines) => c.module.createEngine({ apiKey: c.key, baseUrl: fake.url, deadlines });

    it('has deadlines of 30 s to the first byte and 120 s in all by default', () => {
      assert.deepEqual(CALL_DEADLINES, { firstByteMs: 30_000, totalMs: 120_000 });
    });

    it('gives up on a hung complete() at its deadline and says so', async () => {
      fake.failNext({ status: 0, hang: true, path: c.completePath }, 10);
      const started = Date.now();
      const error = await rejection(engine(SHORT).complete({ model: c.model, prompt: 'Fill' }, new AbortController().signal));
      const took = Date.now() - started;
      assert.equal(error.kind, 'network');
      assert.match(error.message, /no answer within|did not finish answering within/);
      assert.ok(took < SHORT.totalMs + 3_000, `gave up after ${took} ms`);
      assert.ok(
        fake.requests.some((r) => c.completePath.test(r.path)),
        'the request reached the stand-in',
      );
    });

    it('gives up on a hung listModels() at its deadline and says so', async () => {
      fake.failNext({ status: 0, hang: true, path: c.listPath }, 10);
      const started = Date.now();
      const error = await rejection(engine(SHORT).listModels());
      const took = Date.now() - started;
      assert.equal(error.kind, 'network');
      assert.match(error.message, /no answer within|did not finish answering within/);
      assert.ok(took < SHORT.totalMs + 3_000, `gave up after ${took} ms`);
    });

    it('stops waiting for the whole call at the total deadline, retries included', async () => {
      // Every attempt hangs; with a first-byte deadline longer than the total, only the total can end it.
      fake.failNext({ status: 0, hang: true, path: c.listPath }, 10);
      const started = Date.now();
      const error = await rejection(engine({ firstByteMs: 5_000, totalMs: 400 }).listModels());
      assert.equal(error.kind, 'network');
      assert.match(error.message, /did not finish answering within/);
      assert.ok(Date.now() - started < 2_000);
    });

    it('a hung call is cancelled at once by its signal, reported as cancelled', async () => {
      fake.failNext({ status: 0, hang: true, path: c.completePath }, 10);
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 100);
      const error = await rejection(engine().complete({ model: c.model, prompt: 'Fill' }, controller.signal));
      assert.equal(error.kind, 'cancelled');
      assert.ok(Date.now() - started < 1_500);
    });

    it('answers as before within its deadlines', async () => {
      fake.respondWith(() => 'A short answer.');
      const completion = await engine(SHORT).complete({ model: c.model, prompt: 'Fill' }, new AbortController().signal);
      assert.equal(completion.text, 'A short answer.');
      assert.ok((await engine(SHORT).listModels()).length > 0);
    });

    it('sends the same requests whatever provider variables the environment holds', async () => {
      const run = async () => {
        fake.reset();
        fake.respondWith(() => 'Same answer.');
        const e = engine();
        await e.listModels();
        await e.complete({ model: c.model, prompt: 'Fill' }, new AbortController().signal);
        await collect(e.stream({ model: c.model, prompt: 'Write' }, new AbortController().signal));
        return fake.requests.map(shape);
      };
      const before = await run();
      const saved = Object.fromEntries(Object.keys(c.environment).map((name) => [name, process.env[name]]));
      Object.assign(process.env, c.environment);
      let during: unknown[];
      try {
        during = await run();
      } finally {
        for (const [name, value] of Object.entries(saved)) {
          if (value === undefined) delete process.env[name];
          else process.env[name] = value;
        }
      }
      assert.equal(during.length, before.length, 'every request reached the stand-in');
      assert.ok(!JSON.stringify(during).includes(LEAK), `a request carried a variable's value: ${JSON.stringify(during).slice(0, 400)}`);
      assert.deepEqual(during, before);
      // The variables were only hidden while clients were built: the environment is as it was.
      for (const name of Object.keys(c.environment)) assert.equal(process.env[name], saved[name]);
    });
  });
}
