import assert from 'node:assert/strict';
import type { Engine, GenerationRequest, StreamEnd, StreamEnding, TokenUsage } from '../../src/services/engines/engine';
import { EngineError } from '../../src/services/engines/engine';
import { GenerationStore } from '../../src/services/generation/generationStore';
import { Generator, type GenerationProgress } from '../../src/services/generation/generator';
import { PageLocks } from '../../src/services/generation/pageLocks';
import { MemoryStore } from '../../src/services/keyValueStore';
import { silentLogger } from '../../src/services/logger';
import { BlockWriter } from '../../src/services/notion/blockWriter';
import { markdownToBlocks } from '../../src/services/notion/markdownBlocks';
import { createNotionClient } from '../../src/services/notion/notionClient';
import { NotionFake, startNotionFake } from '../fakes/notionFake';

const SECRET = 'secret_fake_notion';

/**
 * An engine that plays a script of text pieces with pauses, then ends as told: the shapes of stream a
 * provider can send, independent of any SDK (the engines' own handling of them is tested against the
 * provider stand-ins in engines*.test.ts).
 */
class ScriptedEngine implements Engine {
  readonly kind = 'openai' as const;
  private end: StreamEnding | undefined;
  constructor(
    private readonly pieces: readonly string[],
    private readonly how: { pauseMs?: number; then?: 'stop' | 'length' | EngineError; hangAfter?: number } = {},
  ) {}

  async *stream(_request: GenerationRequest, signal: AbortSignal): AsyncGenerator<string, StreamEnd> {
    this.end = undefined;
    for (let i = 0; i < this.pieces.length; i++) {
      if (this.how.hangAfter === i)
        await new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(new EngineError('cancelled', 'aborted')), { once: true }),
        );
      await new Promise((r) => setTimeout(r, this.how.pauseMs ?? 0));
      if (signal.aborted) throw new EngineError('cancelled', 'Cancelled.');
      yield this.pieces[i];
    }
    const then = this.how.then ?? 'stop';
    if (then instanceof EngineError) throw then;
    this.end = then === 'length' ? { reason: 'length', outputTokens: 4096 } : { reason: 'stop' };
    return { ending: this.end, usage: { inputTokens: 10, outputTokens: 20 } };
  }
  ending(): StreamEnding | undefined {
    return this.end;
  }
  usage(): TokenUsage | undefined {
    return { inputTokens: 10, outputTokens: 20 };
  }
  complete(): never {
    throw new Error('not used');
  }
  async listModels() {
    return [];
  }
}

