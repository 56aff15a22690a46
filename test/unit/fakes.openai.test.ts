import * as assert from 'node:assert/strict';
import OpenAI from 'openai';
import { defaultGeneratedMarkdown } from '../fakes/generatedMarkdown';
import { INSUFFICIENT_QUOTA_BODY, type OpenAIFake, openaiErrors, startOpenAIFake } from '../fakes/openaiFake';

const KEY = 'sk-fake-openai';

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function collect(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>) {
  const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return { chunks, text: chunks.map((c) => c.choices[0]?.delta.content ?? '').join('') };
}

describe('OpenAI fake (with openai SDK)', () => {
  let fake: OpenAIFake;
  let client: OpenAI;

  before(async () => {
    fake = await startOpenAIFake();
    client = new OpenAI({ apiKey: KEY, baseURL: fake.url, maxRetries: 0 });
  });
  after(() => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.chunkDelayMs = 0;
  });

  it('streams the default markdown in several deltas, with usage on a final choices-less chunk', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Write Notion pages.' },
        { role: 'user', content: 'Plan a team offsite' },
      ],
      stream: true,
      stream_options: { include_usage: true },
    });
    const { chunks, text } = await collect(stream);
    assert.equal(text, defaultGeneratedMarkdown('Plan a team offsite'));
    assert.ok(chunks.length > 10);
    assert.equal(chunks[0].choices[0].delta.role, 'assistant');
    const finish = chunks.find((c) => c.choices[0]?.finish_reason);
    assert.equal(finish?.choices[0].finish_reason, 'stop');
    const last = chunks[chunks.length - 1];
    assert.deepEqual(last.choices, []);
    assert.ok(last.usage && last.usage.completion_tokens > 0);
    assert.equal(last.usage.total_tokens, last.usage.prompt_tokens + last.usage.completion_tokens);
    assert.equal(fake.completedStreams, 1);
    const [req] = fake.requests;
    assert.equal(req.path, '/v1/chat/completions');
    assert.equal(req.headers.authorization, `Bearer ${KEY}`);
  });

  it('omits usage unless asked for, and honours respondWith and setUsage', async () => {
    fake.respondWith(({ prompt, model }) => `echo(${model}): ${prompt}`);
    const plain = await collect(
      await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi there' }], stream: true }),
    );
    assert.equal(plain.text, 'echo(gpt-4o): hi there');
    assert.ok(plain.chunks.every((c) => !c.usage));

    fake.setUsage({ prompt_tokens: 7, completion_tokens: 3 });
    const full = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(full.choices[0].message.content, 'echo(gpt-4o): hi');
    assert.equal(full.choices[0].finish_reason, 'stop');
    assert.deepEqual(full.usage, { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
  });

  it('truncates at max_completion_tokens with finish_reason length', async () => {
    const res = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'long' }],
      max_completion_tokens: 5,
    });
    assert.equal(res.choices[0].finish_reason, 'length');
    assert.equal(res.choices[0].message.content?.length, 20);
  });

  it('lists models', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    assert.deepEqual(ids, fake.models);
  });

  it('rejects a wrong key with AuthenticationError invalid_api_key and a masked key', async () => {
    const bad = new OpenAI({ apiKey: 'sk-wrong-key-123456', baseURL: fake.url, maxRetries: 0 });
    const err = await bad.models.list().then(
      () => assert.fail('expected 401'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof OpenAI.AuthenticationError);
    assert.equal(err.status, 401);
    assert.equal(err.code, 'invalid_api_key');
    assert.equal(err.type, 'invalid_request_error');
    assert.match(err.message, /^401 Incorrect API key provided: sk-\*+3456\. /);
    assert.ok(err.requestID?.startsWith('req_'));
  });

  it('answers an unknown model with 404 model_not_found', async () => {
    await assert.rejects(
      client.chat.completions.create({ model: 'gpt-nope', messages: [{ role: 'user', content: 'x' }] }),
      (e: unknown) => {
        assert.ok(e instanceof OpenAI.NotFoundError);
        assert.equal(e.code, 'model_not_found');
        return true;
      },
    );
  });

  it('injects HTTP errors as the right SDK error classes', async () => {
    const ask = () => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true });
    fake.failNext({ status: 429 });
    await assert.rejects(ask(), (e: unknown) => e instanceof OpenAI.RateLimitError && e.code === 'rate_limit_exceeded');
    fake.failNext({ status: 429, body: INSUFFICIENT_QUOTA_BODY });
    await assert.rejects(
      ask(),
      (e: unknown) => e instanceof OpenAI.RateLimitError && e.code === 'insufficient_quota' && e.type === 'insufficient_quota',
    );
    fake.failNext({ status: 500 }, 2);
    await assert.rejects(ask(), (e: unknown) => e instanceof OpenAI.InternalServerError && e.status === 500);
    await assert.rejects(ask(), OpenAI.InternalServerError);
    await collect(await ask());
  });

  it('retries injected failures when the client allows it, honouring retry-after-ms', async () => {
    const retrying = new OpenAI({ apiKey: KEY, baseURL: fake.url, maxRetries: 2 });
    fake.failNext({ status: 503, headers: { 'retry-after-ms': '0' } }, 2);
    const res = await retrying.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    assert.ok(res.choices[0].message.content);
    assert.deepEqual(
      fake.requests.map((r) => r.headers['x-stainless-retry-count']),
      ['0', '1', '2'],
    );
  });

  it('fails mid-stream with an error frame that the SDK throws while iterating', async () => {
    fake.failNext({ status: 500, inStream: true });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true });
    let received = '';
    await assert.rejects(
      (async () => {
        for await (const chunk of stream) received += chunk.choices[0]?.delta.content ?? '';
      })(),
      (e: unknown) => e instanceof OpenAI.APIError && /server had an error/.test(e.message),
    );
    assert.ok(received.length > 0);
  });

  it('notices when the client aborts a stream', async () => {
    fake.chunkDelayMs = 20;
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true },
      { signal: controller.signal },
    );
    let seen = 0;
    // openai 7.x ends the iteration quietly when the caller aborts (no APIUserAbortError).
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content && ++seen === 3) controller.abort();
    }
    assert.equal(seen, 3);
    await until(() => fake.abortedStreams === 1);
    assert.equal(fake.completedStreams, 0);
  });
});

