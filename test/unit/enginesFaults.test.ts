// Each way a real provider's answer goes wrong, played by the stand-ins and read by the real engine code:
// the EngineError kind, and a message that says what happened and what to do.
import assert from 'node:assert/strict';
import { Engine, EngineError, readStream, StreamEnding, TokenUsage } from '../../src/services/engines/engine';
import * as gemini from '../../src/services/engines/gemini';
import * as openai from '../../src/services/engines/openai';
import { geminiErrors, startGeminiFake, type GeminiFake } from '../fakes/geminiFake';
import { openaiErrors, startOpenAIFake, type OpenAIFake } from '../fakes/openaiFake';

const LONG_ANSWER = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} of a long streamed answer.`).join(' ');

interface Outcome {
  text: string;
  error?: EngineError;
  ending?: StreamEnding;
  usage?: TokenUsage;
}

async function run(engine: Engine, model: string, signal = new AbortController().signal): Promise<Outcome> {
  let text = '';
  try {
    const end = await readStream(engine.stream({ model, prompt: 'Write about tides' }, signal), (piece) => (text += piece));
    return { text, ending: end.ending, usage: end.usage };
  } catch (error) {
    assert.ok(error instanceof EngineError, `expected an EngineError, got ${String(error)}`);
    return { text, error };
  }
}

function failed(outcome: Outcome, kind: EngineError['kind']): EngineError {
  assert.ok(outcome.error, `expected a ${kind} error, the stream ended ${JSON.stringify(outcome.ending)}`);
  assert.equal(outcome.error.kind, kind, outcome.error.message);
  return outcome.error;
}

describe('Gemini engine, faults', () => {
  let fake: GeminiFake;
  const model = 'gemini-2.5-flash';
  const engine = () => gemini.createEngine({ apiKey: 'AIza-fake-gemini', baseUrl: fake.url });

  before(async () => {
    fake = await startGeminiFake();
  });
  after(() => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.chunkDelayMs = 0;
    fake.respondWith(() => LONG_ANSWER);
  });

  it('reports a finished answer as stop, with usage', async () => {
    const e = engine();
    const outcome = await run(e, model);
    assert.equal(outcome.text, LONG_ANSWER);
    assert.deepEqual(outcome.ending, { reason: 'stop' });
    assert.ok(outcome.usage?.outputTokens);
  });

  it('reports MAX_TOKENS as length with the output tokens, keeping the text', async () => {
    fake.setUsage({ candidatesTokenCount: 512 });
    fake.failStreamNext({ kind: 'maxTokens', afterChunks: 3 });
    const e = engine();
    const outcome = await run(e, model);
    assert.ok(outcome.text.length > 0 && outcome.text.length < LONG_ANSWER.length);
    assert.deepEqual(outcome.ending, { reason: 'length', outputTokens: 512 });
    // The next stream starts afresh.
    const next = await run(e, model);
    assert.deepEqual(next.ending, { reason: 'stop' });
  });

  it('a connection dropped mid-answer is cut, not "Gemini failed: terminated"', async () => {
    const e = engine();
    await run(e, model); // a stream that ends well leaves an ending behind …
    fake.failStreamNext({ kind: 'drop', afterChunks: 3 });
    const outcome = await run(e, model);
    const error = failed(outcome, 'cut');
    assert.ok(outcome.text.length > 0, 'text arrived before the drop');
    assert.match(error.message, /cut off before the model finished/);
    assert.match(error.message, /connection dropped/);
    assert.match(error.message, /kept/);
    assert.doesNotMatch(error.message, /terminated/);
    assert.equal(outcome.ending, undefined, '… the next one, cut, has none');
    assert.equal(fake.droppedStreams, 1);
  });

  it('a stream that ends without a finish reason is cut', async () => {
    fake.failStreamNext({ kind: 'noFinish', afterChunks: 2 });
    const outcome = await run(engine(), model);
    const error = failed(outcome, 'cut');
    assert.ok(outcome.text.length > 0);
    assert.match(error.message, /without a finish reason/);
    assert.match(error.message, /kept/);
  });

  it('STOP without any text is empty, with a next step', async () => {
    fake.failStreamNext({ kind: 'empty' });
    const error = failed(await run(engine(), model), 'empty');
    assert.match(error.message, /The model returned no text/);
    assert.match(error.message, /Rephrase the prompt/);
    assert.match(error.message, /Select Model/);
  });

  it('SAFETY names the blocked category', async () => {
    fake.failStreamNext({ kind: 'safety', afterChunks: 1 });
    let error = failed(await run(engine(), model), 'safety');
    assert.match(error.message, /dangerous content \(SAFETY\)/);
    assert.match(error.message, /Rephrase/);
    fake.failStreamNext({ kind: 'safety', category: 'HARM_CATEGORY_HARASSMENT', afterChunks: 0 });
    error = failed(await run(engine(), model), 'safety');
    assert.match(error.message, /harassment \(SAFETY\)/);
  });

  it('RECITATION, PROHIBITED_CONTENT, BLOCKLIST and SPII are safety stops that say why', async () => {
    const expected: Array<[Parameters<GeminiFake['failStreamNext']>[0], RegExp]> = [
      [{ kind: 'safety', finishReason: 'RECITATION' }, /existing material too closely \(RECITATION\)/],
      [{ kind: 'safety', finishReason: 'PROHIBITED_CONTENT' }, /\(PROHIBITED_CONTENT\)/],
      [{ kind: 'safety', finishReason: 'BLOCKLIST' }, /\(BLOCKLIST\)/],
      [{ kind: 'safety', finishReason: 'SPII' }, /\(SPII\)/],
    ];
    for (const [fault, message] of expected) {
      fake.failStreamNext(fault);
      const error = failed(await run(engine(), model), 'safety');
      assert.match(error.message, message);
      assert.match(error.message, /Gemini stopped the answer/);
    }
  });

  it('a blocked prompt (promptFeedback.blockReason) is safety, naming the category', async () => {
    fake.failStreamNext({ kind: 'promptBlocked', category: 'HARM_CATEGORY_HATE_SPEECH' });
    let error = failed(await run(engine(), model), 'safety');
    assert.match(error.message, /blocked the prompt: hate speech \(SAFETY\)/);
    assert.match(error.message, /Rephrase it/);
    fake.failStreamNext({ kind: 'promptBlocked', blockReason: 'PROHIBITED_CONTENT' });
    error = failed(await run(engine(), model), 'safety');
    assert.match(error.message, /prohibited content \(PROHIBITED_CONTENT\)/);
  });

  it('a per-minute 429 is a rate limit with Google\'s retry delay, though its text says "quota", "billing" and "generate"', async () => {
    const failure = geminiErrors.rateLimitPerMinute({ retryDelay: '26.9s' });
    assert.match(JSON.stringify(failure.body), /quota.*billing.*rate-limits.*generate_content/);
    fake.failNext(failure);
    const error = failed(await run(engine(), model), 'rateLimit');
    assert.match(error.message, /GenerateRequestsPerMinutePerProjectPerModel-FreeTier/);
    assert.match(error.message, /Wait 26 s and try again/);
    assert.equal(error.status, 429);
    fake.failNext(geminiErrors.rateLimitPerMinute({ metric: 'input_tokens' }));
    assert.match(failed(await run(engine(), model), 'rateLimit').message, /InputTokensPerModelPerMinute/);
  });

  it('a per-day 429 is a spent quota, though it carries a retry delay and a rate-limits link', async () => {
    fake.failNext(geminiErrors.quotaPerDay({ model: 'gemini-2.5-pro', limit: 50 }));
    const error = failed(await run(engine(), model), 'quota');
    assert.match(error.message, /quota for today is used up/);
    assert.match(error.message, /GenerateRequestsPerDayPerProjectPerModel-FreeTier, limit 50, gemini-2\.5-pro/);
    assert.match(error.message, /billing/);
    assert.doesNotMatch(error.message, /Wait \d+ s/);
  });

  it('a quota of 0 (model not in the plan) and depleted credits are quota problems', async () => {
    fake.failNext(geminiErrors.quotaNotInPlan());
    assert.match(failed(await run(engine(), model), 'quota').message, /no quota for this model.*limit 0/);
    fake.failNext(geminiErrors.creditsDepleted());
    assert.match(failed(await run(engine(), model), 'quota').message, /prepayment credits are depleted.*billing/);
  });

  it('a 429 without details is a passing rate limit', async () => {
    fake.failNext(geminiErrors.exhausted());
    assert.match(failed(await run(engine(), model), 'rateLimit').message, /Wait a minute/);
  });

  it('401, 403 and a wrong key are auth problems that say which command fixes them', async () => {
    fake.failNext(geminiErrors.unauthenticated());
    assert.match(failed(await run(engine(), model), 'auth').message, /Set Gemini API Key/);
    fake.failNext(geminiErrors.permissionDenied());
    const denied = failed(await run(engine(), model), 'auth');
    assert.match(denied.message, /reported as leaked/);
    assert.match(denied.message, /Set Gemini API Key/);
    fake.failNext(geminiErrors.apiKeyInvalid());
    assert.match(failed(await run(engine(), model), 'auth').message, /rejected the API key/);
  });

  it('a 500, before or during the stream, is a server error to retry', async function () {
    this.timeout(20_000);
    fake.failNext(geminiErrors.internal(), 3); // the engine retries 5xx twice
    const error = failed(await run(engine(), model), 'server');
    assert.match(error.message, /server error \(500\).*Try again/);
    assert.equal(fake.requests.length, 3);
    fake.failNext({ ...geminiErrors.internal(), inStream: true });
    const during = await run(engine(), model);
    assert.ok(during.text.length > 0);
    assert.equal(failed(during, 'server').status, 500);
  });

  it('cancelling is cancelled, never cut, even when the connection then drops', async () => {
    fake.chunkDelayMs = 15;
    fake.failStreamNext({ kind: 'drop', afterChunks: 8 });
    const controller = new AbortController();
    const e = engine();
    let text = '';
    let caught: unknown;
    try {
      for await (const piece of e.stream({ model, prompt: 'x' }, controller.signal)) {
        text += piece;
        if (text.length > 20) controller.abort();
      }
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof EngineError);
    assert.equal(caught.kind, 'cancelled');
  });
});

describe('OpenAI engine, faults', () => {
  let fake: OpenAIFake;
  const model = 'gpt-4o-mini';
  const engine = () => openai.createEngine({ apiKey: 'sk-fake-openai', baseUrl: fake.url });

  before(async () => {
    fake = await startOpenAIFake();
  });
  after(() => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.chunkDelayMs = 0;
    fake.respondWith(() => LONG_ANSWER);
  });

  it('reports a finished answer as stop, with usage', async () => {
    const e = engine();
    const outcome = await run(e, model);
    assert.equal(outcome.text, LONG_ANSWER);
    assert.deepEqual(outcome.ending, { reason: 'stop' });
    assert.ok(outcome.usage?.outputTokens);
  });

  it('reports finish_reason length with the output tokens, keeping the text', async () => {
    fake.setUsage({ completion_tokens: 256 });
    fake.failStreamNext({ kind: 'length', afterChunks: 3 });
    const e = engine();
    const outcome = await run(e, model);
    assert.ok(outcome.text.length > 0 && outcome.text.length < LONG_ANSWER.length);
    assert.deepEqual(outcome.ending, { reason: 'length', outputTokens: 256 });
    assert.deepEqual((await run(e, model)).ending, { reason: 'stop' });
  });

  it('a connection dropped mid-answer is cut, and the text so far arrived', async () => {
    const e = engine();
    await run(e, model);
    fake.failStreamNext({ kind: 'drop', afterChunks: 3 });
    const outcome = await run(e, model);
    const error = failed(outcome, 'cut');
    assert.ok(outcome.text.length > 0);
    assert.match(error.message, /cut off before the model finished \(the connection dropped\)/);
    assert.match(error.message, /kept/);
    assert.equal(outcome.ending, undefined);
  });

  it('a stream that ends without a finish reason is cut, with or without [DONE]', async () => {
    fake.failStreamNext({ kind: 'noFinish', afterChunks: 2 });
    let error = failed(await run(engine(), model), 'cut');
    assert.match(error.message, /without a finish reason/);
    fake.failStreamNext({ kind: 'noFinish', afterChunks: 2, done: false });
    error = failed(await run(engine(), model), 'cut');
    assert.match(error.message, /kept/);
  });

  it('stop without any text is empty, with a next step', async () => {
    fake.failStreamNext({ kind: 'empty' });
    const error = failed(await run(engine(), model), 'empty');
    assert.match(error.message, /The model returned no text/);
    assert.match(error.message, /Rephrase the prompt/);
  });

  it("content_filter is safety; Azure's filter results name the category", async () => {
    fake.failStreamNext({ kind: 'contentFilter', afterChunks: 1 });
    let error = failed(await run(engine(), model), 'safety');
    assert.match(error.message, /content filter stopped the answer.*content_filter.*Rephrase/);
    fake.failStreamNext({ kind: 'contentFilter', categories: ['violence'] });
    error = failed(await run(engine(), model), 'safety');
    assert.match(error.message, /violence \(content_filter\)/);
  });

  it("Azure's 400 content_filter on the prompt is safety, naming the category", async () => {
    fake.failNext({
      status: 400,
      body: {
        error: {
          message: "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.",
          type: null,
          param: 'prompt',
          code: 'content_filter',
          status: 400,
          innererror: {
            code: 'ResponsibleAIPolicyViolation',
            content_filter_result: { hate: { filtered: false, severity: 'safe' }, self_harm: { filtered: true, severity: 'medium' } },
          },
        },
      },
    });
    assert.match(failed(await run(engine(), model), 'safety').message, /blocked the prompt: self harm/);
  });

  it("429 rate_limit_exceeded is a rate limit (after the SDK's retries) with the reset time", async () => {
    fake.failNext(openaiErrors.rateLimit({ type: 'requests', reset: '20s', retryAfterMs: 0 }), 3);
    let error = failed(await run(engine(), model), 'rateLimit');
    assert.equal(fake.requests.length, 3, 'the SDK retried the rate limit');
    assert.match(error.message, /requests per minute/);
    assert.match(error.message, /Wait 20 s and try again/);
    fake.failNext(openaiErrors.rateLimit({ type: 'tokens', reset: '6m0s', retryAfterMs: 0 }), 3);
    error = failed(await run(engine(), model), 'rateLimit');
    assert.match(error.message, /tokens per minute.*Wait 360 s/);
    fake.failNext({ ...openaiErrors.rateLimit({ retryAfter: '7' }), headers: { 'retry-after': '7', 'x-should-retry': 'false' } });
    assert.match(failed(await run(engine(), model), 'rateLimit').message, /Wait 7 s/);
  });

  it('429 insufficient_quota is a spent quota, and is not retried pointlessly', async () => {
    const failure = openaiErrors.insufficientQuota();
    assert.match(JSON.stringify(failure.body), /rate|quota/);
    fake.failNext(failure, 3);
    const error = failed(await run(engine(), model), 'quota');
    assert.equal(fake.requests.length, 1, 'one request, no retries');
    assert.match(error.message, /quota is used up/);
    assert.match(error.message, /billing/);
    assert.doesNotMatch(error.message, /Wait/);
  });

  it('a rate-limit message that talks about quota is still a rate limit, and a quota one that says "rate" is still quota', async () => {
    const rate = openaiErrors.rateLimit({ retryAfterMs: 0 });
    fake.failNext(
      {
        ...rate,
        body: {
          error: {
            message: 'You exceeded your current quota of requests per minute; see the rate limits page.',
            type: 'requests',
            param: null,
            code: 'rate_limit_exceeded',
          },
        },
      },
      3,
    );
    failed(await run(engine(), model), 'rateLimit');
    fake.failNext({
      status: 429,
      body: {
        error: {
          message: 'Rate limit: please generate fewer requests; see https://platform.openai.com/docs/guides/rate-limits',
          type: 'insufficient_quota',
          param: null,
          code: 'insufficient_quota',
        },
      },
    });
    failed(await run(engine(), model), 'quota');
  });

  it('401 and 403 are auth problems that say what to do', async () => {
    fake.failNext(openaiErrors.invalidKey());
    assert.match(failed(await run(engine(), model), 'auth').message, /Set OpenAI API Key/);
    fake.failNext(openaiErrors.permissionDenied());
    const denied = failed(await run(engine(), model), 'auth');
    assert.match(denied.message, /Country, region, or territory not supported/);
    assert.match(denied.message, /Set OpenAI API Key/);
  });

  it('a 500 is a server error to retry', async () => {
    fake.failNext(openaiErrors.serverError({ 'retry-after-ms': '0' }), 3);
    const error = failed(await run(engine(), model), 'server');
    assert.equal(fake.requests.length, 3);
    assert.match(error.message, /server had an error \(500\).*Try again/);
  });

  it('cancelling is cancelled, never cut, even when the connection then drops', async () => {
    fake.chunkDelayMs = 15;
    fake.failStreamNext({ kind: 'drop', afterChunks: 8 });
    const controller = new AbortController();
    const e = engine();
    let text = '';
    let caught: unknown;
    try {
      for await (const piece of e.stream({ model, prompt: 'x' }, controller.signal)) {
        text += piece;
        if (text.length > 20) controller.abort();
      }
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof EngineError);
    assert.equal(caught.kind, 'cancelled');
  });
});
