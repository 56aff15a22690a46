import assert from 'node:assert/strict';
import { EngineError, EngineModule, readStream } from '../../src/services/engines/engine';
import * as gemini from '../../src/services/engines/gemini';
import * as openai from '../../src/services/engines/openai';
import { geminiErrors, startGeminiFake, GeminiFake } from '../fakes/geminiFake';
import { openaiErrors, startOpenAIFake, OpenAIFake } from '../fakes/openaiFake';
import { collect, rejection as rejectionOf } from '../support/async';

const rejection = (promise: Promise<unknown>) => rejectionOf(promise, EngineError);

interface Case {
  name: string;
  module: EngineModule;
  start(): Promise<OpenAIFake | GeminiFake>;
  key: string;
  model: string;
  failAuth(fake: OpenAIFake | GeminiFake): void;
  failQuota(fake: OpenAIFake | GeminiFake): void;
  failRate(fake: OpenAIFake | GeminiFake): void;
}

const cases: Case[] = [
  {
    name: 'OpenAI',
    module: openai,
    start: () => startOpenAIFake({ chunkDelayMs: 0 }),
    key: 'sk-fake-openai',
    model: 'gpt-4.1-mini',
    failAuth: () => undefined,
    failQuota: (fake) => (fake as OpenAIFake).failNext(openaiErrors.insufficientQuota()),
    failRate: (fake) => (fake as OpenAIFake).failNext(openaiErrors.rateLimit({ retryAfterMs: 0 }), 3),
  },
  {
    name: 'Gemini',
    module: gemini,
    start: () => startGeminiFake({ chunkDelayMs: 0 }),
    key: 'AIza-fake-gemini',
    model: 'gemini-2.5-flash',
    failAuth: () => undefined,
    failQuota: (fake) => (fake as GeminiFake).failNext(geminiErrors.quotaPerDay()),
    failRate: (fake) => (fake as GeminiFake).failNext(geminiErrors.rateLimitPerMinute()),
  },
];

for (const c of cases) {
  describe(`${c.name} engine`, () => {
    let fake: OpenAIFake | GeminiFake;
    before(async () => {
      fake = await c.start();
    });
    after(async () => {
      await fake.close();
    });
    afterEach(() => fake.reset?.());

    const engine = (key = c.key) => c.module.createEngine({ apiKey: key, baseUrl: fake.url });

    it('streams the model text in several pieces and reports token usage', async () => {
      fake.respondWith(() => '# Title\n\nSome **bold** words and a longer paragraph that streams in pieces.');
      const e = engine();
      const pieces: string[] = [];
      const { usage } = await readStream(
        e.stream({ model: c.model, prompt: 'Write', instructions: 'Be brief' }, new AbortController().signal),
        (piece) => pieces.push(piece),
      );
      assert.equal(pieces.join(''), '# Title\n\nSome **bold** words and a longer paragraph that streams in pieces.');
      assert.ok(pieces.length > 2, `expected several deltas, got ${pieces.length}`);
      assert.ok(usage && usage.inputTokens > 0 && usage.outputTokens > 0, `usage: ${JSON.stringify(usage)}`);
    });

    it('sends the prompt, the model and the system instructions', async () => {
      fake.respondWith(() => 'ok');
      await collect(engine().stream({ model: c.model, prompt: 'The prompt', instructions: 'The rules' }, new AbortController().signal));
      const body = JSON.stringify(fake.requests.at(-1)?.body);
      assert.match(body, /The prompt/);
      assert.match(body, /The rules/);
      assert.match(`${fake.requests.at(-1)?.path} ${body}`, new RegExp(c.model.replace(/\./g, '\\.')));
    });

    it('lists text models with the key, and rejects a wrong key as an auth problem', async () => {
      const models = await engine().listModels();
      assert.ok(models.length > 0);
      assert.ok(
        models.every((m) => !/embedding/.test(m.id)),
        'embedding models are not offered',
      );
      const error = await rejection(engine('wrong-key').listModels());
      assert.equal(error.kind, 'auth');
      assert.match(error.message, /API Key/i);
      assert.doesNotMatch(error.message, /wrong-key/);
    });

    it('tells a wrong key, a spent quota and a rate limit apart when generating', async () => {
      assert.equal(
        (await rejection(collect(engine('wrong-key').stream({ model: c.model, prompt: 'x' }, new AbortController().signal)))).kind,
        'auth',
      );
      c.failQuota(fake);
      assert.equal(
        (await rejection(collect(engine().stream({ model: c.model, prompt: 'x' }, new AbortController().signal)))).kind,
        'quota',
      );
      c.failRate(fake);
      assert.equal(
        (await rejection(collect(engine().stream({ model: c.model, prompt: 'x' }, new AbortController().signal)))).kind,
        'rateLimit',
      );
    });

    it('says the server cannot be reached when nothing listens', async () => {
      const offline = c.module.createEngine({ apiKey: c.key, baseUrl: 'http://127.0.0.1:9' + (c.name === 'OpenAI' ? '/v1' : '') });
      const error = await rejection(offline.listModels());
      assert.equal(error.kind, 'network');
    });

    it('stops the stream when cancelled, and the server sees the disconnect', async () => {
      fake.respondWith(() => Array.from({ length: 200 }, (_, i) => `Paragraph ${i} of a long answer.`).join('\n\n'));
      fake.chunkDelayMs = 20;
      const controller = new AbortController();
      let received = '';
      const error = await rejection(
        (async () => {
          for await (const piece of engine().stream({ model: c.model, prompt: 'long' }, controller.signal)) {
            received += piece;
            if (received.length > 50) controller.abort();
          }
        })(),
      );
      fake.chunkDelayMs = 0;
      assert.equal(error.kind, 'cancelled');
      assert.ok(received.length < 2000, 'the stream stopped early');
      const deadline = Date.now() + 2000;
      while (fake.abortedStreams === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(fake.abortedStreams > 0, 'the fake saw the client go away');
    });
  });
}
