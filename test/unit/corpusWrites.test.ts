import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as openai from '../../src/services/engines/openai';
import { GenerationStore } from '../../src/services/generation/generationStore';
import { Generator } from '../../src/services/generation/generator';
import { MemoryStore } from '../../src/services/keyValueStore';
import { silentLogger } from '../../src/services/logger';
import { BlockWriter } from '../../src/services/notion/blockWriter';
import { markdownToBlocks } from '../../src/services/notion/markdownBlocks';
import { createNotionClient } from '../../src/services/notion/notionClient';
import { NotionPages } from '../../src/services/notion/notionPages';
import { NotionFake, startNotionFake } from '../fakes/notionFake';
import { OpenAIFake, startOpenAIFake } from '../fakes/openaiFake';
import { type Digest, digestStored } from '../support/blockDigest';

/** The corpus of model answers: each `NN-name.md` with the blocks it must become in `NN-name.json`. */
const CORPUS = path.join(__dirname, '../../../test/fixtures/modelAnswers');

/** A small seeded generator, so a failing split can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Cuts text into pieces of 1 to 9 characters, the way a model's stream may arrive. */
function smallRandomPieces(seed: number): (text: string) => string[] {
  const next = random(seed);
  return (text) => {
    const pieces: string[] = [];
    for (let at = 0; at < text.length;) {
      const size = 1 + Math.floor(next() * 9);
      pieces.push(text.slice(at, at + size));
      at += size;
    }
    return pieces;
  };
}

describe('Model answers written to the Notion stand-in, block for block', function () {
  this.timeout(120_000);
  let notion: NotionFake;
  let model: OpenAIFake;

  before(async () => {
    notion = await startNotionFake();
    model = await startOpenAIFake({ chunkDelayMs: 0 });
  });
  after(async () => {
    await notion.close();
    await model.close();
  });

  const answers = fs
    .readdirSync(CORPUS)
    .filter((f) => f.endsWith('.md'))
    .sort();

  it('has a corpus of at least 40 answers', () => {
    assert.ok(answers.length >= 40, `${answers.length} answers`);
  });

  for (const file of answers) {
    it(`${file}: streamed in small random pieces, the page holds exactly the expected blocks`, async () => {
      const markdown = fs.readFileSync(path.join(CORPUS, file), 'utf8');
      const expected = JSON.parse(fs.readFileSync(path.join(CORPUS, file.replace(/\.md$/, '.json')), 'utf8')) as Digest[];
      notion.reset();
      model.reset();
      model.respondWith(() => markdown);
      model.splitDeltas = smallRandomPieces(file.length * 7919);
      const client = createNotionClient({ auth: 'secret_fake_notion', baseUrl: notion.url, requestsPerSecond: 500 });
      const page = await new NotionPages(client).resolvePage(notion.addPage({ title: file }).id);
      const generator = new Generator(new BlockWriter(client), markdownToBlocks, new GenerationStore(new MemoryStore()), silentLogger);
      const engine = openai.createEngine({ apiKey: 'sk-fake-openai', baseUrl: model.url });
      const { record, error } = await generator.run({
        page,
        prompt: file,
        plan: { mode: 'append' },
        engine,
        model: 'gpt-4.1-mini',
        signal: new AbortController().signal,
      });
      assert.equal(error, undefined, error?.message);
      assert.equal(record.status, 'written');
      const stored = notion.blockTree(page.id);
      assert.deepEqual(digestStored(stored as never), expected);
      assert.deepEqual(
        record.blockIds,
        stored.map((b) => b.id),
        'the record has the id of every top-level block, in order',
      );
      assert.equal(record.writtenBlocks, stored.length);
    });
  }
});
