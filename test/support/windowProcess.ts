// A VS Code window as a process of its own, to be killed: Visen's services (history on the shared folder,
// Notion client, block writer, generator, OpenAI engine) as activation builds them, generating one answer
// into a page over real HTTP against the stand-ins. Run as `node out/test/support/windowProcess.js <json>`
// (see crashAfterSend.test.ts); it prints one JSON line with the run's outcome if it lives that long.
import * as openai from '../../src/services/engines/openai';
import { GenerationStore } from '../../src/services/generation/generationStore';
import { Generator } from '../../src/services/generation/generator';
import { MemoryStore } from '../../src/services/keyValueStore';
import { silentLogger } from '../../src/services/logger';
import { BlockWriter } from '../../src/services/notion/blockWriter';
import { markdownToBlocks } from '../../src/services/notion/markdownBlocks';
import { createNotionClient } from '../../src/services/notion/notionClient';
import { DiskFolder } from '../../src/services/storage/recordFolder';

interface WindowOptions {
  readonly folder: string;
  readonly leaseTiming: { readonly durationMs: number; readonly renewMs: number };
  readonly notionUrl: string;
  readonly modelUrl: string;
  readonly page: { readonly id: string; readonly title: string; readonly url: string };
  readonly prompt: string;
  /** A slow disk: each record file takes this long to write (the file is written whole, at the end of it). */
  readonly writeDelayMs?: number;
}

/** The history's folder on a disk whose writes take `delayMs`. */
class SlowDisk extends DiskFolder {
  constructor(
    folder: string,
    private readonly delayMs: number,
  ) {
    super(folder);
  }

  override async write(name: string, text: string): Promise<void> {
    await new Promise((r) => setTimeout(r, this.delayMs));
    await super.write(name, text);
  }
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2]) as WindowOptions;
  const folder = options.writeDelayMs ? new SlowDisk(options.folder, options.writeDelayMs) : options.folder;
  const store = new GenerationStore(new MemoryStore(), { folder, leaseTiming: options.leaseTiming });
  const client = createNotionClient({ auth: 'secret_fake_notion', baseUrl: options.notionUrl, requestsPerSecond: 200 });
  const generator = new Generator(new BlockWriter(client), markdownToBlocks, store, silentLogger);
  const { record, error } = await generator.run({
    page: options.page,
    prompt: options.prompt,
    plan: { mode: 'append' },
    engine: openai.createEngine({ apiKey: 'sk-fake-openai', baseUrl: options.modelUrl }),
    model: 'gpt-4.1-mini',
    signal: new AbortController().signal,
  });
  store.dispose();
  process.stdout.write(`${JSON.stringify({ status: record.status, error: error?.message })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
