import * as assert from 'node:assert/strict';
import { ApiError, type GenerateContentResponse, GoogleGenAI } from '@google/genai/web';
import { defaultGeneratedMarkdown } from '../fakes/generatedMarkdown';
import { type GeminiFake, geminiErrors, startGeminiFake } from '../fakes/geminiFake';

const KEY = 'AIza-fake-gemini';

function clientFor(fake: GeminiFake, apiKey = KEY, apiVersion = 'v1beta'): GoogleGenAI {
  return new GoogleGenAI({ apiKey, apiVersion, httpOptions: { baseUrl: fake.url } });
}

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** genai puts the whole JSON error body in `message`. */
function errorBody(err: unknown): { error: { code: number; status: string; message: string; details?: Array<{ reason?: string }> } } {
  assert.ok(err instanceof ApiError, `expected ApiError, got ${String(err)}`);
  return JSON.parse(err.message);
}

describe('Gemini fake (with @google/genai/web)', () => {
  let fake: GeminiFake;
  let ai: GoogleGenAI;

  before(async () => {
    fake = await startGeminiFake();
    ai = clientFor(fake);
  });
  after(() => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.chunkDelayMs = 0;
  });

  it('streams the default markdown over SSE, ending with STOP and usage metadata', async () => {
    const stream = await ai.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: 'Plan a team offsite',
      config: { systemInstruction: 'Write Notion pages.', temperature: 0.2 },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.equal(chunks.map((c) => c.text ?? '').join(''), defaultGeneratedMarkdown('Plan a team offsite'));
    assert.ok(chunks.length > 10);
    const last = chunks[chunks.length - 1];
    assert.equal(last.candidates?.[0].finishReason, 'STOP');
    assert.ok(last.usageMetadata?.candidatesTokenCount);
    assert.equal(last.usageMetadata.totalTokenCount, (last.usageMetadata.promptTokenCount ?? 0) + last.usageMetadata.candidatesTokenCount);
    assert.ok(chunks.slice(0, -1).every((c) => !c.candidates?.[0].finishReason && !c.usageMetadata));
    assert.equal(fake.completedStreams, 1);

    const [req] = fake.requests;
    assert.equal(req.path, '/v1beta/models/gemini-2.5-flash:streamGenerateContent');
    assert.equal(req.query.alt, 'sse');
    assert.equal(req.headers['x-goog-api-key'], KEY);
    assert.deepEqual((req.body as { systemInstruction: unknown }).systemInstruction, {
      parts: [{ text: 'Write Notion pages.' }],
      role: 'user',
    });
  });

  it('serves the SDK default api version (v1) and non-streaming generateContent', async () => {
    fake.respondWith(({ prompt, apiVersion }) => `${apiVersion}: ${prompt}`);
    fake.setUsage({ promptTokenCount: 4, candidatesTokenCount: 2 });
    const v1 = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: fake.url } });
    const res = await v1.models.generateContent({ model: 'gemini-2.5-pro', contents: 'hello' });
    assert.equal(res.text, 'v1: hello');
    assert.deepEqual(res.usageMetadata, { promptTokenCount: 4, candidatesTokenCount: 2, totalTokenCount: 6 });
    assert.equal(fake.requests[0].path, '/v1/models/gemini-2.5-pro:generateContent');
  });

  it('stops at maxOutputTokens with MAX_TOKENS', async () => {
    const res = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x', config: { maxOutputTokens: 5 } });
    assert.equal(res.candidates?.[0].finishReason, 'MAX_TOKENS');
    assert.equal(res.text?.length, 20);
  });

  it('pages through models.list and stops after the last page', async () => {
    const pager = await ai.models.list({ config: { pageSize: 3 } });
    assert.equal(pager.page.length, 3);
    assert.equal(pager.hasNextPage(), true);
    const names: string[] = [];
    for await (const model of pager) names.push(model.name ?? '');
    assert.deepEqual(
      names,
      fake.models.map((m) => `models/${m.id}`),
    );
    assert.equal(fake.requests.length, 2, 'no request beyond the last page');
    assert.equal(fake.requests[0].query.pageToken, undefined);
    assert.ok(fake.requests[1].query.pageToken);
  });

  it('exposes supportedGenerationMethods as supportedActions', async () => {
    const model = await ai.models.get({ model: 'gemini-embedding-001' });
    assert.deepEqual(model.supportedActions, ['embedContent', 'countTokens']);
  });

  it('rejects a wrong key with 400 INVALID_ARGUMENT / API_KEY_INVALID', async () => {
    const err = await clientFor(fake, 'AIza-wrong')
      .models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'x' })
      .then(
        () => assert.fail('expected 400'),
        (e: unknown) => e,
      );
    assert.ok(err instanceof ApiError);
    assert.equal(err.status, 400);
    const body = errorBody(err);
    assert.equal(body.error.status, 'INVALID_ARGUMENT');
    assert.equal(body.error.message, 'API key not valid. Please pass a valid API key.');
    assert.equal(body.error.details?.[0].reason, 'API_KEY_INVALID');
  });

  it('answers an unknown model with 404 NOT_FOUND', async () => {
    const err = await ai.models.generateContent({ model: 'gemini-0-nope', contents: 'x' }).then(
      () => assert.fail('expected 404'),
      (e: unknown) => e,
    );
    const body = errorBody(err);
    assert.equal(body.error.status, 'NOT_FOUND');
    assert.match(body.error.message, /models\/gemini-0-nope is not found for API version v1beta/);
  });

  it('injects 429 RESOURCE_EXHAUSTED and 500 INTERNAL', async () => {
    fake.failNext({ status: 429 });
    const limited = await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'x' }).catch((e: unknown) => e);
    assert.ok(limited instanceof ApiError);
    assert.equal(limited.status, 429);
    const body = errorBody(limited);
    assert.equal(body.error.status, 'RESOURCE_EXHAUSTED');
    assert.ok(body.error.details?.some((d) => (d as { retryDelay?: string }).retryDelay === '30s'));

    fake.failNext({ status: 500 });
    const broken = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' }).catch((e: unknown) => e);
    assert.equal(errorBody(broken).error.status, 'INTERNAL');
    assert.equal((broken as ApiError).status, 500);
    assert.equal(fake.requests.length, 2, 'genai does not retry by default');
  });

  it('fails mid-stream with an error chunk that the SDK throws while iterating', async () => {
    fake.failNext({ status: 500, inStream: true });
    const stream = await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'x' });
    let received = '';
    const err = await (async () => {
      for await (const chunk of stream) received += chunk.text ?? '';
    })().then(
      () => assert.fail('expected the stream to fail'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ApiError);
    assert.equal(err.status, 500);
    assert.match(err.message, /INTERNAL/);
    assert.ok(received.length > 0);
  });

  it('notices when the client aborts a stream', async () => {
    fake.chunkDelayMs = 20;
    const controller = new AbortController();
    const stream = await ai.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: 'x',
      config: { abortSignal: controller.signal },
    });
    let seen = 0;
    await (async () => {
      for await (const chunk of stream) {
        if (chunk.text && ++seen === 3) controller.abort();
      }
    })().catch(() => undefined);
    assert.equal(seen, 3);
    await until(() => fake.abortedStreams === 1);
    assert.equal(fake.completedStreams, 0);
  });
});

