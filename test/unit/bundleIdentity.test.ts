// Visen runs as several bundles (the extension, the run machinery, each engine, the forms, the agent, the
// tests) that share one copy of the pieces that must exist once: dist/shared.js, which each requires at run
// time (scripts/sharedBundle.js). Checked on the bundles `node esbuild.js` left in dist: no bundle carries a
// copy of a shared module, each requires dist/shared.js, and an error one bundle throws is `instanceof` its
// class in another (this test bundle requires dist/shared.js too, as the extension's bundles do).
import assert from 'node:assert/strict';
import * as l10n from '@vscode/l10n';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client } from '@notionhq/client';
import { ConnectionRepository } from '../../src/services/connections/connectionRepository';
import { ConnectionSync } from '../../src/services/connections/connectionSync';
import {
  Engine,
  EngineError,
  EngineModule,
  GenerationRequest,
  StreamEnd,
  StreamEnding,
  TokenUsage,
} from '../../src/services/engines/engine';
import { GenerationStore } from '../../src/services/generation/generationStore';
import { LazyGeneration, type RunModule } from '../../src/services/generation/lazyGeneration';
import { UsageTracker } from '../../src/services/generation/usageTracker';
import { useModelDefaults } from '../../src/services/engines/defaultsInUse';
import { ModelDefaults } from '../../src/services/engines/modelDefaults';
import { MemoryStore } from '../../src/services/keyValueStore';
import { MemoryFolder } from '../../src/services/storage/recordFolder';
import { silentLogger } from '../../src/services/logger';
import { markdownToBlocks } from '../../src/services/notion/markdownBlocks';
import { createNotionClient, NOTION_DEADLINES, NotionAbortError, NotionDeadlineError } from '../../src/services/notion/notionClient';
import { NotionError } from '../../src/services/notion/notionErrors';
import { PropertyValueError } from '../../src/services/notion/propertyValues';
import { notionSdk, useNotionSdk } from '../../src/services/notion/sdk';
import { NotionFake, startNotionFake } from '../fakes/notionFake';
import { OpenAIFake, startOpenAIFake } from '../fakes/openaiFake';

const SECRET = 'secret_fake_notion';

