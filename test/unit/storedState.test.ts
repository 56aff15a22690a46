import assert from 'node:assert/strict';
import { ConnectionRepository } from '../../src/services/connections/connectionRepository';
import { type GenerationRecord, blockCounts, isSafelyInNotion } from '../../src/services/generation/generationRecord';
import { GenerationStore } from '../../src/services/generation/generationStore';
import { canUndo } from '../../src/services/generation/undoRules';
import { UsageTracker } from '../../src/services/generation/usageTracker';
import { MemoryStore } from '../../src/services/keyValueStore';
import type { Logger } from '../../src/services/logger';
import { SET_ASIDE_KEY, setAsideEntries } from '../../src/services/storage/setAside';
import { MemoryFolder } from '../../src/services/storage/recordFolder';

const KEY = 'visen.generations';
const PAGE = {
  id: '11111111-2222-3333-4444-555555555555',
  title: 'Notes',
  url: 'https://www.notion.so/Notes-11111111222233334444555555555555',
};

function record(over: Partial<GenerationRecord> & { id: string }): GenerationRecord {
  return {
    createdAt: '2026-01-01T10:00:00.000Z',
    connectionId: 'c1',
    page: PAGE,
    prompt: 'Write about otters',
    engine: 'gemini',
    model: 'gemini-2.5-flash',
    mode: 'append',
    status: 'written',
    markdown: '# Otters\n\nThey hold hands.',
    blocks: 2,
    writtenBlocks: 2,
    blockIds: ['b1', 'b2'],
    timings: { totalMs: 1200 },
    ...over,
  };
}

/** The records stored in a history folder, by id. */
function storedFiles(folder: MemoryFolder): Map<string, Record<string, unknown>> {
  return new Map(
    folder.list('.json').map((f) => {
      const value = JSON.parse(folder.read(f.name)!) as Record<string, unknown>;
      return [String(value.id), value];
    }),
  );
}

class RecordingLogger implements Logger {
  readonly warnings: string[] = [];
  readonly infos: string[] = [];
  trace(): void {}
  debug(): void {}
  info(message: string): void {
    this.infos.push(message);
  }
  warn(message: string): void {
    this.warnings.push(message);
  }
  error(message: string): void {
    this.warnings.push(message);
  }
}

describe('Stored generation history: versions and migrations', () => {
  it('migrates a version 1 record that kept a copy of the page to the current version', async () => {
    const store = new MemoryStore();
    const v1 = {
      ...record({ id: 'old' }),
      blockIds: undefined,
      blocks: 7,
      writtenBlocks: 7,
      snapshot: '# The whole page\n\n…',
      notionBlocks: 3,
      writtenNotionBlocks: 2,
    };
    delete (v1 as Partial<typeof v1>).blockIds;
    await store.update(KEY, [v1]);
    const folder = new MemoryFolder();
    const history = new GenerationStore(store, { folder });

    const [read] = history.list();
    assert.equal(read.blocks, 3);
    assert.equal(read.writtenBlocks, 2);
    assert.equal(read.legacy, true, 'no ids: not exactly undoable');
    assert.ok(!('snapshot' in read) && !('notionBlocks' in read) && !('writtenNotionBlocks' in read));
    assert.equal(canUndo(read), false);

    const report = await history.recover();
    assert.deepEqual(report, { setAside: 0, interrupted: 0 });
    const stored = storedFiles(folder).get('old')!;
    assert.equal(stored.schemaVersion, 2, 'stored in the current version, a file of its own');
    assert.equal(stored.snapshot, undefined, 'the page copy is gone');
    assert.equal(store.get(KEY), undefined, 'the old single list is gone');
  });

  it("reads a version 1 record in today's format as it is, and stores the version with every save", async () => {
    const store = new MemoryStore();
    await store.update(KEY, [record({ id: 'today' })]);
    const folder = new MemoryFolder();
    const history = new GenerationStore(store, { folder });
    assert.deepEqual(blockCounts(history.get('today')!), { written: 2, total: 2 });
    assert.equal(canUndo(history.get('today')!), true);
    await history.save(record({ id: 'next', createdAt: '2026-01-02T10:00:00.000Z' }));
    assert.deepEqual(
      history.list().map((r) => r.id),
      ['next', 'today'],
    );
    assert.deepEqual(
      [...storedFiles(folder)].map(([id, r]) => [id, r.schemaVersion]),
      [['next', 2]],
      'a save writes only its own record',
    );
    await history.recover();
    assert.deepEqual([...storedFiles(folder)].map(([id, r]) => [id, r.schemaVersion]).sort(), [
      ['next', 2],
      ['today', 2],
    ]);
  });

  it('leaves records of a newer Visen alone, unread and kept', async () => {
    const store = new MemoryStore();
    const future = { schemaVersion: 9, id: 'future', whatever: true };
    await store.update(KEY, [record({ id: 'a' }), future]);
    const folder = new MemoryFolder();
    const history = new GenerationStore(store, { folder });
    assert.deepEqual(
      history.list().map((r) => r.id),
      ['a'],
    );
    await history.save(record({ id: 'b' }));
    await history.recover();
    assert.deepEqual(storedFiles(folder).get('future'), future);
    assert.deepEqual(
      history
        .list()
        .map((r) => r.id)
        .sort(),
      ['a', 'b'],
    );
    assert.equal(setAsideEntries(store).length, 0);
  });
});