describe('Gemini fake, programmed faults (as @google/genai/web reads them)', () => {
  let fake: GeminiFake;
  let ai: GoogleGenAI;
  const model = 'gemini-2.5-flash';
  const ANSWER = Array.from({ length: 30 }, (_, i) => `Line ${i} of the answer.`).join(' ');

  before(async () => {
    fake = await startGeminiFake();
    ai = clientFor(fake);
  });
  after(() => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.chunkDelayMs = 0;
    fake.respondWith(() => ANSWER);
  });

  /** Every chunk the SDK yields, and what it threw, if anything. */
  async function read() {
    const chunks: GenerateContentResponse[] = [];
    let error: unknown;
    try {
      for await (const chunk of await ai.models.generateContentStream({ model, contents: 'x' })) chunks.push(chunk);
    } catch (e) {
      error = e;
    }
    return { chunks, error, text: chunks.map((c) => c.text ?? '').join('') };
  }

  it('drop: the text chunks arrive, then undici reports the connection terminated (no finishReason)', async () => {
    fake.failStreamNext({ kind: 'drop', afterChunks: 3 });
    const { chunks, error } = await read();
    assert.equal(chunks.length, 3);
    assert.ok(chunks.every((c) => !c.candidates?.[0].finishReason));
    assert.ok(error instanceof TypeError, String(error));
    assert.equal(error.message, 'terminated');
    assert.match(String((error as { cause?: unknown }).cause), /other side closed/);
    assert.equal(fake.droppedStreams, 1);
    assert.equal(fake.abortedStreams, 0, 'a drop by the fake is not a client abort');
  });

  it('noFinish: the stream ends cleanly, no chunk carries a finishReason or usage', async () => {
    fake.failStreamNext({ kind: 'noFinish', afterChunks: 2 });
    const { chunks, error } = await read();
    assert.equal(error, undefined);
    assert.equal(chunks.length, 2);
    assert.ok(chunks.every((c) => !c.candidates?.[0].finishReason && !c.usageMetadata));
  });

  it('empty: finishReason STOP on a content without parts, so the SDK has no text', async () => {
    fake.failStreamNext({ kind: 'empty' });
    const { chunks, error } = await read();
    assert.equal(error, undefined);
    assert.equal(chunks.length, 1);
    assert.equal(chunks[0].candidates?.[0].finishReason, 'STOP');
    assert.equal(chunks[0].text, undefined);
    assert.ok(chunks[0].usageMetadata?.promptTokenCount);
  });

  it('safety: a last candidate with finishReason SAFETY, no content, and the blocked rating', async () => {
    fake.failStreamNext({ kind: 'safety', category: 'HARM_CATEGORY_HATE_SPEECH', afterChunks: 1 });
    const { chunks } = await read();
    const last = chunks.at(-1)!;
    assert.equal(last.candidates?.[0].finishReason, 'SAFETY');
    assert.equal(last.candidates?.[0].content, undefined);
    const ratings = last.candidates?.[0].safetyRatings ?? [];
    assert.equal(ratings.length, 4);
    assert.deepEqual(
      ratings.filter((r) => r.blocked),
      [{ category: 'HARM_CATEGORY_HATE_SPEECH', probability: 'HIGH', blocked: true }],
    );
    fake.failStreamNext({ kind: 'safety', finishReason: 'RECITATION' });
    const recitation = (await read()).chunks.at(-1)!;
    assert.equal(recitation.candidates?.[0].finishReason, 'RECITATION');
    assert.equal(recitation.candidates?.[0].safetyRatings, undefined);
  });

  it('promptBlocked: one chunk with promptFeedback.blockReason and no candidates', async () => {
    fake.failStreamNext({ kind: 'promptBlocked' });
    const { chunks, error } = await read();
    assert.equal(error, undefined);
    assert.equal(chunks.length, 1);
    assert.equal(chunks[0].candidates, undefined);
    assert.equal(chunks[0].promptFeedback?.blockReason, 'SAFETY');
    assert.ok(chunks[0].promptFeedback?.safetyRatings?.some((r) => r.blocked && r.category === 'HARM_CATEGORY_DANGEROUS_CONTENT'));
    fake.failStreamNext({ kind: 'promptBlocked', blockReason: 'PROHIBITED_CONTENT' });
    const prohibited = (await read()).chunks[0];
    assert.equal(prohibited.promptFeedback?.blockReason, 'PROHIBITED_CONTENT');
    assert.equal(prohibited.promptFeedback?.safetyRatings, undefined);
  });

  it('maxTokens: the last text chunk carries MAX_TOKENS and the usage', async () => {
    fake.setUsage({ candidatesTokenCount: 64 });
    fake.failStreamNext({ kind: 'maxTokens', afterChunks: 2 });
    const { chunks, text } = await read();
    assert.equal(chunks.length, 2);
    assert.ok(text.length > 0);
    assert.equal(chunks[1].candidates?.[0].finishReason, 'MAX_TOKENS');
    assert.equal(chunks[1].usageMetadata?.candidatesTokenCount, 64);
  });

  it("error presets reach the SDK as ApiError with Google's body: status, QuotaFailure, RetryInfo", async () => {
    const cases: Array<[ReturnType<(typeof geminiErrors)[keyof typeof geminiErrors]>, number, string, RegExp | undefined]> = [
      [geminiErrors.rateLimitPerMinute({ retryDelay: '12.5s' }), 429, 'RESOURCE_EXHAUSTED', /PerMinute/],
      [geminiErrors.quotaPerDay(), 429, 'RESOURCE_EXHAUSTED', /PerDay/],
      [geminiErrors.quotaNotInPlan(), 429, 'RESOURCE_EXHAUSTED', /PerMinute/],
      [geminiErrors.creditsDepleted(), 429, 'RESOURCE_EXHAUSTED', undefined],
      [geminiErrors.exhausted(), 429, 'RESOURCE_EXHAUSTED', undefined],
      [geminiErrors.apiKeyInvalid(), 400, 'INVALID_ARGUMENT', undefined],
      [geminiErrors.unauthenticated(), 401, 'UNAUTHENTICATED', undefined],
      [geminiErrors.permissionDenied(), 403, 'PERMISSION_DENIED', undefined],
      [geminiErrors.internal(), 500, 'INTERNAL', undefined],
      [geminiErrors.unavailable(), 503, 'UNAVAILABLE', undefined],
    ];
    for (const [failure, status, code, quotaId] of cases) {
      fake.failNext(failure);
      const err = await ai.models.generateContentStream({ model, contents: 'x' }).catch((e: unknown) => e);
      assert.ok(err instanceof ApiError, String(err));
      assert.equal(err.status, status);
      const body = errorBody(err) as { error: { code: number; status: string; details?: Array<Record<string, any>> } };
      assert.equal(body.error.code, status);
      assert.equal(body.error.status, code);
      const violations = (body.error.details ?? [])
        .filter((d) => d['@type'] === 'type.googleapis.com/google.rpc.QuotaFailure')
        .flatMap((d) => d.violations);
      if (quotaId) assert.match(violations[0].quotaId, quotaId);
      else if (status === 429) assert.equal(violations.length, 0);
    }
    fake.failNext(geminiErrors.rateLimitPerMinute({ retryDelay: '12.5s' }));
    const err = await ai.models.generateContent({ model, contents: 'x' }).catch((e: unknown) => e);
    const retry = (errorBody(err) as { error: { details: Array<Record<string, any>> } }).error.details.find(
      (d) => d['@type'] === 'type.googleapis.com/google.rpc.RetryInfo',
    );
    assert.equal(retry?.retryDelay, '12s');
  });
});
