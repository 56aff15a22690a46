// The vscode-lm engine against a fake `vscode.lm`: streaming, model choice, cancellation through the
// request's CancellationToken, VS Code's errors (consent refused, blocked, not found) and no model at all.
import assert from 'node:assert/strict';
import { EngineError } from '../../src/services/engines/engine';
import { LmAccess, LmChatModel, VscodeLmEngine } from '../../src/platform/vscodeLmEngine';
import { CALL_DEADLINES, CallDeadlines } from '../../src/services/engines/callDeadline';

/** A stand-in for vscode.LanguageModelError. */
class FakeLmError extends Error {
  constructor(
    readonly code: string,
    message = code,
  ) {
    super(message);
  }
}

/** A cancellation token like VS Code's: a flag and listeners. */
class FakeToken {
  isCancellationRequested = false;
  private readonly listeners: (() => void)[] = [];
  onCancellationRequested(listener: () => void) {
    this.listeners.push(listener);
  }
  cancel() {
    this.isCancellationRequested = true;
    this.listeners.forEach((l) => l());
  }
}

interface Sent {
  messages: unknown[];
  token: FakeToken;
}

function fakeModel(
  id: string,
  family: string,
  reply: (sent: Sent) => AsyncIterable<string> | Promise<never>,
  counts = true,
): LmChatModel & { sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    id,
    family,
    name: id.toUpperCase(),
    vendor: 'copilot',
    sent,
    async sendRequest(messages, _options, token) {
      const s = { messages, token: token as FakeToken };
      sent.push(s);
      const text = reply(s);
      if (text instanceof Promise) return text;
      return { text };
    },
    ...(counts ? { countTokens: async (text: string) => text.split(/\s+/).filter(Boolean).length } : {}),
  };
}

function fakeLm(models: LmChatModel[]): LmAccess & { disposed: number } {
  const lm = {
    disposed: 0,
    async selectChatModels(selector?: { id?: string; family?: string }) {
      return models.filter((m) => (!selector?.id || m.id === selector.id) && (!selector?.family || m.family === selector.family));
    },
    userMessage: (text: string) => ({ role: 'user', text }),
    token(signal: AbortSignal) {
      const token = new FakeToken();
      signal.addEventListener('abort', () => token.cancel(), { once: true });
      if (signal.aborted) token.cancel();
      return { token, dispose: () => void lm.disposed++ };
    },
    errorCode: (error: unknown) => (error instanceof FakeLmError ? error.code : undefined),
  };
  return lm;
}

async function* chunks(...parts: string[]): AsyncIterable<string> {
  for (const part of parts) {
    await new Promise((r) => setImmediate(r));
    yield part;
  }
}

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of iterable) out.push(chunk);
  return out;
}

