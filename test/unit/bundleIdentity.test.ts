// Visen's errors cross bundles: the generation machinery (dist/run.js) is required on first use and has its
// own copies of the classes it shares with the extension, the engines and the tests. A class branded with
// brandError recognises every copy of itself, and only of itself. Checked here with copies made side by
// side, then with the bundle the extension requires, as `node esbuild.js` left it in dist, against this test
// bundle's copies (what the extension's are to it).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client } from '@notionhq/client';
import { ConnectionRepository } from '../../src/services/connections/connectionRepository';
import { ConnectionSync } from '../../src/services/connections/connectionSync';
import { Engine, EngineError, GenerationRequest, StreamEnd, StreamEnding, TokenUsage } from '../../src/services/engines/engine';
import { brandError } from '../../src/services/errorBrand';
import { GenerationStore } from '../../src/services/generation/generationRecord';
import { LazyGeneration, type RunModule } from '../../src/services/generation/lazyGeneration';
import { UsageTracker } from '../../src/services/generation/usageTracker';
import { MemoryStore } from '../../src/services/keyValueStore';
import { MemoryFolder } from '../../src/services/storage/recordFolder';
import { silentLogger } from '../../src/services/logger';
import { markdownToBlocks } from '../../src/services/notion/markdownBlocks';
import { createNotionClient, NOTION_DEADLINES, NotionAbortError, NotionDeadlineError } from '../../src/services/notion/notionClient';
import { NotionError } from '../../src/services/notion/notionErrors';
import { PropertyValueError } from '../../src/services/notion/propertyValues';
import { notionSdk } from '../../src/services/notion/sdk';
import { NotionFake, startNotionFake } from '../fakes/notionFake';

const SECRET = 'secret_fake_notion';