describe('Runs under faults: deadlines, Cancel, one run per page, how an answer ended', function () {
  this.timeout(30_000);
  let notion: NotionFake;
  let store: GenerationStore;

  before(async () => {
    notion = await startNotionFake();
  });
  after(async () => {
    await notion.close();
  });
  beforeEach(() => {
    notion.reset();
    notion.latencyMs = 0;
    store = new GenerationStore(new MemoryStore());
  });

  function generator(
    options: {
      deadlines?: { headersMs: number; bodyMs: number };
      locks?: PageLocks;
      engineDeadlines?: { firstTextMs: number; idleMs: number };
    } = {},
  ) {
    const client = createNotionClient({ auth: SECRET, baseUrl: notion.url, requestsPerSecond: 100, deadlines: options.deadlines });
    return new Generator(new BlockWriter(client), markdownToBlocks, store, silentLogger, options.locks, options.engineDeadlines);
  }

  function page(title: string) {
    const p = notion.addPage({ title });
    return { id: p.id, title, url: p.url };
  }

  const PIECES = ['# Title\n\n', 'First paragraph.\n\n', 'Second paragraph.\n\n', '- a\n- b\n'];

  it('a Notion request that never answers times out at its deadline; the text is kept for Retry Write', async () => {
    // The write hangs, and so does the listing that would tell whether it landed.
    notion.failNext(
      { method: 'PATCH', path: /\/children$/ },
      { kind: 'hang', then: () => notion.failNext({ method: 'GET', path: /\/children$/ }, { kind: 'hang' }, 1) },
      1,
    );
    const started = Date.now();
    const { record, error } = await generator({ deadlines: { headersMs: 300, bodyMs: 600 } }).run({
      page: page('Hang'),
      prompt: 'p',
      plan: { mode: 'append' },
      engine: new ScriptedEngine(PIECES),
      model: 'm',
      signal: new AbortController().signal,
    });
    assert.equal(record.status, 'writeFailed');
    assert.equal((error as { problem?: string }).problem, 'timeout');
    assert.match(error!.message, /did not answer in time/);
    assert.ok(Date.now() - started < 5000, `finished in ${Date.now() - started} ms`);
    assert.equal(record.markdown, PIECES.join('').replace(/\n$/, '\n'));
    assert.ok(record.uncertainBlocks, 'the unanswered write is marked unknown, to be checked before a retry');
  });

  it('a response whose body stalls times out too', async () => {
    notion.failNext({ method: 'PATCH', path: /\/children$/ }, { kind: 'stallBody' } as never, 1);
    const started = Date.now();
    const { record } = await generator({ deadlines: { headersMs: 300, bodyMs: 600 } }).run({
      page: page('Stall'),
      prompt: 'p',
      plan: { mode: 'append' },
      engine: new ScriptedEngine(PIECES),
      model: 'm',
      signal: new AbortController().signal,
    });
    // The stalled write had landed: the check finds it, and the rest follows.
    assert.equal(record.status, 'written');
    assert.ok(Date.now() - started < 5000, `finished in ${Date.now() - started} ms`);
    assert.deepEqual(
      notion.pageBlocks(record.page.id).map((b) => b.id),
      record.blockIds,
      'every block once',
    );
  });

  it('Cancel ends the run within a second while Notion holds a write, and says the write is unknown', async () => {
    const controller = new AbortController();
    const p = page('Cancel in flight');
    // Notion holds the first write (the page read before it is answered at once).
    notion.failNext({ method: 'PATCH', path: /\/children$/ }, { kind: 'hang' }, 1);
    let cancelledAt = 0;
    const run = generator().run({
      page: p,
      prompt: 'p',
      plan: { mode: 'append' },
      engine: new ScriptedEngine(PIECES, { pauseMs: 50 }),
      model: 'm',
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.phase === 'generating' && progress.blocks > 0 && !cancelledAt)
          setTimeout(() => {
            cancelledAt = Date.now();
            controller.abort();
          }, 200);
      },
    });
    const { record } = await run;
    const took = Date.now() - cancelledAt;
    assert.ok(took < 1000, `ended ${took} ms after Cancel`);
    assert.equal(record.status, 'cancelled');
    assert.ok(record.uncertainBlocks, 'the write Notion was holding is marked unknown');
  });

  it('Cancel ends the run within a second while the SDK waits out a 429', async () => {
    notion.failNext(
      { method: 'PATCH', path: /\/children$/ },
      { status: 429, code: 'rate_limited', message: 'Rate limited.', headers: { 'retry-after': '30' } },
      3,
    );
    const controller = new AbortController();
    let cancelledAt = 0;
    setTimeout(() => {
      cancelledAt = Date.now();
      controller.abort();
    }, 500);
    const { record } = await generator().run({
      page: page('Cancel 429'),
      prompt: 'p',
      plan: { mode: 'append' },
      engine: new ScriptedEngine(PIECES),
      model: 'm',
      signal: controller.signal,
    });
    assert.ok(Date.now() - cancelledAt < 1000, `ended ${Date.now() - cancelledAt} ms after Cancel`);
    assert.equal(record.status, 'cancelled');
  });

  it('a second run into the same page waits for the first; runs into other pages go side by side', async () => {
    const locks = new PageLocks();
    const shared = page('Shared');
    const other = page('Other');
    const phases: GenerationProgress['phase'][] = [];
    const slow = (text: string) => new ScriptedEngine([`${text} one.\n\n`, `${text} two.\n\n`, `${text} three.\n\n`], { pauseMs: 150 });
    const signal = new AbortController().signal;
    const [a, b, c] = await Promise.all([
      generator({ locks }).run({ page: shared, prompt: 'a', plan: { mode: 'append' }, engine: slow('Alpha'), model: 'm', signal }),
      generator({ locks }).run({
        page: shared,
        prompt: 'b',
        plan: { mode: 'append' },
        engine: slow('Beta'),
        model: 'm',
        signal,
        onProgress: (p) => phases.push(p.phase),
      }),
      generator({ locks }).run({ page: other, prompt: 'c', plan: { mode: 'append' }, engine: slow('Gamma'), model: 'm', signal }),
    ]);
    assert.equal(phases[0], 'waiting', 'the second run said it was waiting');
    const texts = notion
      .pageBlocks(shared.id)
      .map((blk) => (blk.type === 'paragraph' ? blk.paragraph.rich_text.map((t) => t.plain_text).join('') : ''));
    assert.deepEqual(texts, ['Alpha one.', 'Alpha two.', 'Alpha three.', 'Beta one.', 'Beta two.', 'Beta three.'], 'never interleaved');
    assert.ok(Date.parse(c.record.createdAt) < Date.parse(b.record.createdAt) + 1000);
    assert.ok(
      (c.record.timings.totalMs ?? 0) < (a.record.timings.totalMs ?? 0) + (b.record.timings.totalMs ?? 0),
      'the other page did not wait',
    );
  });

  it('a stream cut mid-way writes only the blocks the model finished', async () => {
    const cut = new EngineError('cut', 'The answer was cut off before the model finished. What arrived is kept.');
    const { record, error } = await generator().run({
      page: page('Cut'),
      prompt: 'p',
      plan: { mode: 'append' },
      engine: new ScriptedEngine(['# Title\n\nDone paragraph.\n\nHalf a parag'], { then: cut }),
      model: 'm',
      signal: new AbortController().signal,
    });
    assert.equal(record.status, 'failed');
    assert.equal((error as EngineError).kind, 'cut');
    const texts = notion.pageBlocks(record.page.id).map((b) => b.type);
    assert.deepEqual(texts, ['heading_1', 'paragraph'], 'the half-written paragraph is not in the page');
    assert.match(record.markdown, /Half a parag$/, 'but it is in the record');
  });

  it('an empty answer writes nothing and says so', async () => {
    const { record, error } = await generator().run({
      page: page('Empty'),
      prompt: 'p',
      plan: { mode: 'append' },
      engine: new ScriptedEngine(['  \n']),
      model: 'm',
      signal: new AbortController().signal,
    });
    assert.equal(record.status, 'failed');
    assert.equal((error as EngineError).kind, 'empty');
    assert.match(error!.message, /returned no text/);
    assert.equal(notion.pageBlocks(record.page.id).length, 0);
  });

  it('an answer cut at the output limit is written and marked', async () => {
    const { record } = await generator().run({
      page: page('Limit'),
      prompt: 'p',
      plan: { mode: 'append' },
      engine: new ScriptedEngine(PIECES, { then: 'length' }),
      model: 'm',
      signal: new AbortController().signal,
    });
    assert.equal(record.status, 'written');
    assert.deepEqual(record.stoppedAtLimit, { outputTokens: 4096 });
  });

  it('a model that goes silent is stopped at its deadline and reported as cut, keeping the text', async () => {
    const { record, error } = await generator({ engineDeadlines: { firstTextMs: 2000, idleMs: 300 } }).run({
      page: page('Silent'),
      prompt: 'p',
      plan: { mode: 'append' },
      engine: new ScriptedEngine(PIECES, { hangAfter: 2 }),
      model: 'm',
      signal: new AbortController().signal,
    });
    assert.equal((error as EngineError).kind, 'cut');
    assert.match(error!.message, /sent nothing for 0 seconds|sent nothing/);
    assert.equal(record.markdown, PIECES.slice(0, 2).join(''));
  });

  it('saves the text while the model streams, at least every two seconds', async () => {
    const pieces = Array.from({ length: 12 }, (_, i) => `Sentence ${i} `);
    const p = page('Saved while streaming');
    const run = generator().run({
      page: p,
      prompt: 'p',
      plan: { mode: 'append' },
      engine: new ScriptedEngine(pieces, { pauseMs: 250 }),
      model: 'm',
      signal: new AbortController().signal,
    });
    await new Promise((r) => setTimeout(r, 2600));
    const saved = store.list().find((r) => r.page.id === p.id)!;
    assert.equal(saved.status, 'generating');
    assert.match(saved.markdown, /Sentence [5-9]/, `saved so far: ${saved.markdown}`);
    await run;
  });
});
