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