describe('Stored generation history: deep validation', () => {
  const damagedShapes: Array<[string, unknown]> = [
    [
      'missing writtenBlocks',
      (() => {
        const { writtenBlocks: _, ...r } = record({ id: 'd1' });
        return r;
      })(),
    ],
    ['a count as a string', record({ id: 'd2', blocks: '3' as unknown as number })],
    ['a negative count', record({ id: 'd3', writtenBlocks: -1 })],
    ['a fractional count', record({ id: 'd4', blocks: 1.5 })],
    ['blockIds not strings', record({ id: 'd5', blockIds: [1, 2] as unknown as string[] })],
    ['an unknown status', record({ id: 'd6', status: 'exploded' as GenerationRecord['status'] })],
    ['no page', { ...record({ id: 'd7' }), page: undefined }],
    ['an unknown engine', record({ id: 'd8', engine: 'llama' as GenerationRecord['engine'] })],
    ['timings missing', { ...record({ id: 'd9' }), timings: undefined }],
    ['a bad version', { ...record({ id: 'd10' }), schemaVersion: 'two' }],
    ['not an object', 'garbage'],
    ['null', null],
  ];

  for (const [name, damaged] of damagedShapes) {
    it(`sets aside a record with ${name}, reports it once, keeps the rest`, async () => {
      const store = new MemoryStore();
      const logger = new RecordingLogger();
      await store.update(KEY, [record({ id: 'good1' }), damaged, record({ id: 'good2' })]);
      const folder = new MemoryFolder();
      const history = new GenerationStore(store, { logger, folder });

      assert.deepEqual(
        history.list().map((r) => r.id),
        ['good1', 'good2'],
      );
      history.list();
      history.get('good1');
      assert.equal(logger.warnings.filter((w) => /entry 2\) is damaged/.test(w)).length, 1, 'reported once');

      const report = await history.recover();
      assert.equal(report.setAside, 1);
      assert.deepEqual([...storedFiles(folder).keys()].sort(), ['good1', 'good2']);
      assert.equal(store.get(KEY), undefined);
      const aside = setAsideEntries(store);
      assert.equal(aside.length, 1);
      assert.equal(aside[0].from, KEY);
      assert.deepEqual(aside[0].value, damaged, 'kept exactly as it was');
      assert.ok(aside[0].problem.length > 0);

      assert.deepEqual(
        await new GenerationStore(store, { folder }).recover(),
        { setAside: 0, interrupted: 0 },
        'a second start finds nothing',
      );
      assert.equal(setAsideEntries(store).length, 1);
    });
  }

  it('a damaged entry is not lost by saves before start-up set it aside', async () => {
    const store = new MemoryStore();
    const damaged = { id: 'x', markdown: 42 };
    await store.update(KEY, [damaged]);
    const history = new GenerationStore(store);
    await history.save(record({ id: 'new' }));
    const kept = [...(store.get<unknown[]>(KEY) ?? []), ...setAsideEntries(store).map((e) => e.value)];
    assert.ok(kept.some((e) => JSON.stringify(e) === JSON.stringify(damaged)));
  });

  it('sets aside a history that is not a list and starts an empty one', async () => {
    const store = new MemoryStore();
    await store.update(KEY, { not: 'a list' });
    const history = new GenerationStore(store);
    assert.deepEqual(history.list(), []);
    assert.equal((await history.recover()).setAside, 1);
    assert.deepEqual(setAsideEntries(store)[0].value, { not: 'a list' });
    await history.save(record({ id: 'fresh' }));
    assert.deepEqual(
      history.list().map((r) => r.id),
      ['fresh'],
    );
  });

  it('connections: damaged entries go aside at start-up, valid ones stay', async () => {
    const store = new MemoryStore();
    const logger = new RecordingLogger();
    const good = {
      id: 'c1',
      name: 'Notes',
      type: 'page',
      target: { id: PAGE.id, url: PAGE.url, title: 'Notes' },
      createdAt: '2026-01-01T10:00:00.000Z',
      usage: { prompts: 1, inputTokens: 2, outputTokens: 3 },
    };
    const damaged = { id: 'c2', name: 42, type: 'spreadsheet' };
    await store.update('visen.connections', [good, damaged]);
    const folder = new MemoryFolder();
    const connections = new ConnectionRepository(store, logger, { folder });
    assert.deepEqual(
      connections.list().map((c) => c.id),
      ['c1'],
    );
    assert.equal(await connections.recover(), 1);
    assert.equal(store.get('visen.connections'), undefined, 'the old list is moved into files');
    assert.deepEqual(
      setAsideEntries(store).map((e) => [e.from, e.value]),
      [['visen.connections', damaged]],
    );
    await connections.rename('c1', 'Renamed');
    assert.equal((JSON.parse(folder.read('c1.json')!) as Record<string, unknown>).schemaVersion, 2);
    assert.equal(connections.get('c1')!.name, 'Renamed');
  });

  it('usage: a damaged month does not turn the prompt budget off, and is set aside', async () => {
    const store = new MemoryStore();
    const now = () => new Date(2026, 2, 15);
    await store.update('visen.usage.monthly', {
      '2026-03': { prompts: 'lots', inputTokens: 1, outputTokens: 1 },
      '2026-02': { prompts: 4, inputTokens: 10, outputTokens: 20 },
    });
    const logger = new RecordingLogger();
    const usage = new UsageTracker(store, now, logger);
    assert.deepEqual(usage.thisMonth(), { prompts: 0, inputTokens: 0, outputTokens: 0 });
    assert.equal(usage.wouldExceed(1, 1), false);
    await usage.add({ inputTokens: 5, outputTokens: 6 });
    assert.equal(usage.wouldExceed(1, 1), true, 'the budget counts again');
    assert.equal(usage.thisMonth().prompts, 1);
    assert.deepEqual(
      setAsideEntries(store).map((e) => e.value),
      [{ '2026-03': { prompts: 'lots', inputTokens: 1, outputTokens: 1 } }],
    );
    assert.equal(logger.warnings.length, 1);
    const stored = store.get<Record<string, Record<string, unknown>>>('visen.usage.monthly')!;
    assert.deepEqual(stored['2026-02'], { schemaVersion: 1, prompts: 4, inputTokens: 10, outputTokens: 20 });
  });

  it('usage: a value that is not a table of months is set aside at start-up', async () => {
    const store = new MemoryStore();
    await store.update('visen.usage.monthly', 'nonsense');
    const usage = new UsageTracker(store, () => new Date(2026, 2, 15));
    assert.equal(await usage.recover(), 1);
    assert.equal(usage.thisMonth().prompts, 0);
    await usage.add(undefined);
    assert.equal(usage.thisMonth().prompts, 1);
    assert.equal(store.get<unknown[]>(SET_ASIDE_KEY)!.length, 1);
  });
});

