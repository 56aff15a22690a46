// The live contract suite: one short script of real calls, the same against the real services (`npm run
// test:live`, with VISEN_LIVE_* keys) and against the loopback stand-ins (test/unit/liveContract.test.ts, part
// of `npm test`, so it cannot rot). Each part is skipped, saying so, when its key is not given.
//
// - Notion: users/me; a scratch child page under the given parent; the tricky answers of the model-answer
//   corpus written through Visen's real generator and block writer, read back and compared block for block;
//   each undone (the page empty again); the scratch page moved to the trash.
// - Each engine with a key: the model list, one short stream, one JSON-mode call.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BlockObjectResponse, Client } from '@notionhq/client';
import { type Engine, type EngineModule, type JsonSchema, readStream } from '../../src/services/engines/engine';
import * as gemini from '../../src/services/engines/gemini';
import { rankModels, recommendedFrom } from '../../src/services/engines/modelCatalog';
import * as openai from '../../src/services/engines/openai';
import { GenerationStore } from '../../src/services/generation/generationStore';
import { Generator } from '../../src/services/generation/generator';
import { givenText } from '../../src/services/generation/givenText';
import { PageEditor } from '../../src/services/generation/pageEditor';
import { MemoryStore } from '../../src/services/keyValueStore';
import { silentLogger } from '../../src/services/logger';
import { BlockWriter } from '../../src/services/notion/blockWriter';
import { markdownToBlocks } from '../../src/services/notion/markdownBlocks';
import { createNotionClient } from '../../src/services/notion/notionClient';
import { NotionPages } from '../../src/services/notion/notionPages';
import { type Digest, digestStored, type StoredTree } from '../support/blockDigest';

export interface LiveTargets {
  readonly notion?: { readonly token: string; readonly parent: string; readonly baseUrl?: string; readonly requestsPerSecond?: number };
  readonly gemini?: { readonly key: string; readonly baseUrl?: string };
  readonly openai?: { readonly key: string; readonly baseUrl?: string };
  /** The corpus answers to write (file names without `.md`); default: every answer of the corpus. */
  readonly answers?: readonly string[];
}

export interface LiveStep {
  readonly part: 'notion' | 'gemini' | 'openai';
  readonly name: string;
  readonly status: 'passed' | 'failed' | 'skipped';
  readonly detail: string;
}

/** The model-answer corpus: `NN-name.md` and the blocks it must become, `NN-name.json`. */
function corpusDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'test/fixtures/modelAnswers');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`no test/fixtures/modelAnswers above ${__dirname}`);
  }
}

/** What the live run reads from the environment; a part whose variables are missing is skipped. */
export function targetsFromEnvironment(env: NodeJS.ProcessEnv = process.env): LiveTargets {
  const token = env.VISEN_LIVE_NOTION_TOKEN?.trim();
  const parent = env.VISEN_LIVE_NOTION_PARENT?.trim();
  const geminiKey = env.VISEN_LIVE_GEMINI_KEY?.trim();
  const openaiKey = env.VISEN_LIVE_OPENAI_KEY?.trim();
  return {
    ...(token && parent ? { notion: { token, parent } } : {}),
    ...(geminiKey ? { gemini: { key: geminiKey } } : {}),
    ...(openaiKey ? { openai: { key: openaiKey } } : {}),
  };
}

/** Runs every part; `report` hears each step as it ends. Never throws: a failure is a failed step. */
export async function runLiveContract(targets: LiveTargets, report: (step: LiveStep) => void = () => undefined): Promise<LiveStep[]> {
  const steps: LiveStep[] = [];
  const record = (step: LiveStep) => {
    steps.push(step);
    report(step);
  };
  if (targets.notion) await notionPart(targets.notion, targets.answers, record);
  else
    record({ part: 'notion', name: 'Notion', status: 'skipped', detail: 'VISEN_LIVE_NOTION_TOKEN or VISEN_LIVE_NOTION_PARENT is not set' });
  for (const [part, module, target, variable] of [
    ['gemini', gemini, targets.gemini, 'VISEN_LIVE_GEMINI_KEY'],
    ['openai', openai, targets.openai, 'VISEN_LIVE_OPENAI_KEY'],
  ] as const) {
    if (target) await enginePart(part, module, target, record);
    else record({ part, name: part === 'gemini' ? 'Gemini' : 'OpenAI', status: 'skipped', detail: `${variable} is not set` });
  }
  return steps;
}

