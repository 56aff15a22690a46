import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BlockObjectResponse } from '@notionhq/client';
import { GenerationStore } from '../../src/services/generation/generationStore';
import { Generator } from '../../src/services/generation/generator';
import { PageEditor } from '../../src/services/generation/pageEditor';
import { offersRetry } from '../../src/services/generation/undoRules';
import { MemoryStore } from '../../src/services/keyValueStore';
import { silentLogger } from '../../src/services/logger';
import { BlockWriter } from '../../src/services/notion/blockWriter';
import { markdownToBlocks } from '../../src/services/notion/markdownBlocks';
import { createNotionClient } from '../../src/services/notion/notionClient';
import { NotionFake, startNotionFake } from '../fakes/notionFake';
import { OpenAIFake, startOpenAIFake } from '../fakes/openaiFake';

/** 150 paragraphs: the writer sends the first 100 in one request, the rest in the next. */
const ANSWER = Array.from({ length: 150 }, (_, i) => `Paragraph ${i}.`).join('\n\n');

const PATCH_CHILDREN = { method: 'PATCH', path: /\/blocks\/[^/]+\/children$/ };

const textOf = (block: BlockObjectResponse) =>
  ((block as unknown as Record<string, { rich_text?: { plain_text: string }[] }>)[block.type]?.rich_text ?? [])
    .map((t) => t.plain_text)
    .join('');

/**
 * A window that crashes right after an append leaves: a real process (out/test/support/windowProcess.js)
 * killed with SIGKILL the moment the Notion stand-in has applied the append, before any answer. Then a new
 * window (a new history on the same folder, a new Notion client) takes the record over.
 */
