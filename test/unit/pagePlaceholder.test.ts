import assert from 'node:assert/strict';
import * as openai from '../../src/services/engines/openai';
import { GenerationStore } from '../../src/services/generation/generationStore';
import { Generator } from '../../src/services/generation/generator';
import { MemoryStore } from '../../src/services/keyValueStore';
import { silentLogger } from '../../src/services/logger';
import { BlockWriter } from '../../src/services/notion/blockWriter';
import { markdownToBlocks } from '../../src/services/notion/markdownBlocks';
import { createNotionClient } from '../../src/services/notion/notionClient';
import { NotionPages } from '../../src/services/notion/notionPages';
import { fillPage, mentionsPage, pageContext, readPageMarkdown } from '../../src/services/notion/pageMarkdown';
import type { NotionFake } from '../fakes/notionFake';
import { useNotionAndModel } from '../support/loopbackFakes';
import { OpenAIFake } from '../fakes/openaiFake';

describe('{{page}}: the page written to, as context', () => {
  let notion: NotionFake;
  let model: OpenAIFake;
  const fakes = useNotionAndModel();

  beforeEach(() => {
    ({ notion, model } = fakes);
  });

  /** Generates `prompt` into a fresh page holding `markdown`, reading it the way GenerationService does. */
  async function generate(prompt: string, markdown: string, mode: 'append' | 'replace' = 'append') {
    const client = createNotionClient({ auth: 'secret_fake_notion', baseUrl: notion.url, requestsPerSecond: 100 });
    const store = new GenerationStore(new MemoryStore());
    const generator = new Generator(new BlockWriter(client), markdownToBlocks, store, silentLogger);
    const fake = notion.addPage({ title: 'Minutes', markdown });
    const page = await new NotionPages(client).resolvePage(fake.id);
    let reads = 0;
    const outcome = await generator.run({
      page,
      prompt,
      plan: { mode },
      model: 'gpt-4.1-mini',
      signal: new AbortController().signal,
      engine: openai.createEngine({ apiKey: 'sk-fake-openai', baseUrl: model.url }),
      pageContent: async (signal) => {
        reads++;
        return pageContext(await readPageMarkdown(client, page.id, signal));
      },
    });
    return { ...outcome, pageId: fake.id, reads };
  }

  /** What the model was last asked. */
  const asked = () => JSON.stringify(model.requests.at(-1)?.body ?? null);

  it('recognises {{page}} with spaces and in any case, and fills it literally', () => {
    assert.ok(mentionsPage('Summarise {{ Page }}'));
    assert.ok(!mentionsPage('Summarise {page} or {{pages}}'));
    assert.equal(fillPage('A {{page}} B {{PAGE}}', 'costs $1 and $&'), 'A costs $1 and $& B costs $1 and $&');
  });

  it('reads the page once, sends its content in place of every {{page}}, and records the prompt as typed', async () => {
    const { record, reads } = await generate('Summarise {{page}}, then list the owners in {{page}}', 'Ship on **Friday**.\n\n- Ana: tests');
    assert.equal(record.status, 'written');
    assert.equal(reads, 1);
    assert.equal(record.prompt, 'Summarise {{page}}, then list the owners in {{page}}');
    assert.equal(asked().split('Ship on **Friday**.').length - 1, 2, 'the content in both places');
  });

  it('sends the whole of a page Notion truncates, reading the blocks it left out', async () => {
    notion.markdownRecordLimit = 2;
    const { record } = await generate(
      'Summarise {{page}}',
      ['First point.', 'Second point.', 'Third point.', 'Fourth point.'].join('\n\n'),
    );
    assert.equal(record.status, 'written');
    assert.match(asked(), /First point\.\\n\\nSecond point\.\\n\\nThird point\.\\n\\nFourth point\./);
    assert.ok(!asked().includes('<unknown'), 'no tag for a block it could read');
  });

  it('does not read the page for a prompt without {{page}}', async () => {
    const { reads } = await generate('Write a brief', 'Existing');
    assert.equal(reads, 0);
  });

  it('stops before asking the engine when the page cannot be read, and a replace leaves the page as it was', async () => {
    notion.failNext({ method: 'GET', path: /\/markdown$/ }, { status: 404, code: 'object_not_found', message: 'Could not find page.' });
    const { record, error, pageId } = await generate('Translate {{page}}', 'Keep me', 'replace');
    assert.equal(record.status, 'failed');
    assert.ok(error && record.error === error.message, 'the reason is kept');
    assert.equal(model.requests.length, 0, 'the engine was not asked');
    assert.equal(notion.pageMarkdown(pageId), 'Keep me', 'nothing trashed or written');
  });

  it('refuses a page too long to send, saying so', async () => {
    const { record, error } = await generate('Summarise {{page}}', 'x'.repeat(100_001));
    assert.equal(record.status, 'failed');
    assert.match(error?.message ?? '', /With the content of "Minutes" in place of \{\{page\}\}, the prompt is too long/);
    assert.equal(model.requests.length, 0);
  });
});
