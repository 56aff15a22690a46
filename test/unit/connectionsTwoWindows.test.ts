import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConnectionRepository } from '../../src/services/connections/connectionRepository';
import { MemoryStore } from '../../src/services/keyValueStore';
import { DiskFolder, type RecordFolder } from '../../src/services/storage/recordFolder';
import type { Logger } from '../../src/services/logger';
import { setAsideEntries } from '../../src/services/storage/setAside';

class RecordingLogger implements Logger {
  readonly warnings: string[] = [];
  trace() {}
  debug() {}
  info() {}
  warn(message: string) {
    this.warnings.push(message);
  }
  error() {}
}

const PAGE = {
  id: '11111111-2222-3333-4444-555555555555',
  url: 'https://www.notion.so/Notes-11111111222233334444555555555555',
  title: 'Notes',
};

/** A window whose extension host is busy: each write waits its turn a little, as another window goes on. */
function busyHost(folder: RecordFolder): RecordFolder {
  const pause = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
  return Object.assign(Object.create(folder) as RecordFolder, {
    write: async (name: string, text: string) => {
      await pause();
      await folder.write(name, text);
    },
  });
}

/**
 * Two VS Code windows are two extension hosts sharing VS Code's global state and the folder under
 * `globalStorageUri`: here two repositories over one real folder on disk.
 */
describe('Connections: two windows are one Visen', function () {
  this.timeout(30_000);
  let dir: string;
  const opened: ConnectionRepository[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'visen-connections-'));
  });
  afterEach(() => {
    for (const repo of opened.splice(0)) repo.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function openWindow(store = new MemoryStore(), logger: Logger = new RecordingLogger()) {
    const repo = new ConnectionRepository(store, logger, { folder: busyHost(new DiskFolder(path.join(dir, 'connections'))) });
    opened.push(repo);
    return repo;
  }

  const changeSeen = (repo: ConnectionRepository) =>
    new Promise<void>((resolve) => {
      const sub = repo.onDidChange(() => {
        sub.dispose();
        resolve();
      });
    });

  it('connections created in both windows at once are all kept', async () => {
    const [a, b] = [openWindow(), openWindow()];
    const made = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).create({ name: `Notes ${i}`, type: 'page', target: PAGE })),
    );
    const ids = made.map((c) => c.id).sort();
    assert.deepEqual(
      a
        .list()
        .map((c) => c.id)
        .sort(),
      ids,
    );
    assert.deepEqual(
      openWindow()
        .list()
        .map((c) => c.id)
        .sort(),
      ids,
      'a third window reads them all',
    );
    assert.equal(fs.readdirSync(path.join(dir, 'connections')).filter((f) => f.endsWith('.json')).length, 10, 'one file each');
  });

  it('uses counted in both windows at once all count: 20 + 20 is 40', async () => {
    const [a, b] = [openWindow(), openWindow()];
    const connection = await a.create({ name: 'Notes', type: 'page', target: PAGE });
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? a : b).recordUse(connection.id, { prompt: `p${i}`, usage: { inputTokens: 1, outputTokens: 2 } }),
      ),
    );
    for (const repo of [a, b, openWindow()]) {
      assert.deepEqual(repo.get(connection.id)!.usage, { prompts: 40, inputTokens: 40, outputTokens: 80 });
    }
    assert.deepEqual(
      fs.readdirSync(path.join(dir, 'connections')).filter((f) => !f.endsWith('.json')),
      [],
      'no lock or temporary file is left',
    );
  });

  it('a rename in one window shows in the other, and tells its listeners', async () => {
    const [a, b] = [openWindow(), openWindow()];
    const connection = await a.create({ name: 'Notes', type: 'page', target: PAGE });
    assert.equal(b.get(connection.id)!.name, 'Notes');
    const seen = changeSeen(b);
    await a.rename(connection.id, 'Weekly notes');
    await seen;
    assert.deepEqual(
      b.list().map((c) => c.name),
      ['Weekly notes'],
    );
    const gone = changeSeen(b);
    await a.delete(connection.id);
    await gone;
    assert.deepEqual(b.list(), []);
  });

  it('the old single list moves into files once, even when two windows start at once', async () => {
    // The extension host's global state is one store both windows see.
    const store = new MemoryStore();
    const old = (id: string, createdAt: string) => ({
      id,
      name: id,
      type: 'page',
      target: PAGE,
      createdAt,
      usage: { prompts: 2, inputTokens: 3, outputTokens: 4 },
    });
    await store.update('visen.connections', [old('c1', '2026-01-01T10:00:00.000Z'), old('c2', '2026-01-02T10:00:00.000Z')]);
    const [a, b] = [openWindow(store), openWindow(store)];
    assert.deepEqual(
      a.list().map((c) => c.id),
      ['c2', 'c1'],
      'shown before they move',
    );
    assert.deepEqual(await Promise.all([a.recover(), b.recover()]), [0, 0]);
    assert.equal(store.get('visen.connections'), undefined, 'the old list is removed');
    assert.deepEqual(fs.readdirSync(path.join(dir, 'connections')).sort(), ['c1.json', 'c2.json']);
    for (const repo of [a, b]) {
      assert.deepEqual(
        repo.list().map((c) => [c.id, c.usage.prompts]),
        [
          ['c2', 2],
          ['c1', 2],
        ],
      );
    }
    await a.recordUse('c1', { prompt: 'x' });
    await b.recover();
    assert.equal(openWindow(store).get('c1')!.usage.prompts, 3, 'a later start-up moves nothing again');
  });

  it('a damaged file is not shown, is reported once, and is set aside at start-up', async () => {
    const store = new MemoryStore();
    const repo = openWindow(store);
    const good = await repo.create({ name: 'Notes', type: 'page', target: PAGE });
    const folder = path.join(dir, 'connections');
    fs.writeFileSync(path.join(folder, 'broken.json'), '{"id": "broken", "name": 4');
    const logger = new RecordingLogger();
    const other = openWindow(store, logger);
    assert.deepEqual(
      other.list().map((c) => c.id),
      [good.id],
    );
    other.list();
    assert.equal(logger.warnings.filter((w) => /broken\.json\) is damaged and is not shown: not JSON/.test(w)).length, 1);
    assert.equal(await other.recover(), 1);
    assert.deepEqual(
      setAsideEntries(store).map((e) => [e.from, e.problem, e.value]),
      [['visen.connections', 'not JSON', '{"id": "broken", "name": 4']],
    );
    assert.deepEqual(fs.readdirSync(folder), [`${good.id}.json`]);
    assert.equal(await other.recover(), 0, 'nothing more to set aside');
    assert.equal(logger.warnings.filter((w) => /broken/.test(w)).length, 2, 'reported, then set aside: once each');
  });
});