describe('A crash right after a send', function () {
  this.timeout(60_000);
  let notion: NotionFake;
  let model: OpenAIFake;
  let dir: string;
  const script = path.join(__dirname, '..', 'support', 'windowProcess.js');

  before(async () => {
    notion = await startNotionFake();
    model = await startOpenAIFake({ chunkDelayMs: 0 });
  });
  after(async () => {
    await notion.close();
    await model.close();
  });
  beforeEach(() => {
    notion.reset();
    model.reset();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'visen-crash-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** The records in the folder as the files say, read synchronously (as they are on disk at this instant). */
  function recordsOnDisk(folder: string): Record<string, unknown>[] {
    if (!fs.existsSync(folder)) return [];
    return fs
      .readdirSync(folder)
      .filter((name) => name.endsWith('.json'))
      .map((name) => JSON.parse(fs.readFileSync(path.join(folder, name), 'utf8')) as Record<string, unknown>);
  }

  it('the marker is on disk before the append leaves; a new window offers Retry Write, which writes only what is missing', async () => {
    const page = notion.addPage({ title: 'Crash', markdown: 'Existing line.\n\n## Notes' });
    const tree = notion.blockTree(page.id);
    const before = notion.pageBlocks(page.id).map((b) => b.id);
    model.respondWith(() => ANSWER);
    // The whole answer in one piece: the first append carries 100 blocks, and the text is complete when it leaves.
    model.splitDeltas = (text) => [text];
    const folder = path.join(dir, 'generations');

    // The stand-in serves in this process: the fault below is in place before the window can send anything.
    const window = spawn(
      process.execPath,
      [
        script,
        JSON.stringify({
          folder,
          leaseTiming: { durationMs: 1_000, renewMs: 300 },
          notionUrl: notion.url,
          modelUrl: model.url,
          page: { id: page.id, title: 'Crash', url: page.url },
          prompt: 'Write 150 paragraphs',
          // A slow disk: a marker saved without waiting for it would still be on its way when the request lands.
          writeDelayMs: 150,
        }),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let atSend: Record<string, unknown>[] = [];
    let appliedAtSend: string[] = [];
    notion.failNext(PATCH_CHILDREN, {
      kind: 'applyThenDrop',
      then: () => {
        // The stand-in has the request and has applied it; no answer has left. What is on disk now is what a
        // crash at this instant leaves. Then the window dies (the kernel closes its connection).
        atSend = recordsOnDisk(folder);
        appliedAtSend = notion.pageBlocks(page.id).map((b) => b.id);
        window.kill('SIGKILL');
      },
    });
    let output = '';
    window.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    window.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      window.on('exit', (code, signal) => resolve({ code, signal })),
    );
    assert.equal(ended.signal, 'SIGKILL', `the window was killed at the send, not ended on its own: ${output}`);

    // At the instant the request reached Notion, the record on disk said a write of 100 blocks was on its way.
    assert.equal(atSend.length, 1, 'one record on disk');
    const marker = atSend[0] as { id: string; status: string; uncertainBlocks?: number; proof?: { sentAt?: string }; markdown: string };
    assert.equal(marker.status, 'generating');
    assert.equal(marker.uncertainBlocks, 100, 'the "may have landed" marker, with the count the request carries');
    assert.ok(marker.proof?.sentAt, 'with the time the request left');
    assert.equal(marker.markdown, ANSWER, 'the generated text is on disk too');
    const landed = appliedAtSend.filter((id) => !before.includes(id));
    assert.equal(landed.length, 100, 'the stand-in applied the append: 100 blocks landed, unanswered');

    // A new window on the same folder: the dead window's lease runs out, and its run is interrupted.
    await new Promise((r) => setTimeout(r, 1_200));
    const store = new GenerationStore(new MemoryStore(), { folder, leaseTiming: { durationMs: 1_000, renewMs: 300 } });
    try {
      assert.deepEqual(await store.recover(), { setAside: 0, interrupted: 1 });
      const interrupted = store.get(marker.id)!;
      assert.equal(interrupted.status, 'interrupted');
      assert.ok(offersRetry(interrupted), 'Retry Write is offered');
      assert.equal(interrupted.markdown, ANSWER, 'the text is kept');
      assert.equal(interrupted.uncertainBlocks, 100);

      const client = createNotionClient({ auth: 'secret_fake_notion', baseUrl: notion.url, requestsPerSecond: 200 });
      const sentBefore = notion.requests.length;
      const retried = await new Generator(new BlockWriter(client), markdownToBlocks, store, silentLogger).retryWrite(
        marker.id,
        new AbortController().signal,
      );
      assert.equal(retried.error, undefined, retried.error?.message);
      assert.equal(retried.record.status, 'written');
      assert.equal(retried.record.markdown, ANSWER, 'the text is kept');

      // The landed batch is proven Visen's (right after the page's last block, the content sent, its own
      // user, not before the request left) and taken as written: only the other 50 blocks are sent.
      const appended = notion.requests
        .slice(sentBefore)
        .filter((r) => r.method === 'PATCH' && PATCH_CHILDREN.path.test(r.path))
        .flatMap((r) => (r.body as { children: unknown[] }).children);
      assert.equal(appended.length, 50, 'Retry Write sent only what was missing');
      assert.deepEqual(retried.record.blockIds!.slice(0, 100), landed, 'the landed blocks are the run’s own, by id');

      // The page, block for block: what was there, then the 150 paragraphs once each, in order.
      const blocks = notion.pageBlocks(page.id);
      assert.deepEqual(
        blocks.map((b) => b.id),
        [...before, ...retried.record.blockIds!],
      );
      assert.deepEqual(blocks.map(textOf), ['Existing line.', 'Notes', ...Array.from({ length: 150 }, (_, i) => `Paragraph ${i}.`)]);

      // Undo takes back exactly Visen's 150 blocks.
      const editor = new PageEditor(new BlockWriter(client), store.get(marker.id)!, store);
      const plan = await editor.planUndo();
      assert.deepEqual(plan.presentIds, retried.record.blockIds);
      assert.equal(plan.edited, 0);
      await editor.undo(plan, false);
      assert.deepEqual(notion.blockTree(page.id), tree);
    } finally {
      store.dispose();
    }
  });
});