/** The repository: the nearest folder up from this bundle whose package.json is Visen's. */
function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'visen') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no Visen package.json above ${__dirname}`);
  }
}

/** One bundle's copy of a small error family: each call is another copy of the same source. */
function copyOfClasses() {
  class ProblemError extends Error {
    constructor(readonly problem: string) {
      super(problem);
    }
  }
  brandError(ProblemError, 'Test.ProblemError');
  class TimeoutError extends ProblemError {}
  brandError(TimeoutError, 'Test.TimeoutError');
  class OtherError extends Error {}
  brandError(OtherError, 'Test.OtherError');
  return { ProblemError, TimeoutError, OtherError };
}

/** An engine that streams a few blocks with pauses, then ends as told. */
class ScriptedEngine implements Engine {
  readonly kind = 'openai' as const;
  constructor(private readonly how: { pauseMs?: number; fail?: EngineError; answer?: string } = {}) {}
  async *stream(_request: GenerationRequest, signal: AbortSignal): AsyncGenerator<string, StreamEnd> {
    for (const piece of ['# Title\n\n', 'First paragraph.\n\n', 'Second paragraph.\n\n', 'Third paragraph.\n\n']) {
      await new Promise((r) => setTimeout(r, this.how.pauseMs ?? 0));
      if (signal.aborted) throw new EngineError('cancelled', 'Cancelled.');
      if (this.how.fail) throw this.how.fail;
      yield piece;
    }
    return { ending: { reason: 'stop' }, usage: { inputTokens: 1, outputTokens: 2 } };
  }
  ending(): StreamEnding | undefined {
    return { reason: 'stop' };
  }
  usage(): TokenUsage | undefined {
    return { inputTokens: 1, outputTokens: 2 };
  }
  async complete() {
    return { text: this.how.answer ?? '{}', usage: { inputTokens: 1, outputTokens: 2 } };
  }
  async listModels() {
    return [];
  }
}

describe('errors across bundles', () => {
  describe('brandError', () => {
    const a = copyOfClasses();
    const b = copyOfClasses();

    it('recognises another copy of the same class', () => {
      assert.notEqual(a.ProblemError, b.ProblemError);
      assert.ok(new b.ProblemError('x') instanceof a.ProblemError);
      assert.ok(new a.ProblemError('x') instanceof b.ProblemError);
      assert.ok(new b.TimeoutError('x') instanceof a.TimeoutError);
    });

    it('keeps each class distinct: a subclass is one of its parent, never the other way round', () => {
      assert.ok(new b.TimeoutError('x') instanceof a.ProblemError);
      assert.ok(!(new b.ProblemError('x') instanceof a.TimeoutError));
      assert.ok(!(new a.ProblemError('x') instanceof a.TimeoutError));
      assert.ok(!(new b.OtherError('x') instanceof a.ProblemError));
      assert.ok(!(new b.ProblemError('x') instanceof a.OtherError));
      assert.ok(new a.ProblemError('x') instanceof Error);
    });

    it('recognises nothing by its name or shape alone', () => {
      const lookalike = Object.assign(new Error('x'), { name: 'ProblemError', problem: 'x' });
      assert.ok(!(lookalike instanceof a.ProblemError));
      for (const value of [undefined, null, 'ProblemError', 42, {}])
        assert.ok(!((value as unknown) instanceof a.ProblemError), String(value));
    });

    it('checks a subclass without a brand of its own the ordinary way', () => {
      class Unbranded extends a.ProblemError {}
      assert.ok(new Unbranded('x') instanceof Unbranded);
      assert.ok(!(new a.ProblemError('x') instanceof Unbranded));
      assert.ok(!(new b.TimeoutError('x') instanceof Unbranded));
      assert.ok(new Unbranded('x') instanceof b.ProblemError, 'still one of its (branded) parent, in every copy');
    });

    it("Visen's error classes have a brand each", () => {
      const errors = [
        new NotionError('timeout', 'x'),
        new NotionDeadlineError('headers', 1),
        new NotionAbortError(true),
        new EngineError('auth', 'x'),
        new PropertyValueError('x'),
      ];
      const classes = [NotionError, NotionDeadlineError, NotionAbortError, EngineError, PropertyValueError];
      errors.forEach((error, i) =>
        classes.forEach((cls, j) => assert.equal(error instanceof cls, i === j, `${error.constructor.name} instanceof ${cls.name}`)),
      );
    });
  });

  describe('dist/run.js against the copies in this bundle', function () {
    this.timeout(20_000);
    const run = require(path.join(repoRoot(), 'dist', 'run.js')) as RunModule;
    let notion: NotionFake;
    let realFetch: typeof fetch;

    before(async () => {
      notion = await startNotionFake({ validTokens: [SECRET] });
      run.configure({ l10n: {}, notionSdk });
      realFetch = globalThis.fetch;
    });
    after(async () => {
      globalThis.fetch = realFetch;
      await notion.close();
    });
    beforeEach(() => notion.reset());
    afterEach(() => {
      globalThis.fetch = realFetch;
    });

    /** The facade the extension builds, over the dist bundle, with this bundle's stores, client and engine. */
    function generation(
      engine: Engine,
      client: Client = createNotionClient({ auth: SECRET, baseUrl: notion.url, requestsPerSecond: 100 }),
    ) {
      const store = new MemoryStore();
      const connections = new ConnectionRepository(store, silentLogger, { folder: new MemoryFolder() });
      return {
        connections,
        lazy: new LazyGeneration(() => run, {
          notion: async () => client,
          engine: async () => engine,
          generations: new GenerationStore(store),
          connections,
          sync: new ConnectionSync({ client: async () => client, databaseUrl: () => '', connections, logger: silentLogger }),
          usage: new UsageTracker(store),
          store,
          logger: silentLogger,
          converter: () => markdownToBlocks,
        }),
      };
    }

    it('a NotionError the bundle throws is a NotionError here, though another copy', async () => {
      const hidden = notion.addPage({ title: 'Hidden', shared: false, personAccess: false });
      const error = await generation(new ScriptedEngine())
        .lazy.resolvePage(hidden.url)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(error instanceof NotionError, `a NotionError, not ${String(error)}`);
      assert.notEqual(error.constructor, NotionError, "thrown by the bundle's own copy");
      assert.equal(error.problem, 'notShared');
      assert.ok(!(error instanceof EngineError) && !(error instanceof PropertyValueError));
    });

    it("this bundle's NotionDeadlineError is a timeout to the bundle", async () => {
      const client = createNotionClient({
        auth: SECRET,
        baseUrl: notion.url,
        requestsPerSecond: 100,
        deadlines: { headersMs: 300, bodyMs: 600 },
      });
      const database = notion.addDatabase({ title: 'Books', properties: { Name: { title: {} } } });
      notion.failNext({ method: 'GET', path: /^\/v1\/data_sources\// }, { kind: 'hang' } as never, 5);
      const error = await generation(new ScriptedEngine(), client)
        .lazy.databases(client)
        .dataSource(database.dataSourceId)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(error instanceof NotionError, `a NotionError, not ${String(error)}`);
      assert.equal(error.problem, 'timeout');
    });

    it("this bundle's EngineError keeps its kind through the bundle's generator", async () => {
      const { lazy } = generation(new ScriptedEngine({ fail: new EngineError('auth', 'The key was rejected.') }));
      const page = notion.addPage({ title: 'Engine fails' });
      const connection = await lazy.connectionFor(await lazy.resolvePage(page.id));
      const result = await lazy.run({
        connection,
        prompt: 'p',
        engine: 'openai',
        model: 'm',
        mode: 'append',
        signal: new AbortController().signal,
      });
      assert.ok(result.error instanceof EngineError, `an EngineError, not ${String(result.error)}`);
      assert.equal(result.error.kind, 'auth', 'not wrapped as unknown');
    });

    it('a PropertyValueError the bundle throws is a PropertyValueError here', async () => {
      const database = notion.addDatabase({ title: 'Books', properties: { Name: { title: {} } } });
      const { lazy, connections } = generation(new ScriptedEngine({ answer: 'not JSON' }));
      const connection = await connections.create({
        name: 'Books',
        type: 'database',
        target: { id: database.id, url: database.url, title: 'Books' },
      });
      const withSource = (await connections.update(connection.id, (c) => ({ ...c, dataSourceId: database.dataSourceId })))!;
      const error = await lazy
        .runNewEntry({
          connection: withSource,
          prompt: 'p',
          engine: 'openai',
          model: 'm',
          mode: 'append',
          signal: new AbortController().signal,
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(error instanceof PropertyValueError, `a PropertyValueError, not ${String(error)}`);
      assert.notEqual(error.constructor, PropertyValueError);
    });

    it("Cancel in the bundle's writer aborts the request this bundle's client holds", async () => {
      // Deadlines far away: only the run's signal, passed from the bundle's writer to this client, can end it.
      const client = createNotionClient({
        auth: SECRET,
        baseUrl: notion.url,
        requestsPerSecond: 100,
        deadlines: { ...NOTION_DEADLINES, headersMs: 10_000 },
      });
      const signals: AbortSignal[] = [];
      globalThis.fetch = (input, init) => {
        if (init?.method === 'PATCH' && init.signal) signals.push(init.signal);
        return realFetch(input, init);
      };
      const { lazy } = generation(new ScriptedEngine({ pauseMs: 50 }), client);
      const page = notion.addPage({ title: 'Cancel' });
      const connection = await lazy.connectionFor(await lazy.resolvePage(page.id));
      notion.failNext({ method: 'PATCH', path: /\/children$/ }, { kind: 'hang' } as never, 1);
      const controller = new AbortController();
      let cancelledAt = 0;
      const watch = setInterval(() => {
        if (signals.length === 0 || cancelledAt) return;
        cancelledAt = Date.now();
        controller.abort();
      }, 20);
      const result = await lazy
        .run({ connection, prompt: 'p', engine: 'openai', model: 'm', mode: 'append', signal: controller.signal })
        .finally(() => clearInterval(watch));
      assert.ok(cancelledAt, 'the write was held when Cancel came');
      assert.equal(result.record.status, 'cancelled');
      assert.ok(Date.now() - cancelledAt < 1000, `ended ${Date.now() - cancelledAt} ms after Cancel`);
      assert.ok(signals[0].aborted, 'the held request was aborted');
      assert.ok(signals[0].reason instanceof NotionAbortError, `aborted by the run's signal, not ${String(signals[0].reason)}`);
    });
  });
});