/** Runs `body` as one step; its result is the step's detail. */
async function step(part: LiveStep['part'], name: string, record: (step: LiveStep) => void, body: () => Promise<string>): Promise<boolean> {
  try {
    record({ part, name, status: 'passed', detail: await body() });
    return true;
  } catch (error) {
    record({ part, name, status: 'failed', detail: error instanceof Error ? error.message : String(error) });
    return false;
  }
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

async function notionPart(
  target: NonNullable<LiveTargets['notion']>,
  only: readonly string[] | undefined,
  record: (step: LiveStep) => void,
): Promise<void> {
  const client = createNotionClient({
    auth: target.token,
    baseUrl: target.baseUrl,
    requestsPerSecond: target.requestsPerSecond,
    logger: silentLogger,
  });
  const pages = new NotionPages(client);
  if (
    !(await step('notion', 'users/me', record, async () => {
      const me = await pages.identity();
      return me.kind === 'person' ? `${me.name} (personal access token)` : `the integration ${me.name} in ${me.workspaceName}`;
    }))
  )
    return;

  let scratch: string | undefined;
  if (
    !(await step('notion', 'scratch page', record, async () => {
      const parent = (await pages.resolvePage(target.parent)).id;
      const created = await client.pages.create({
        parent: { page_id: parent },
        properties: { title: { title: [{ type: 'text', text: { content: `Visen live check ${new Date().toISOString()}` } }] } },
      });
      scratch = created.id;
      return `created ${created.id}`;
    })) ||
    !scratch
  )
    return;
  const pageId = scratch;

  try {
    const dir = corpusDir();
    const answers = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.md'))
      .map((f) => f.replace(/\.md$/, ''))
      .filter((name) => !only || only.includes(name))
      .sort();
    const store = new GenerationStore(new MemoryStore());
    const writer = new BlockWriter(client);
    const generator = new Generator(writer, markdownToBlocks, store, silentLogger);
    const page = await pages.resolvePage(pageId);
    for (const name of answers) {
      await step('notion', `write, read back and undo ${name}`, record, async () => {
        const markdown = fs.readFileSync(path.join(dir, `${name}.md`), 'utf8');
        const expected = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')) as Digest[];
        const { record: run, error } = await generator.run({
          page,
          prompt: name,
          plan: { mode: 'append' },
          engine: givenText('openai', markdown),
          model: 'live-check',
          signal: new AbortController().signal,
        });
        check(!error, `the write failed: ${error?.message}`);
        check(run.status === 'written', `the run ended ${run.status}`);
        const stored = await readTree(client, pageId);
        const got = digestStored(stored);
        check(
          JSON.stringify(got) === JSON.stringify(expected),
          `the page holds other blocks than expected: first difference at block ${firstDifference(got, expected)}`,
        );
        check(
          JSON.stringify(run.blockIds) === JSON.stringify(stored.map((b) => b.id)),
          'the record does not have the id of every block written',
        );
        const editor = new PageEditor(writer, store.get(run.id)!, store);
        await editor.undo(await editor.planUndo(), false);
        const after = await readTree(client, pageId);
        check(after.length === 0, `Undo left ${after.length} blocks`);
        return `${expected.length} blocks, undone`;
      });
    }
  } finally {
    await step('notion', 'trash the scratch page', record, async () => {
      await client.pages.update({ page_id: pageId, in_trash: true });
      return 'in the trash';
    });
  }
}

function firstDifference(got: readonly Digest[], expected: readonly Digest[]): string {
  for (let i = 0; i < Math.max(got.length, expected.length); i++) {
    if (JSON.stringify(got[i]) !== JSON.stringify(expected[i]))
      return `${i + 1}: got ${JSON.stringify(got[i])?.slice(0, 200)}, expected ${JSON.stringify(expected[i])?.slice(0, 200)}`;
  }
  return '?';
}

/** A block's children as Notion lists them, every level read. */
async function readTree(client: Client, blockId: string): Promise<StoredTree[]> {
  const blocks: StoredTree[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.blocks.children.list({ block_id: blockId, page_size: 100, ...(cursor ? { start_cursor: cursor } : {}) });
    for (const block of page.results as BlockObjectResponse[]) {
      blocks.push({
        ...block,
        children:
          block.has_children && block.type !== 'child_page' && block.type !== 'child_database' ? await readTree(client, block.id) : [],
      });
    }
    cursor = page.has_more ? (page.next_cursor ?? undefined) : undefined;
  } while (cursor);
  return blocks;
}

/** The JSON-mode call's schema: one short answer. */
const LIVE_JSON_SCHEMA: JsonSchema = {
  type: 'object',
  properties: { answer: { type: 'string' } },
  required: ['answer'],
  additionalProperties: false,
};

async function enginePart(
  part: 'gemini' | 'openai',
  module: EngineModule,
  target: { key: string; baseUrl?: string },
  record: (step: LiveStep) => void,
): Promise<void> {
  const engine: Engine = module.createEngine({ apiKey: target.key, baseUrl: target.baseUrl });
  let model: string | undefined;
  if (
    !(await step(part, 'list models', record, async () => {
      const models = await engine.listModels();
      check(models.length > 0, 'the key can use no text model');
      model = recommendedFrom(part, models) ?? rankModels(part, models)[0]?.id;
      check(model, 'every listed model is past its shutdown date');
      return `${models.length} models; using ${model}`;
    })) ||
    !model
  )
    return;
  const chosen = model;
  await step(part, 'one short stream', record, async () => {
    let text = '';
    const { ending } = await readStream(
      engine.stream({ model: chosen, prompt: 'Reply with the single word OK.' }, AbortSignal.timeout(120_000)),
      (piece) => (text += piece),
    );
    check(text.trim().length > 0, 'the stream brought no text');
    check(!ending || ending.reason === 'stop' || ending.reason === 'length', `the stream ended ${JSON.stringify(ending)}`);
    return `${text.length} characters${ending ? `, ${ending.reason}` : ''}`;
  });
  await step(part, 'one JSON-mode call', record, async () => {
    const completion = await engine.complete(
      { model: chosen, prompt: 'Give the answer "OK" in the field "answer".' },
      AbortSignal.timeout(120_000),
      { jsonSchema: LIVE_JSON_SCHEMA },
    );
    let value: unknown;
    try {
      value = JSON.parse(completion.text);
    } catch {
      throw new Error(`not JSON: ${completion.text.slice(0, 200)}`);
    }
    check(
      value && typeof value === 'object' && typeof (value as { answer?: unknown }).answer === 'string',
      `does not fit the schema: ${completion.text.slice(0, 200)}`,
    );
    check(
      Object.keys(value as object).every((k) => k === 'answer'),
      `fields the schema does not have: ${completion.text.slice(0, 200)}`,
    );
    return completion.text.slice(0, 80);
  });
}
