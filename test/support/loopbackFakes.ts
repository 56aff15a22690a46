import type { Client } from '@notionhq/client';
import type { Engine } from '../../src/services/engines/engine';
import * as openai from '../../src/services/engines/openai';
import { GenerationStore } from '../../src/services/generation/generationStore';
import { Generator } from '../../src/services/generation/generator';
import { MemoryStore } from '../../src/services/keyValueStore';
import { silentLogger } from '../../src/services/logger';
import { BlockWriter } from '../../src/services/notion/blockWriter';
import { markdownToBlocks } from '../../src/services/notion/markdownBlocks';
import { createNotionClient } from '../../src/services/notion/notionClient';
import { NotionFake, startNotionFake } from '../fakes/notionFake';
import { OpenAIFake, startOpenAIFake } from '../fakes/openaiFake';

/**
 * The Notion and OpenAI stand-ins for a mocha suite: started before it, reset before each test, closed after.
 * The model answers at once (no delay between chunks). Read `notion` and `model` inside hooks and tests.
 */
export function useNotionAndModel(): { readonly notion: NotionFake; readonly model: OpenAIFake } {
  const fakes = {} as { notion: NotionFake; model: OpenAIFake };
  before(async () => {
    fakes.notion = await startNotionFake();
    fakes.model = await startOpenAIFake({ chunkDelayMs: 0 });
  });
  after(async () => {
    await fakes.notion?.close();
    await fakes.model?.close();
  });
  beforeEach(() => {
    fakes.notion.reset();
    fakes.model.reset();
  });
  return fakes;
}

/** The stand-ins with what a write runs on: the real writer, generator and OpenAI engine over them. */
export interface WriteRig {
  readonly notion: NotionFake;
  readonly model: OpenAIFake;
  /** A fresh history each test. */
  readonly store: GenerationStore;
  /** A Notion client at 200 requests a second, new each test. */
  readonly client: Client;
  writer(): BlockWriter;
  generator(): Generator;
  engine(): Engine;
}

/** `useNotionAndModel`, with the model answering `answer` and a fresh history and client before each test. */
export function useWriteRig(answer: string): WriteRig {
  const fakes = useNotionAndModel();
  const rig = {} as { -readonly [K in keyof WriteRig]: WriteRig[K] };
  beforeEach(() => {
    rig.notion = fakes.notion;
    rig.model = fakes.model;
    rig.model.respondWith(() => answer);
    rig.store = new GenerationStore(new MemoryStore());
    rig.client = createNotionClient({ auth: 'secret_fake_notion', baseUrl: rig.notion.url, requestsPerSecond: 200 });
  });
  rig.writer = () => new BlockWriter(rig.client);
  rig.generator = () => new Generator(rig.writer(), markdownToBlocks, rig.store, silentLogger);
  rig.engine = () => openai.createEngine({ apiKey: 'sk-fake-openai', baseUrl: rig.model.url });
  return rig;
}