describe('Stored generation history: retention by size', () => {
  const MB = 1024 * 1024;
  /** About 100 KB of text. */
  const big = (n: number) => `# Row ${n}\n\n${'word '.repeat(20_000)}`;
  const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString();

  it('a 60-row fill keeps its failures, whatever the size; written rows go first, oldest first', async () => {
    const store = new MemoryStore();
    const history = new GenerationStore(store, { maxSizeMB: () => 1 });
    for (let i = 0; i < 60; i++) {
      const failed = i % 6 === 0;
      await history.save(
        record({
          id: `row${i}`,
          createdAt: at(i),
          markdown: big(i),
          status: failed ? 'writeFailed' : 'written',
          writtenBlocks: failed ? 0 : 2,
        }),
      );
    }
    const ids = new Set(history.list().map((r) => r.id));
    for (let i = 0; i < 60; i += 6) assert.ok(ids.has(`row${i}`), `failed row ${i} kept`);
    const written = history
      .list()
      .filter((r) => r.status === 'written')
      .map((r) => Number(r.id.slice(3)));
    assert.ok(written.length > 0 && written.length < 50);
    assert.ok(Math.min(...written) > 40, `only the newest written rows are left: ${written}`);
    assert.ok(history.size() <= 1 * MB + 200_000);
  });

  it('never drops runs going on, interrupted, cancelled with unwritten blocks or failed with text', async () => {
    const history = new GenerationStore(new MemoryStore(), { maxSizeMB: () => 1 });
    const keep = [
      record({ id: 'generating', status: 'generating', markdown: big(1), createdAt: at(1) }),
      record({ id: 'interrupted', status: 'interrupted', markdown: big(2), createdAt: at(2), writtenBlocks: 1 }),
      record({ id: 'cancelled', status: 'cancelled', markdown: big(3), createdAt: at(3), writtenBlocks: 1 }),
      record({ id: 'failed', status: 'failed', markdown: big(4), createdAt: at(4), writtenBlocks: 0 }),
      record({ id: 'writeFailed', status: 'writeFailed', markdown: big(5), createdAt: at(5), writtenBlocks: 0 }),
    ];
    for (const r of keep) await history.save(r);
    for (let i = 10; i < 30; i++) await history.save(record({ id: `w${i}`, markdown: big(i), createdAt: at(i) }));
    const ids = history.list().map((r) => r.id);
    for (const r of keep) assert.ok(ids.includes(r.id), r.id);
    assert.ok(keep.every((r) => !isSafelyInNotion(r)));
    assert.ok(isSafelyInNotion(record({ id: 'u', status: 'writeFailed', undoneAt: at(9) })), 'undone: nothing left to write');
    assert.ok(isSafelyInNotion(record({ id: 'e', status: 'failed', markdown: '' })), 'failed before any text');
  });

  it('the limit is a setting, read at every save; under it nothing goes', async () => {
    let limit = 20;
    const history = new GenerationStore(new MemoryStore(), { maxSizeMB: () => limit });
    for (let i = 0; i < 30; i++) await history.save(record({ id: `w${i}`, markdown: big(i), createdAt: at(i) }));
    assert.equal(history.list().length, 30, '3 MB is under 20 MB: more than the old 50-per-connection rule would matter, nothing goes');
    limit = 1;
    await history.save(record({ id: 'w30', markdown: big(30), createdAt: at(30) }));
    assert.ok(history.list().length <= 11);
    assert.equal(history.list()[0].id, 'w30');
    assert.ok(
      history.list().every((r) => Number(r.id.slice(1)) >= 20),
      'the oldest went',
    );
  });

  it('says once when generations not in Notion keep the history over its limit, and deletes none of them', async () => {
    const told: Array<{ sizeMB: number; limitMB: number }> = [];
    const history = new GenerationStore(new MemoryStore(), { maxSizeMB: () => 1, onFull: (full) => told.push(full) });
    for (let i = 0; i < 14; i++)
      await history.save(record({ id: `f${i}`, status: 'writeFailed', writtenBlocks: 0, markdown: big(i), createdAt: at(i) }));
    assert.equal(history.list().length, 14, 'all kept');
    assert.equal(told.length, 1, 'once');
    assert.equal(told[0].limitMB, 1);
    assert.ok(told[0].sizeMB > 1);
  });

  it('measures each save by the record saved, not by the whole history', async () => {
    const history = new GenerationStore(new MemoryStore(), { maxSizeMB: () => 50 });
    for (let i = 0; i < 40; i++) await history.save(record({ id: `w${i}`, markdown: big(i), createdAt: at(i) }));
    const original = JSON.stringify;
    let serialized = 0;
    JSON.stringify = ((value: unknown, ...rest: unknown[]) => {
      const text = (original as (...a: unknown[]) => string)(value, ...rest);
      serialized += text?.length ?? 0;
      return text;
    }) as typeof JSON.stringify;
    try {
      let running = record({ id: 'running', status: 'generating', markdown: 'Once upon a time', createdAt: at(50) });
      for (let i = 0; i < 10; i++) {
        running = { ...running, markdown: `${running.markdown} and then` };
        await history.save(running);
      }
    } finally {
      JSON.stringify = original;
    }
    assert.ok(serialized < 100_000, `serialized ${serialized} characters for 10 saves of a small record over 4 MB of history`);
  });

  it("holds each record once: after a save, the history reads the store's own copy, not a second one", async () => {
    const history = new GenerationStore(new MemoryStore());
    const written = record({ id: 'r1', blockIds: ['b1', 'b2', 'b3'] });
    await history.save(written);
    await history.save(record({ id: 'r2' }));
    assert.notEqual(history.get('r1')!.blockIds, written.blockIds, "the history holds the stored copy, not the caller's object");
    assert.equal(history.list()[1].blockIds, history.get('r1')!.blockIds, 'once');
    assert.deepEqual(history.get('r1'), written, 'and it is the record as saved');
    assert.ok(!('schemaVersion' in history.get('r1')!), 'without the stored version');
  });
});