async function rejects(promise: Promise<unknown>, kind: EngineError['kind'], message?: RegExp): Promise<EngineError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof EngineError, `an EngineError, not ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    if (message) assert.match(error.message, message);
    return error;
  }
  assert.fail(`expected an EngineError ${kind}`);
}

describe('vscode-lm engine', () => {
  it('streams the model text, instructions first as a user message, and counts tokens in and out', async () => {
    const model = fakeModel('gpt-4o', 'gpt-4o', () => chunks('# Title\n\n', 'Some ', 'text.'));
    const lm = fakeLm([model]);
    const engine = new VscodeLmEngine(lm);
    const out = await collect(
      engine.stream({ model: '', prompt: 'write two words', instructions: 'Be brief.' }, new AbortController().signal),
    );
    assert.deepEqual(out, ['# Title\n\n', 'Some ', 'text.']);
    assert.deepEqual(model.sent[0].messages, [
      { role: 'user', text: 'Be brief.' },
      { role: 'user', text: 'write two words' },
    ]);
    assert.deepEqual(engine.usage(), { inputTokens: 5, outputTokens: 4 });
    assert.deepEqual(engine.ending(), { reason: 'stop' });
    assert.equal(lm.disposed, 1, 'the cancellation source is disposed');
  });

  it('chooses the model by id, then by family; empty = the first one VS Code offers', async () => {
    const a = fakeModel('copilot-a', 'fam-a', () => chunks('from a'));
    const b = fakeModel('copilot-b', 'fam-b', () => chunks('from b'), false);
    const engine = new VscodeLmEngine(fakeLm([a, b]));
    const signal = new AbortController().signal;
    assert.deepEqual(await collect(engine.stream({ model: 'copilot-b', prompt: 'p' }, signal)), ['from b']);
    assert.equal(engine.usage(), undefined, 'a model that cannot count leaves usage undefined');
    assert.deepEqual(await collect(engine.stream({ model: 'fam-a', prompt: 'p' }, signal)), ['from a']);
    assert.deepEqual(await collect(engine.stream({ model: '', prompt: 'p' }, signal)), ['from a']);
    await rejects(
      collect(engine.stream({ model: 'gone-model', prompt: 'p' }, signal)),
      'notFound',
      /gone-model is not available.*Select Model.*copilot-a, copilot-b/,
    );
  });

  it('cancelling cancels the request token and ends the stream as cancelled', async () => {
    const controller = new AbortController();
    const model = fakeModel('m', 'm', (sent) =>
      (async function* () {
        yield 'first ';
        // The model keeps going until VS Code's token says stop.
        while (!sent.token.isCancellationRequested) {
          await new Promise((r) => setTimeout(r, 5));
          yield 'more ';
        }
      })(),
    );
    const lm = fakeLm([model]);
    const engine = new VscodeLmEngine(lm);
    const got: string[] = [];
    const error = await rejects(
      (async () => {
        for await (const chunk of engine.stream({ model: '', prompt: 'p' }, controller.signal)) {
          got.push(chunk);
          if (got.length === 3) controller.abort();
        }
      })(),
      'cancelled',
    );
    assert.ok(error);
    assert.equal(model.sent[0].token.isCancellationRequested, true, 'the token given to sendRequest was cancelled');
    assert.equal(got.length, 3);
    assert.equal(lm.disposed, 1);
  });

  it('cancelling ends the wait for a model that sends nothing more', async () => {
    const controller = new AbortController();
    // VS Code 1.100 does not pass the cancellation on to a provider whose answer streams: it just stops.
    const model = fakeModel('m', 'm', () =>
      (async function* () {
        yield 'first ';
        await new Promise(() => undefined);
      })(),
    );
    const engine = new VscodeLmEngine(fakeLm([model]));
    const started = Date.now();
    const error = await rejects(
      (async () => {
        for await (const _chunk of engine.stream({ model: '', prompt: 'p' }, controller.signal)) setTimeout(() => controller.abort(), 20);
      })(),
      'cancelled',
    );
    assert.ok(error);
    assert.ok(Date.now() - started < 1000, `stopped after ${Date.now() - started} ms`);
  });

  it('a refused consent is an auth error that says how to allow it', async () => {
    const model = fakeModel('m', 'm', () => Promise.reject(new FakeLmError('NoPermissions', 'Access denied')));
    const engine = new VscodeLmEngine(fakeLm([model]));
    await rejects(
      collect(engine.stream({ model: '', prompt: 'p' }, new AbortController().signal)),
      'auth',
      /did not allow Visen.*Allow.*Manage Language Model Access/,
    );
  });

  it('maps blocked, not found, an error mid-stream and an empty answer', async () => {
    const signal = new AbortController().signal;
    const blocked = new VscodeLmEngine(fakeLm([fakeModel('m', 'm', () => Promise.reject(new FakeLmError('Blocked', 'quota exceeded')))]));
    await rejects(collect(blocked.stream({ model: '', prompt: 'p' }, signal)), 'rateLimit', /quota exceeded/);
    const gone = new VscodeLmEngine(fakeLm([fakeModel('m', 'm', () => Promise.reject(new FakeLmError('NotFound')))]));
    await rejects(collect(gone.stream({ model: '', prompt: 'p' }, signal)), 'notFound', /no longer available.*Select Model/);
    const broken = new VscodeLmEngine(
      fakeLm([
        fakeModel('m', 'm', () =>
          (async function* () {
            yield 'half';
            throw new Error('socket closed');
          })(),
        ),
      ]),
    );
    await rejects(collect(broken.stream({ model: '', prompt: 'p' }, signal)), 'unknown', /socket closed/);
    const empty = new VscodeLmEngine(fakeLm([fakeModel('m', 'm', () => chunks())]));
    await rejects(collect(empty.stream({ model: '', prompt: 'p' }, signal)), 'empty');
  });

  it('with no model at all: unavailable, saying to install or sign in to a provider, or choose Gemini or OpenAI', async () => {
    const engine = new VscodeLmEngine(fakeLm([]));
    const message =
      /No language model is available in VS Code — install or sign in to a provider such as GitHub Copilot, or choose Gemini or OpenAI\./;
    await rejects(collect(engine.stream({ model: '', prompt: 'p' }, new AbortController().signal)), 'unavailable', message);
    await rejects(engine.listModels(), 'unavailable', message);
  });

  it('lists the models VS Code offers; structured answers are asked for as JSON in the prompt', async () => {
    const model = fakeModel('gpt-4o', 'gpt-4o', () => chunks('{"Status":', '"Done"}'));
    const engine = new VscodeLmEngine(fakeLm([model]));
    assert.deepEqual(await engine.listModels(), [{ id: 'gpt-4o', displayName: 'GPT-4O (copilot, gpt-4o)' }]);
    const schema = { type: 'object', properties: { Status: { type: 'string' } } };
    const completion = await engine.complete({ model: '', prompt: 'Fill the row' }, new AbortController().signal, { jsonSchema: schema });
    assert.equal(completion.text, '{"Status":"Done"}');
    assert.equal(completion.usage?.outputTokens, 1, 'counted by the model');
    const asked = (model.sent[0].messages.at(-1) as { text: string }).text;
    assert.match(asked, /^Fill the row\n\n.*JSON.*\n\{"type":"object"/s);
  });

  describe('calls that are not streamed have the deadlines of every engine', () => {
    /** Short deadlines for the tests: the real ones are 30 s to the first text and 120 s in all. */
    const SHORT: CallDeadlines = { firstByteMs: 300, totalMs: 1_500 };
    const never = () => new Promise<never>(() => undefined);

    /** A model that takes the request and never sends a word (and ignores its token, as providers may). */
    const hungModel = () => fakeModel('gpt-4o', 'gpt-4o', () => never());

    it('uses CALL_DEADLINES by default: 30 s to the first text, 120 s in all', async () => {
      assert.deepEqual(CALL_DEADLINES, { firstByteMs: 30_000, totalMs: 120_000 });
    });

    it('gives up on a hung complete() at its first-text deadline and says so', async () => {
      const model = hungModel();
      const engine = new VscodeLmEngine(fakeLm([model]), SHORT);
      const started = Date.now();
      const error = await rejects(
        engine.complete({ model: 'gpt-4o', prompt: 'Fill' }, new AbortController().signal),
        'network',
        /^The VS Code language model gpt-4o sent no answer within 0 seconds, so Visen stopped waiting\. Try again in a moment\.$/,
      );
      const took = Date.now() - started;
      assert.ok(took >= SHORT.firstByteMs - 20 && took < SHORT.firstByteMs + 700, `gave up after ${took} ms`);
      assert.equal(model.sent.length, 1, 'the request reached the model');
      assert.equal(model.sent[0].token.isCancellationRequested, true, "the request's token is cancelled");
      assert.ok(error.message.includes('sent no answer'));
    });

    it('gives up on a complete() whose answer goes on too long at the total deadline', async () => {
      // The first text comes at once, then nothing: only the total deadline can end it.
      const model = fakeModel('gpt-4o', 'gpt-4o', () =>
        (async function* () {
          yield 'Start ';
          await never();
        })(),
      );
      const started = Date.now();
      await rejects(
        new VscodeLmEngine(fakeLm([model]), { firstByteMs: 200, totalMs: 600 }).complete(
          { model: '', prompt: 'Fill' },
          new AbortController().signal,
        ),
        'network',
        /^VS Code's language model did not finish answering within 1 seconds, so Visen stopped waiting\./,
      );
      const took = Date.now() - started;
      assert.ok(took >= 580 && took < 1_300, `gave up after ${took} ms`);
    });

    it('gives up on a hung listModels() at its deadline and says so', async () => {
      const lm = { ...fakeLm([]), selectChatModels: never };
      const started = Date.now();
      await rejects(
        new VscodeLmEngine(lm, SHORT).listModels(),
        'network',
        /^VS Code's language model sent no answer within 0 seconds, so Visen stopped waiting\. Try again in a moment\.$/,
      );
      const took = Date.now() - started;
      assert.ok(took >= SHORT.firstByteMs - 20 && took < SHORT.firstByteMs + 700, `gave up after ${took} ms`);
    });

    it('Cancel ends a hung complete() and a hung listModels() at once, reported as cancelled', async () => {
      const model = hungModel();
      const engine = new VscodeLmEngine(fakeLm([model]));
      let controller = new AbortController();
      let started = Date.now();
      setTimeout(() => controller.abort(), 100);
      await rejects(engine.complete({ model: '', prompt: 'Fill' }, controller.signal), 'cancelled', /^Generation was cancelled\.$/);
      assert.ok(Date.now() - started < 600, `complete() ended after ${Date.now() - started} ms`);
      assert.equal(model.sent[0].token.isCancellationRequested, true);

      const lm = { ...fakeLm([]), selectChatModels: never };
      controller = new AbortController();
      started = Date.now();
      setTimeout(() => controller.abort(), 100);
      await rejects(new VscodeLmEngine(lm).listModels(controller.signal), 'cancelled', /^Generation was cancelled\.$/);
      assert.ok(Date.now() - started < 600, `listModels() ended after ${Date.now() - started} ms`);
    });

    it('answers as before within its deadlines, and the deadline timers do not outlive the call', async () => {
      const model = fakeModel('gpt-4o', 'gpt-4o', () => chunks('A short ', 'answer.'));
      const engine = new VscodeLmEngine(fakeLm([model]), SHORT);
      assert.equal((await engine.complete({ model: '', prompt: 'Fill' }, new AbortController().signal)).text, 'A short answer.');
      assert.equal((await engine.listModels()).length, 1);
      // Past both deadlines: nothing fires late (a stray abort would cancel the finished request's token).
      await new Promise((r) => setTimeout(r, SHORT.totalMs + 100));
      assert.equal(model.sent[0].token.isCancellationRequested, false);
    });
  });
});