describe('OpenAI fake, programmed faults (as the openai SDK reads them)', () => {
  let fake: OpenAIFake;
  let client: OpenAI;
  const model = 'gpt-4o-mini';
  const ANSWER = Array.from({ length: 30 }, (_, i) => `Line ${i} of the answer.`).join(' ');

  before(async () => {
    fake = await startOpenAIFake();
    client = new OpenAI({ apiKey: KEY, baseURL: fake.url, maxRetries: 0 });
  });
  after(() => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.chunkDelayMs = 0;
    fake.respondWith(() => ANSWER);
  });

  /** Every chunk the SDK yields, and what it threw, if anything. */
  async function read(c = client) {
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    let error: unknown;
    try {
      const stream = await c.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'x' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const chunk of stream) chunks.push(chunk);
    } catch (e) {
      error = e;
    }
    const finishes = chunks.map((ch) => ch.choices[0]?.finish_reason).filter(Boolean);
    return { chunks, error, finishes, text: chunks.map((ch) => ch.choices[0]?.delta.content ?? '').join('') };
  }

  it('drop: the deltas arrive, then undici reports the connection terminated (not an APIError, not retried)', async () => {
    fake.failStreamNext({ kind: 'drop', afterChunks: 3 });
    const retrying = new OpenAI({ apiKey: KEY, baseURL: fake.url, maxRetries: 2 });
    const { chunks, error, finishes } = await read(retrying);
    assert.equal(chunks.length, 4, 'the role chunk and three deltas');
    assert.deepEqual(finishes, []);
    assert.ok(error instanceof TypeError && !(error instanceof OpenAI.APIError), String(error));
    assert.equal(error.message, 'terminated');
    assert.equal(fake.requests.length, 1, 'streams are not retried once the body started');
    assert.equal(fake.droppedStreams, 1);
    assert.equal(fake.abortedStreams, 0);
  });

  it('noFinish: ends cleanly with [DONE] (or without), but no finish_reason and no usage', async () => {
    fake.failStreamNext({ kind: 'noFinish', afterChunks: 2 });
    let read1 = await read();
    assert.equal(read1.error, undefined);
    assert.deepEqual(read1.finishes, []);
    assert.ok(read1.chunks.every((c) => !c.usage));
    fake.failStreamNext({ kind: 'noFinish', afterChunks: 2, done: false });
    read1 = await read();
    assert.equal(read1.error, undefined);
    assert.equal(read1.chunks.length, 3);
  });

  it('empty: finish_reason stop without any content', async () => {
    fake.failStreamNext({ kind: 'empty' });
    const { text, finishes, chunks } = await read();
    assert.equal(text, '');
    assert.deepEqual(finishes, ['stop']);
    assert.ok(chunks.at(-1)?.usage);
  });

  it("contentFilter: finish_reason content_filter, with Azure's content_filter_results when categories are given", async () => {
    fake.failStreamNext({ kind: 'contentFilter', afterChunks: 1 });
    let result = await read();
    assert.deepEqual(result.finishes, ['content_filter']);
    fake.failStreamNext({ kind: 'contentFilter', categories: ['violence'] });
    result = await read();
    const last = result.chunks.find((c) => c.choices[0]?.finish_reason) as unknown as {
      choices: Array<{ content_filter_results: Record<string, { filtered: boolean }> }>;
    };
    assert.equal(last.choices[0].content_filter_results.violence.filtered, true);
    assert.equal(last.choices[0].content_filter_results.hate.filtered, false);
  });

  it('length: finish_reason length, then usage', async () => {
    fake.setUsage({ completion_tokens: 16 });
    fake.failStreamNext({ kind: 'length', afterChunks: 2 });
    const { finishes, chunks, text } = await read();
    assert.deepEqual(finishes, ['length']);
    assert.ok(text.length > 0 && text.length < ANSWER.length);
    assert.equal(chunks.at(-1)?.usage?.completion_tokens, 16);
  });

  it('error presets reach the SDK as the right classes, codes and headers', async () => {
    fake.failNext(openaiErrors.rateLimit({ type: 'tokens', reset: '6m0s' }));
    const rate = await read();
    assert.ok(rate.error instanceof OpenAI.RateLimitError);
    assert.equal(rate.error.code, 'rate_limit_exceeded');
    assert.equal(rate.error.type, 'tokens');
    assert.equal(rate.error.headers?.get('x-ratelimit-reset-tokens'), '6m0s');
    assert.match(rate.error.message, /^429 Rate limit reached .* tokens per min/);

    fake.failNext(openaiErrors.insufficientQuota());
    const quota = await read();
    assert.ok(quota.error instanceof OpenAI.RateLimitError);
    assert.equal(quota.error.code, 'insufficient_quota');
    assert.equal(quota.error.headers?.get('x-should-retry'), null, 'OpenAI does not mark it final');

    fake.failNext(openaiErrors.invalidKey());
    assert.ok((await read()).error instanceof OpenAI.AuthenticationError);
    fake.failNext(openaiErrors.permissionDenied());
    const denied = (await read()).error;
    assert.ok(denied instanceof OpenAI.PermissionDeniedError);
    assert.equal(denied.code, 'unsupported_country_region_territory');
    fake.failNext(openaiErrors.serverError());
    assert.ok((await read()).error instanceof OpenAI.InternalServerError);
  });

  it('the SDK retries insufficient_quota like any 429 (why the engine marks it final)', async () => {
    fake.failNext(openaiErrors.insufficientQuota({ retryAfterMs: 0 }), 3);
    const retrying = new OpenAI({ apiKey: KEY, baseURL: fake.url, maxRetries: 2 });
    const { error } = await read(retrying);
    assert.ok(error instanceof OpenAI.RateLimitError);
    assert.equal(fake.requests.length, 3);
  });
});