/** The repository: the nearest folder up from this bundle whose package.json is Visen's. */
function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'visen') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no Visen package.json above ${__dirname}`);
  }
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

describe('one copy of each shared piece across bundles', () => {
  const root = repoRoot();
  const dist = path.join(root, 'dist');
  const { SHARED_MODULES } = require(path.join(root, 'scripts', 'sharedBundle.js')) as { SHARED_MODULES: Record<string, string> };
  const meta = JSON.parse(fs.readFileSync(path.join(dist, 'meta.json'), 'utf8')) as {
    outputs: Record<string, { inputs: Record<string, unknown> }>;
  };
  const bundles = Object.keys(meta.outputs).filter((f) => f.endsWith('.js') && !f.startsWith('dist/webview/'));
  const shared = require(path.join(dist, 'shared.js')) as Record<string, Record<string, unknown>>;

  describe('dist', () => {
    it('dist/shared.js alone bundles the shared modules', () => {
      assert.ok(bundles.includes('dist/shared.js'), `dist/meta.json lists ${bundles.join(', ')}`);
      for (const module of Object.values(SHARED_MODULES).filter((m) => m.startsWith('src/'))) {
        const holders = bundles.filter((file) => module in meta.outputs[file].inputs);
        assert.deepEqual(holders, ['dist/shared.js'], `${module} is bundled in ${holders.join(', ')}`);
      }
      const l10nCopies = bundles.filter((file) =>
        Object.keys(meta.outputs[file].inputs).some((i) => i.includes('node_modules/@vscode/l10n/')),
      );
      assert.deepEqual(l10nCopies, ['dist/shared.js'], '@vscode/l10n');
    });

    it('every bundle that uses a shared module requires dist/shared.js from where it is', () => {
      const users = bundles.filter((file) => Object.keys(meta.outputs[file].inputs).some((i) => i.startsWith('visen-shared:')));
      for (const file of ['dist/extension.js', 'dist/run.js', 'dist/agent.js', 'dist/forms.js', 'dist/fill.js', 'dist/engines/openai.js'])
        assert.ok(users.includes(file), `${file} uses no shared module`);
      for (const file of users) {
        const text = fs.readFileSync(path.join(root, file), 'utf8');
        const expected = file.startsWith('dist/engines/') ? '../shared.js' : './shared.js';
        assert.ok(text.includes(`require(${JSON.stringify(expected)})`), `${file} requires ${expected}`);
        assert.ok(!text.includes('__visen_shared__'), `${file} still has the placeholder`);
      }
    });

    it("this test bundle's error classes are dist/shared.js's", () => {
      const classes = { NotionError, EngineError, PropertyValueError, NotionDeadlineError, NotionAbortError };
      assert.equal(classes.NotionError, shared.notionErrors.NotionError);
      assert.equal(classes.EngineError, shared.engineError.EngineError);
      assert.equal(classes.PropertyValueError, shared.propertyValueError.PropertyValueError);
      assert.equal(classes.NotionDeadlineError, shared.notionClient.NotionDeadlineError);
      assert.equal(classes.NotionAbortError, shared.notionClient.NotionAbortError);
      const errors = [
        new NotionError('timeout', 'x'),
        new EngineError('auth', 'x'),
        new PropertyValueError('x'),
        new NotionDeadlineError('headers', 1),
        new NotionAbortError(true),
      ];
      const list = Object.values(classes);
      errors.forEach((error, i) =>
        list.forEach((cls, j) => assert.equal(error instanceof cls, i === j, `${error.constructor.name} instanceof ${cls.name}`)),
      );
      const lookalike = Object.assign(new Error('x'), { name: 'NotionError', problem: 'timeout' });
      assert.ok(!(lookalike instanceof NotionError), 'nothing is recognised by its name or shape alone');
    });
  });

  it("one state for every bundle: this test bundle's SDK accessor, l10n and model defaults are dist/shared.js's", () => {
    assert.equal(useNotionSdk, shared.sdk.useNotionSdk);
    assert.equal(notionSdk, shared.sdk.notionSdk);
    assert.equal(l10n.config, shared.l10n.config);
    assert.equal(useModelDefaults, shared.defaultsInUse.useModelDefaults);
    const defaults = new ModelDefaults(new MemoryStore());
    useModelDefaults(defaults);
    try {
      assert.equal((shared.defaultsInUse.modelDefaultsInUse as () => unknown)(), defaults);
    } finally {
      useModelDefaults(undefined);
    }
  });

  describe('dist/engines/openai.js', () => {
    let openai: OpenAIFake;
    before(async () => {
      openai = await startOpenAIFake({ chunkDelayMs: 0 });
    });
    after(() => openai.close());

    it('an EngineError the engine bundle throws is an EngineError here', async () => {
      const module = require(path.join(dist, 'engines', 'openai.js')) as EngineModule;
      const error = await module
        .createEngine({ apiKey: 'sk-wrong', baseUrl: openai.url })
        .listModels()
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(error instanceof EngineError, `an EngineError, not ${String(error)}`);
      assert.equal(error.constructor, EngineError, 'the one class');
      assert.equal(error.kind, 'auth');
    });
  });

  describe('dist/run.js', function () {
    this.timeout(20_000);
    const run = require(path.join(dist, 'run.js')) as RunModule;
    let notion: NotionFake;
    let realFetch: typeof fetch;

    before(async () => {
      notion = await startNotionFake({ validTokens: [SECRET] });
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

    it('a NotionError the bundle throws is a NotionError here', async () => {
      const hidden = notion.addPage({ title: 'Hidden', shared: false, personAccess: false });
      const error = await generation(new ScriptedEngine())
        .lazy.service.resolvePage(hidden.url)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(error instanceof NotionError, `a NotionError, not ${String(error)}`);
      assert.equal(error.constructor, NotionError, 'the one class, not a copy');
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
      const connection = await lazy.service.connectionFor(await lazy.service.resolvePage(page.id));
      const result = await lazy.service.run({
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
      const error = await lazy.service
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
      assert.equal(error.constructor, PropertyValueError, 'the one class, not a copy');
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
      const connection = await lazy.service.connectionFor(await lazy.service.resolvePage(page.id));
      notion.failNext({ method: 'PATCH', path: /\/children$/ }, { kind: 'hang' } as never, 1);
      const controller = new AbortController();
      let cancelledAt = 0;
      const watch = setInterval(() => {
        if (signals.length === 0 || cancelledAt) return;
        cancelledAt = Date.now();
        controller.abort();
      }, 20);
      const result = await lazy.service
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
