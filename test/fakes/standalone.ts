// All three fakes in one process, with demo data. As a script (out/test/fakes/standalone.js) it prints one JSON
// line with the URLs and runs until SIGINT/SIGTERM; ports come from VISEN_FAKE_{NOTION,OPENAI,GEMINI}_PORT.
import { type GeminiFake, startGeminiFake } from './geminiFake';
import { type NotionFake, startNotionFake } from './notionFake';
import { type OpenAIFake, startOpenAIFake } from './openaiFake';

export interface AllFakesOptions {
  notionPort?: number;
  openaiPort?: number;
  geminiPort?: number;
  /** Accept any non-empty key/token (default true: the demo is meant to be driven by hand). */
  acceptAnyKey?: boolean;
  chunkDelayMs?: number;
  /** Pre-create the sample pages and database (default true). */
  seed?: boolean;
}

export interface AllFakes {
  notion: NotionFake;
  openai: OpenAIFake;
  gemini: GeminiFake;
  pages: Array<{ title: string; url: string; id: string }>;
  /** The line the script prints. */
  summary(): string;
  close(): Promise<void>;
}

const DEMO_PAGE = `Welcome to the **Visen** demo workspace. Select this page in Visen and ask for something to write.

## What is here

- A page with a little content (this one)
- *Meeting Notes* with a checklist
- A **Reading List** database`;

const MEETING_NOTES = `# Weekly sync

- [x] Review last week's actions
- [ ] Plan the release

> Decisions are recorded below.`;

export async function startAllFakes(options: AllFakesOptions = {}): Promise<AllFakes> {
  const acceptAnyKey = options.acceptAnyKey ?? true;
  const chunkDelayMs = options.chunkDelayMs ?? 40;
  const [notion, openai, gemini] = await Promise.all([
    startNotionFake({ acceptAnyKey, port: options.notionPort }),
    startOpenAIFake({ acceptAnyKey, chunkDelayMs, port: options.openaiPort }),
    startGeminiFake({ acceptAnyKey, chunkDelayMs, port: options.geminiPort }),
  ]);
  const pages: AllFakes['pages'] = [];
  if (options.seed ?? true) {
    const demo = notion.addPage({ title: 'Visen Demo Page', markdown: DEMO_PAGE });
    const notes = notion.addPage({ title: 'Meeting Notes', markdown: MEETING_NOTES });
    const reading = notion.addDatabase({
      title: 'Reading List',
      parentPageId: demo.id,
      properties: { Name: { title: {} }, Author: { rich_text: {} }, Done: { checkbox: {} } },
      rows: [
        { Name: 'The Pragmatic Programmer', Author: 'Hunt & Thomas', Done: true },
        { Name: 'Designing Data-Intensive Applications', Author: 'Kleppmann', Done: false },
      ],
    });
    pages.push(
      { title: demo.title, url: demo.url, id: demo.id },
      { title: notes.title, url: notes.url, id: notes.id },
      { title: reading.title, url: reading.url, id: reading.id },
    );
  }
  return {
    notion,
    openai,
    gemini,
    pages,
    summary: () =>
      JSON.stringify({
        notion: notion.url,
        openai: openai.url,
        gemini: gemini.url,
        pages: pages.map(({ title, url }) => ({ title, url })),
      }),
    close: async () => {
      await Promise.all([notion.close(), openai.close(), gemini.close()]);
    },
  };
}

function portFromEnv(name: string): number {
  const raw = process.env[name];
  const port = raw ? Number(raw) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number, got ${raw}`);
  return port;
}

async function main(): Promise<void> {
  const fakes = await startAllFakes({
    notionPort: portFromEnv('VISEN_FAKE_NOTION_PORT'),
    openaiPort: portFromEnv('VISEN_FAKE_OPENAI_PORT'),
    geminiPort: portFromEnv('VISEN_FAKE_GEMINI_PORT'),
  });
  process.stdout.write(`${fakes.summary()}\n`);
  const stop = () => {
    void fakes.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