describe('Stored generation history: interrupted runs', () => {
  it('at start-up, runs left generating become interrupted, with their text and ids', async () => {
    const store = new MemoryStore();
    const cut = record({
      id: 'cut',
      status: 'generating',
      markdown: '# Half\n\nof it',
      blocks: 3,
      writtenBlocks: 1,
      blockIds: ['b1', 'b2'],
    });
    await store.update(KEY, [cut, record({ id: 'done' })]);
    const history = new GenerationStore(store);
    let changes = 0;
    history.onDidChange(() => changes++);
    assert.deepEqual(await history.recover(), { setAside: 0, interrupted: 1 });
    const after = new GenerationStore(store).get('cut')!;
    assert.equal(after.status, 'interrupted');
    assert.equal(after.markdown, cut.markdown);
    assert.deepEqual(after.blockIds, ['b1', 'b2']);
    assert.deepEqual(blockCounts(after), { written: 1, total: 3 });
    assert.equal(canUndo(after), true, 'Undo takes back what it wrote');
    assert.equal(new GenerationStore(store).get('done')!.status, 'written');
    assert.equal(changes, 1);
    assert.deepEqual(await new GenerationStore(store).recover(), { setAside: 0, interrupted: 0 });
  });

  it('Clear History: written ones go, the rest only when asked', async () => {
    const history = new GenerationStore(new MemoryStore());
    await history.save(record({ id: 'w' }));
    await history.save(record({ id: 'i', status: 'interrupted', writtenBlocks: 0 }));
    await history.save(record({ id: 'g', status: 'generating' }));
    assert.equal(await history.clear({ unwritten: false }), 1);
    assert.deepEqual(
      history.list().map((r) => r.id),
      ['g', 'i'],
    );
    assert.equal(await history.clear({ unwritten: true }), 1);
    assert.deepEqual(
      history.list().map((r) => r.id),
      ['g'],
      'a run going on stays',
    );
  });

  it('sees records another window wrote', async () => {
    const store = new MemoryStore();
    const mine = new GenerationStore(store);
    const theirs = new GenerationStore(store);
    await mine.save(record({ id: 'a' }));
    await theirs.save(record({ id: 'b' }));
    assert.deepEqual(
      mine.list().map((r) => r.id),
      ['b', 'a'],
    );
  });
});
