// One stand-in (Notion or OpenAI) in a process of its own, driven by the benchmark over IPC. Apart, a
// fast model's stream (thousands of frames built and written in one go) holds up neither the client's
// requests nor the Notion stand-in's arrival timestamps: like the real services, on other machines.
import { createHash } from 'node:crypto';
import { type BlockTree, startNotionFake } from '../fakes/notionFake';
import { startOpenAIFake } from '../fakes/openaiFake';

export type FakeHostOptions = { service: 'notion'; latencyMs: number; rateLimitPerSecond?: number } | { service: 'openai' };

export type FakeHostCall =
  | { method: 'preparePage'; title: string }
  /** Another page, without resetting what the stand-in holds. */
  | { method: 'addPage'; title: string }
  /** The page's content in short: top-level and total block counts, and a digest of types and text, ids left out. */
  | { method: 'pageDigest'; pageId: string }
  | { method: 'prepareAnswer'; answer: string; chunkDelayMs: number }
  | { method: 'report'; pageId: string }
  | { method: 'close' };

export interface FakeHostReady {
  ready: true;
  url: string;
}

export interface PageDigest {
  topLevel: number;
  total: number;
  digest: string;
}

type Shape = [string, string, Shape[]];

/** A block as content: type, text and children, whatever its id and times. */
function shape(block: BlockTree): Shape {
  const payload = (
    block as unknown as Record<string, { rich_text?: Array<{ plain_text: string }>; cells?: Array<Array<{ plain_text: string }>> }>
  )[block.type];
  const text =
    payload?.rich_text?.map((t) => t.plain_text).join('') ??
    payload?.cells?.map((c) => c.map((t) => t.plain_text).join('')).join('|') ??
    '';
  return [block.type, text, block.children.map(shape)];
}

function countTree(tree: BlockTree[]): number {
  return tree.reduce((n, b) => n + 1 + countTree(b.children), 0);
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as FakeHostOptions;
  const notion =
    options.service === 'notion'
      ? await startNotionFake({ latencyMs: options.latencyMs, rateLimitPerSecond: options.rateLimitPerSecond })
      : undefined;
  const model = options.service === 'openai' ? await startOpenAIFake() : undefined;
  const send = (message: unknown) => process.send?.(message);
  const need = <T>(fake: T | undefined): T => {
    if (!fake) throw new Error(`not available in the ${options.service} host`);
    return fake;
  };

  async function handle(call: FakeHostCall): Promise<unknown> {
    switch (call.method) {
      case 'preparePage': {
        need(notion).reset();
        const page = need(notion).addPage({ title: call.title });
        return { id: page.id, title: page.title, url: page.url };
      }
      case 'addPage': {
        const page = need(notion).addPage({ title: call.title });
        return { id: page.id, title: page.title, url: page.url };
      }
      case 'pageDigest': {
        const tree = need(notion).blockTree(call.pageId);
        return {
          topLevel: tree.length,
          total: countTree(tree),
          digest: createHash('sha1')
            .update(JSON.stringify(tree.map(shape)))
            .digest('hex'),
        };
      }
      case 'prepareAnswer':
        need(model).reset();
        need(model).respondWith(() => call.answer);
        need(model).chunkDelayMs = call.chunkDelayMs;
        return null;
      case 'report':
        return {
          requests: need(notion).requests.map((r) => ({ method: r.method, path: r.path, receivedAt: r.receivedAt })),
          rateLimited: need(notion).rateLimitedCount,
          pageMarkdown: need(notion).pageMarkdown(call.pageId),
          pageBlocks: need(notion).pageBlocks(call.pageId),
        };
      case 'close':
        await (notion ?? model)?.close();
        setImmediate(() => process.exit(0));
        return null;
    }
  }

  process.on('message', (message: { id: number; call: FakeHostCall }) => {
    handle(message.call).then(
      (result) => send({ id: message.id, result }),
      (error: unknown) => send({ id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
  // Without the benchmark there is nothing to serve.
  process.on('disconnect', () => process.exit(0));
  send({ ready: true, url: (notion ?? model)!.url } satisfies FakeHostReady);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
