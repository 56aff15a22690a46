import assert from 'node:assert/strict';
import { ConnectionRepository } from '../../src/services/connections/connectionRepository';
import { ConnectionSync } from '../../src/services/connections/connectionSync';
import { newRecord } from '../../src/services/generation/generationRecord';
import { GenerationStore } from '../../src/services/generation/generationStore';
import { GenerationService } from '../../src/services/generation/generationService';
import { UsageTracker } from '../../src/services/generation/usageTracker';
import { MemoryStore } from '../../src/services/keyValueStore';
import { silentLogger } from '../../src/services/logger';
import { markdownToBlocks } from '../../src/services/notion/markdownBlocks';
import { createNotionClient } from '../../src/services/notion/notionClient';
import { MemoryFolder } from '../../src/services/storage/recordFolder';
import { NotionFake, startNotionFake } from '../fakes/notionFake';

const SECRET = 'secret_retry_counts';

describe('Retry Write counts a run cut short, once', () => {
  let notion: NotionFake;
  before(async () => {
    notion = await startNotionFake({ validTokens: [SECRET] });
  });
  after(async () => {
    await notion.close();
  });

  function setUp() {
    const store = new MemoryStore();
    const client = createNotionClient({ auth: SECRET, baseUrl: notion.url, requestsPerSecond: 50 });
    const connections = new ConnectionRepository(store, silentLogger, { folder: new MemoryFolder() });
    const generations = new GenerationStore(store);
    const service = new GenerationService({
      notion: async () => client,
      engine: async () => {
        throw new Error('Retry Write asks no engine');
      },
      generations,
      connections,
      sync: new ConnectionSync({ client: async () => client, databaseUrl: () => '', connections, logger: silentLogger }),
      usage: new UsageTracker(store),
      logger: silentLogger,
      converter: () => markdownToBlocks,
    });
    return { connections, generations, service };
  }

  async function stored(status: 'interrupted' | 'writeFailed') {
    const { connections, generations, service } = setUp();
    const page = notion.addPage({ title: `Retry ${status}`, markdown: 'Written by hand.' });
    const connection = await connections.create({
      name: page.title,
      type: 'page',
      target: { id: page.id, url: page.url, title: page.title },
    });
    // What a window left when it went away mid-run (reloaded, crashed), or a run whose write failed (counted then).
    const record = newRecord(
      {
        connectionId: connection.id,
        page: { id: page.id, title: page.title, url: page.url },
        prompt: 'Notes',
        engine: 'gemini',
        model: 'm',
        mode: 'append',
      },
      { status, markdown: 'One.\n\nTwo.', blocks: 2, writtenBlocks: 0, usage: { inputTokens: 5, outputTokens: 7 } },
    );
    await generations.save(record);
    generations.dispose();
    return { connections, service, record, connection };
  }

  it('a run cut short by a reload is counted on its connection when Retry Write finishes it', async () => {
    const { connections, service, record, connection } = await stored('interrupted');
    assert.equal(connections.get(connection.id)!.usage.prompts, 0);
    const retried = await service.retryWrite(record.id, new AbortController().signal);
    assert.equal(retried.record.status, 'written');
    assert.deepEqual(connections.get(connection.id)!.usage, { prompts: 1, inputTokens: 5, outputTokens: 7 });
    assert.equal(connections.get(connection.id)!.lastPrompt, 'Notes');
    await service.retryWrite(record.id, new AbortController().signal).catch(() => undefined);
    assert.equal(connections.get(connection.id)!.usage.prompts, 1, 'once');
  });

  it('a run counted when it ended (its write failed) is not counted again by Retry Write', async () => {
    const { connections, service, record, connection } = await stored('writeFailed');
    const retried = await service.retryWrite(record.id, new AbortController().signal);
    assert.equal(retried.record.status, 'written');
    assert.equal(connections.get(connection.id)!.usage.prompts, 0);
  });
});
