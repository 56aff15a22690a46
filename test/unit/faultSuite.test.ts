// The fault suite: every way a run can go wrong that the stand-ins can play, run through the real services
// (GenerationService → engine → converter → block writer → Notion client) and described with the words and
// buttons a person sees (describeOutcome, the one source of them for every surface). Each case asserts the
// message, what the page holds afterwards, that the generated text is in the record, and the time to finish.
// The run writes docs/reliability.md, and fails when the committed one says something else.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client } from '@notionhq/client';
import { ConnectionRepository } from '../../src/services/connections/connectionRepository';
import { ConnectionSync } from '../../src/services/connections/connectionSync';
import type { Connection } from '../../src/services/connections/connection';
import type { Engine, EngineKind } from '../../src/services/engines/engine';
import * as gemini from '../../src/services/engines/gemini';
import * as openai from '../../src/services/engines/openai';
import { GenerationStore } from '../../src/services/generation/generationStore';
import { GenerationService, type RunResult } from '../../src/services/generation/generationService';
import { UsageTracker } from '../../src/services/generation/usageTracker';
import { MemoryStore } from '../../src/services/keyValueStore';
import { MemoryFolder } from '../../src/services/storage/recordFolder';
import type { Logger } from '../../src/services/logger';
import { markdownToBlocks } from '../../src/services/notion/markdownBlocks';
import { createNotionClient } from '../../src/services/notion/notionClient';
import { convertAll } from '../../src/services/generation/generator';
import { describeOutcome, type OutcomeMessage } from '../../src/workflows/outcome';
import { digestNodes, digestStored } from '../support/blockDigest';
import { type NotionFailure, NotionFake, startNotionFake } from '../fakes/notionFake';
import { GeminiFake, geminiErrors, startGeminiFake } from '../fakes/geminiFake';
import { OpenAIFake, openaiErrors, startOpenAIFake } from '../fakes/openaiFake';

const NOTION_SECRET = 'secret_fake_notion';
const GEMINI_KEY = 'AIza-fake-gemini';
const OPENAI_KEY = 'sk-fake-openai';
const KEYS = [NOTION_SECRET, GEMINI_KEY, OPENAI_KEY];
const REPO = path.join(__dirname, '../../..');
const DOC = path.join(REPO, 'docs/reliability.md');

/** A row of docs/reliability.md. */
interface Row {
  readonly group: string;
  readonly fault: string;
  readonly saw: string;
  readonly page: string;
  readonly kept: string;
  readonly ms: number;
}

/** A store that can show everything it holds, to scan it for keys. */
class InspectableStore extends MemoryStore {
  private readonly keys = new Set<string>();
  override async update(key: string, value: unknown): Promise<void> {
    this.keys.add(key);
    await super.update(key, value);
  }
  dump(): string {
    return JSON.stringify([...this.keys].map((key) => [key, this.get(key)]));
  }
}

class CapturingLogger implements Logger {
  readonly lines: string[] = [];
  trace(message: string) {
    this.lines.push(message);
  }
  debug(message: string) {
    this.lines.push(message);
  }
  info(message: string) {
    this.lines.push(message);
  }
  warn(message: string) {
    this.lines.push(message);
  }
  error(message: string) {
    this.lines.push(message);
  }
}

function seconds(ms: number): string {
  if (ms < 1000) return '< 1 s';
  if (ms < 5000) return '1–5 s';
  if (ms < 30_000) return '5–30 s';
  return '> 30 s';
}

function describeSeen(seen: OutcomeMessage): string {
  const buttons = seen.actions.map((a) => a.label).join(', ');
  return `${seen.level}: ${seen.message.replace(/\|/g, '\\|')}${buttons ? ` [${buttons}]` : ''}`;
}

describe('Fault suite: what a person sees, what the page holds, what is kept', function () {
  this.timeout(60_000);
  let notion: NotionFake;
  let geminiFake: GeminiFake;
  let openaiFake: OpenAIFake;
  const rows: Row[] = [];
  const logger = new CapturingLogger();
  const store = new InspectableStore();

  before(async () => {
    notion = await startNotionFake({ validTokens: [NOTION_SECRET] });
    geminiFake = await startGeminiFake({ chunkDelayMs: 0 });
    openaiFake = await startOpenAIFake({ chunkDelayMs: 0 });
  });
  after(async () => {
    await notion.close();
    await geminiFake.close();
    await openaiFake.close();
  });

  function service(options: { notionSecret?: string; engineKey?: string } = {}): { service: GenerationService; client: Client } {
    const client = createNotionClient({
      auth: options.notionSecret ?? NOTION_SECRET,
      baseUrl: notion.url,
      requestsPerSecond: 50,
      deadlines: { headersMs: 1500, bodyMs: 3000 },
      logger,
    });
    const connections = new ConnectionRepository(store, logger, { folder: new MemoryFolder() });
    const engines: Partial<Record<EngineKind, () => Engine>> = {
      gemini: () => gemini.createEngine({ apiKey: options.engineKey ?? GEMINI_KEY, baseUrl: geminiFake.url }),
      openai: () => openai.createEngine({ apiKey: options.engineKey ?? OPENAI_KEY, baseUrl: openaiFake.url }),
    };
    const generation = new GenerationService({
      notion: async () => client,
      engine: async (kind) => engines[kind]!(),
      generations: new GenerationStore(store),
      connections,
      sync: new ConnectionSync({ client: async () => client, databaseUrl: () => '', connections, logger }),
      usage: new UsageTracker(store),
      logger,
      converter: () => markdownToBlocks,
    });
    return { service: generation, client };
  }

  async function connectionFor(generation: GenerationService, title: string): Promise<Connection> {
    const page = notion.addPage({ title, markdown: 'Written by hand.' });
    return generation.connectionFor(await generation.resolvePage(page.id));
  }

  interface Case {
    readonly group: string;
    readonly fault: string;
    readonly engine?: EngineKind;
    readonly arrange?: () => void;
    readonly keys?: { notionSecret?: string; engineKey?: string };
    readonly expect: {
      level: OutcomeMessage['level'];
      message: RegExp;
      actions?: string[];
      status: string;
      pageBlocks: 'none' | 'some' | 'all';
      textKept: boolean;
    };
  }

  function run(c: Case) {
    it(`${c.group}: ${c.fault}`, async () => {
      notion.reset();
      geminiFake.reset();
      openaiFake.reset();
      c.arrange?.();
      const { service: generation } = service(c.keys);
      const connection = await connectionFor(generation, `Fault: ${c.fault}`);
      const started = Date.now();
      let result: RunResult;
      try {
        result = await generation.run({
          connection,
          prompt: 'A short brief',
          engine: c.engine ?? 'gemini',
          model: c.engine === 'openai' ? 'gpt-4.1-mini' : 'gemini-2.5-flash',
          mode: 'append',
          signal: new AbortController().signal,
        });
      } catch (error) {
        throw new Error(`the run threw instead of ending with an outcome: ${(error as Error).message}`, { cause: error });
      }
      const ms = Date.now() - started;
      const seen = describeOutcome(result);
      const blocks = notion.pageBlocks(connection.target.id).length - 1;
      const record = result.record;
      assert.equal(seen.level, c.expect.level, seen.message);
      assert.match(seen.message, c.expect.message);
      if (c.expect.actions)
        assert.deepEqual(
          seen.actions.map((a) => a.label),
          c.expect.actions,
        );
      assert.equal(record.status, c.expect.status);
      const page = blocks === 0 ? 'none' : record.status === 'written' && blocks === record.blocks ? 'all' : 'some';
      assert.equal(page, c.expect.pageBlocks, `page holds ${blocks} of ${record.blocks} blocks`);
      if (blocks > 0) assert.equal(blocks, record.writtenBlocks, 'the record counts exactly the blocks in the page');
      assert.equal(record.markdown.length > 0, c.expect.textKept, 'the generated text is in the record');
      assert.ok(ms < 20_000, `finished in ${ms} ms`);
      rows.push({
        group: c.group,
        fault: c.fault,
        saw: describeSeen(seen),
        page:
          page === 'none'
            ? 'unchanged'
            : page === 'all'
              ? `all ${blocks} blocks`
              : record.status === 'writeFailed'
                ? `${blocks} of ${record.blocks} blocks (Retry Write adds the rest)`
                : `the ${blocks} blocks the model finished`,
        kept: record.markdown.length > 0 ? `yes (${record.markdown.length} chars)` : 'nothing generated',
        ms,
      });
    });
  }

  const notionFault =
    (status: number, code: string, message: string, times = 1, headers?: Record<string, string>) =>
    () =>
      notion.failNext({ method: 'PATCH', path: /\/children$/ }, { status, code, message, headers }, times);
  const failed = (message: RegExp) => ({
    level: 'error' as const,
    message,
    status: 'writeFailed',
    pageBlocks: 'none' as const,
    textKept: true,
  });
  const retryActions = ['Retry Write', 'Show Log'];

  run({
    group: 'Notion',
    fault: '400 validation_error on the first write',
    arrange: notionFault(400, 'validation_error', 'body failed validation.'),
    expect: { ...failed(/did not take all of it \(0 of \d+ blocks written\)\. Notion refused the request/), actions: retryActions },
  });
  run({
    group: 'Notion',
    fault: '401 unauthorized (secret revoked)',
    arrange: notionFault(401, 'unauthorized', 'API token is invalid.'),
    expect: { ...failed(/Set Notion Token/), actions: ['Set Notion Token', ...retryActions] },
  });
  run({
    group: 'Notion',
    fault: '403 restricted_resource (no insert capability)',
    arrange: notionFault(403, 'restricted_resource', 'Insufficient permissions for this endpoint.'),
    expect: { ...failed(/Insert content/), actions: ['Open in Notion', ...retryActions] },
  });
  run({
    group: 'Notion',
    fault: '404 object_not_found (page unshared mid-run)',
    arrange: notionFault(404, 'object_not_found', 'Could not find block.'),
    expect: { ...failed(/Connections → add your integration/), actions: ['Open in Notion', ...retryActions] },
  });
  run({
    group: 'Notion',
    fault: '409 conflict_error',
    arrange: notionFault(409, 'conflict_error', 'Conflict occurred while saving.'),
    expect: { ...failed(/conflicting edit/), actions: retryActions },
  });
  run({
    group: 'Notion',
    fault: '429 with Retry-After, then accepted',
    arrange: notionFault(429, 'rate_limited', 'Rate limited.', 1, { 'retry-after': '1' }),
    expect: { level: 'info', message: /^Wrote \d+ blocks?/, status: 'written', pageBlocks: 'all', textKept: true },
  });
  run({
    group: 'Notion',
    fault: '429 until the retries run out',
    arrange: notionFault(429, 'rate_limited', 'Rate limited.', 10, { 'retry-after': '0' }),
    expect: { ...failed(/rate limiting/), actions: retryActions },
  });
  for (const [status, code] of [
    [500, 'internal_server_error'],
    [502, 'bad_gateway'],
    [503, 'service_unavailable'],
  ] as const) {
    run({
      group: 'Notion',
      fault: `${status} ${code} twice (checked, sent once more, refused again)`,
      arrange: notionFault(status, code, 'Server trouble.', 2),
      expect: { ...failed(/Notion|trouble|unexpected/), actions: retryActions },
    });
    run({
      group: 'Notion',
      fault: `${status} ${code} once (checked, sent once more)`,
      arrange: notionFault(status, code, 'Server trouble.', 1),
      expect: { level: 'info', message: /^Wrote \d+ blocks?/, status: 'written', pageBlocks: 'all', textKept: true },
    });
  }
  run({
    group: 'Notion',
    fault: '529 service_overload twice (the SDK waits and retries)',
    arrange: notionFault(529, 'service_overload', 'Overloaded.', 2, { 'retry-after': '0' }),
    expect: { level: 'info', message: /^Wrote \d+ blocks?/, status: 'written', pageBlocks: 'all', textKept: true },
  });
  run({
    group: 'Notion',
    fault: '529 service_overload until the retries run out',
    arrange: notionFault(529, 'service_overload', 'Overloaded.', 10, { 'retry-after': '0' }),
    expect: { ...failed(/trouble|Notion/), actions: retryActions },
  });
  const hang =
    (kind: NotionFailure['kind'], times = 1) =>
    () =>
      notion.failNext({ method: 'PATCH', path: /\/children$/ }, { kind } as NotionFailure, times);
  run({
    group: 'Notion',
    fault: 'no answer at all (hang before headers), twice',
    arrange: hang('hang', 2),
    expect: { ...failed(/did not answer in time/), actions: retryActions },
  });
  run({
    group: 'Notion',
    fault: 'a body that stalls after the write landed',
    arrange: hang('stallBody'),
    expect: { level: 'info', message: /^Wrote \d+ blocks?/, status: 'written', pageBlocks: 'all', textKept: true },
  });
  run({
    group: 'Notion',
    fault: 'connection reset before the write, twice',
    arrange: hang('reset', 2),
    expect: { ...failed(/reach Notion|Notion request failed/), actions: retryActions },
  });
  run({
    group: 'Notion',
    fault: '100 CJK paragraphs of 1,700 characters (over 500 KB in UTF-8, under it in UTF-16 units)',
    arrange: () =>
      geminiFake.respondWith(() => Array.from({ length: 100 }, () => '漢字かな交じり文。'.repeat(189).slice(0, 1700)).join('\n\n')),
    expect: { level: 'info', message: /^Wrote 100 blocks/, status: 'written', pageBlocks: 'all', textKept: true },
  });
  run({
    group: 'Notion',
    fault: 'write applied, then the connection dropped',
    arrange: hang('applyThenDrop'),
    expect: { level: 'info', message: /^Wrote \d+ blocks?/, status: 'written', pageBlocks: 'all', textKept: true },
  });

  // The engines: each fault played by the provider's stand-in with the provider's real bodies.
  const nothing = (message: RegExp, actions?: string[]) => ({
    level: 'error' as const,
    message,
    actions,
    status: 'failed',
    pageBlocks: 'none' as const,
    textKept: false,
  });
  /** The answer stopped part-way: what arrived is in the page and kept. */
  const partWay = (message: RegExp) => ({
    level: 'error' as const,
    message,
    status: 'failed',
    pageBlocks: 'some' as const,
    textKept: true,
  });
  run({
    group: 'Gemini',
    fault: '400 API_KEY_INVALID',
    arrange: () => geminiFake.failNext(geminiErrors.apiKeyInvalid()),
    expect: nothing(/Gemini rejected the API key/, ['Set Gemini API Key', 'Show Log']),
  });
  run({
    group: 'Gemini',
    fault: '403 PERMISSION_DENIED',
    arrange: () => geminiFake.failNext(geminiErrors.permissionDenied()),
    expect: nothing(/Gemini/),
  });
  run({
    group: 'Gemini',
    fault: '429 per-minute rate limit',
    arrange: () => geminiFake.failNext(geminiErrors.rateLimitPerMinute({})),
    expect: nothing(/Wait \d+ s|wait/i),
  });
  run({
    group: 'Gemini',
    fault: '429 per-day quota spent',
    arrange: () => geminiFake.failNext(geminiErrors.quotaPerDay({})),
    expect: nothing(/quota/i),
  });
  run({
    group: 'Gemini',
    fault: '500 INTERNAL (after its retries)',
    arrange: () => geminiFake.failNext(geminiErrors.internal(), 5),
    expect: nothing(/Gemini/),
  });
  run({
    group: 'Gemini',
    fault: 'stream cut mid-way (connection dropped)',
    arrange: () => geminiFake.failStreamNext({ kind: 'drop', afterChunks: 4 }),
    expect: partWay(/cut off/),
  });
  run({
    group: 'Gemini',
    fault: 'stream ends without a finish reason',
    arrange: () => geminiFake.failStreamNext({ kind: 'noFinish', afterChunks: 4 }),
    expect: partWay(/cut off/),
  });
  run({
    group: 'Gemini',
    fault: 'empty answer',
    arrange: () => geminiFake.failStreamNext({ kind: 'empty' }),
    expect: nothing(/returned no text/),
  });
  run({
    group: 'Gemini',
    fault: 'SAFETY stop',
    arrange: () => geminiFake.failStreamNext({ kind: 'safety', category: 'HARM_CATEGORY_DANGEROUS_CONTENT', afterChunks: 2 }),
    expect: partWay(/dangerous content/),
  });
  run({
    group: 'Gemini',
    fault: 'prompt blocked',
    arrange: () => geminiFake.failStreamNext({ kind: 'promptBlocked' }),
    expect: nothing(/blocked|safety/i),
  });
  run({
    group: 'Gemini',
    fault: 'MAX_TOKENS (output limit)',
    arrange: () => geminiFake.failStreamNext({ kind: 'maxTokens', afterChunks: 6 }),
    expect: {
      level: 'warn',
      message: /output limit/,
      actions: ['Generate the Rest', 'Undo', 'Open in Notion'],
      status: 'written',
      pageBlocks: 'all',
      textKept: true,
    },
  });
  run({
    group: 'Gemini',
    fault: 'CONTINUATION (per-request limit, answer not complete)',
    arrange: () => geminiFake.failStreamNext({ kind: 'maxTokens', afterChunks: 6, finishReason: 'CONTINUATION' }),
    expect: {
      level: 'warn',
      message: /output limit/,
      actions: ['Generate the Rest', 'Undo', 'Open in Notion'],
      status: 'written',
      pageBlocks: 'all',
      textKept: true,
    },
  });
  run({
    group: 'OpenAI',
    engine: 'openai',
    fault: '401 invalid key',
    arrange: () => openaiFake.failNext(openaiErrors.invalidKey()),
    expect: nothing(/OpenAI rejected the API key|API key/, ['Set OpenAI API Key', 'Show Log']),
  });
  run({
    group: 'OpenAI',
    engine: 'openai',
    fault: '403 permission denied',
    arrange: () => openaiFake.failNext(openaiErrors.permissionDenied()),
    expect: nothing(/OpenAI/),
  });
  run({
    group: 'OpenAI',
    engine: 'openai',
    fault: '429 rate limit (after the SDK retries)',
    arrange: () => openaiFake.failNext(openaiErrors.rateLimit({ retryAfterMs: 0 }), 3),
    expect: nothing(/rate|wait/i),
  });
  run({
    group: 'OpenAI',
    engine: 'openai',
    fault: '429 insufficient_quota',
    arrange: () => openaiFake.failNext(openaiErrors.insufficientQuota({ retryAfterMs: 0 }), 3),
    expect: nothing(/quota/i),
  });
  run({
    group: 'OpenAI',
    engine: 'openai',
    fault: '500 (after the SDK retries)',
    arrange: () => openaiFake.failNext(openaiErrors.serverError({ 'retry-after-ms': '0' }), 3),
    expect: nothing(/OpenAI/),
  });
  run({
    group: 'OpenAI',
    engine: 'openai',
    fault: 'stream cut mid-way (connection dropped)',
    arrange: () => openaiFake.failStreamNext({ kind: 'drop', afterChunks: 30 }),
    expect: partWay(/cut off/),
  });
  run({
    group: 'OpenAI',
    engine: 'openai',
    fault: 'stream ends without a finish reason',
    arrange: () => openaiFake.failStreamNext({ kind: 'noFinish', afterChunks: 30 }),
    expect: partWay(/cut off/),
  });
  run({
    group: 'OpenAI',
    engine: 'openai',
    fault: 'empty answer',
    arrange: () => openaiFake.failStreamNext({ kind: 'empty' }),
    expect: nothing(/returned no text/),
  });
  run({
    group: 'OpenAI',
    engine: 'openai',
    fault: 'content filter stop',
    arrange: () => openaiFake.failStreamNext({ kind: 'contentFilter', afterChunks: 30 }),
    expect: partWay(/content filter/),
  });
  run({
    group: 'OpenAI',
    engine: 'openai',
    fault: 'finish_reason length (output limit)',
    arrange: () => openaiFake.failStreamNext({ kind: 'length', afterChunks: 40 }),
    expect: {
      level: 'warn',
      message: /output limit/,
      actions: ['Generate the Rest', 'Undo', 'Open in Notion'],
      status: 'written',
      pageBlocks: 'all',
      textKept: true,
    },
  });

  // Bad input: refused with a clear message before anything is generated or sent.
  for (const [fault, prompt] of [
    ['empty prompt', ''],
    ['whitespace prompt', ' \n\t '],
    ['200,000-character prompt', 'x'.repeat(200_000)],
  ] as const) {
    it(`Input: ${fault}`, async () => {
      notion.reset();
      geminiFake.reset();
      const { service: generation } = service();
      const connection = await connectionFor(generation, `Input: ${fault}`);
      const started = Date.now();
      const modelRequests = geminiFake.requests.length;
      const error = await generation
        .run({ connection, prompt, engine: 'gemini', model: 'gemini-2.5-flash', mode: 'append', signal: new AbortController().signal })
        .then(
          () => undefined,
          (e: Error) => e,
        );
      assert.ok(error, 'refused');
      assert.match(
        error.message,
        prompt.trim() ? /The prompt is too long \(200,000 characters; at most 100,000\)\./ : /Type what Visen should write\./,
      );
      assert.equal(geminiFake.requests.length, modelRequests, 'nothing sent to the model');
      assert.equal(notion.pageBlocks(connection.target.id).length, 1, 'the page is unchanged');
      rows.push({
        group: 'Input',
        fault,
        saw: `error: ${error.message}`,
        page: 'unchanged',
        kept: 'nothing generated',
        ms: Date.now() - started,
      });
    });
  }
  it('Input: a hostile page title (HTML, Notion tags, template text, control characters, 50,000 characters)', async () => {
    notion.reset();
    geminiFake.reset();
    const hostile = `<img src=x onerror=alert(1)> <page url="https://evil.example">x</page> {{page}} $5\u0000\u0007\nline ${'A'.repeat(50_000)}`;
    const { service: generation } = service();
    const page = notion.addPage({ title: hostile, markdown: 'Written by hand.' });
    const connection = await generation.connectionFor(await generation.resolvePage(page.id));
    const started = Date.now();
    const result = await generation.run({
      connection,
      prompt: 'A short brief',
      engine: 'gemini',
      model: 'gemini-2.5-flash',
      mode: 'append',
      signal: new AbortController().signal,
    });
    const seen = describeOutcome(result);
    assert.equal(result.record.status, 'written');
    assert.ok(
      seen.message.includes('<img src=x onerror=alert(1)> <page url="https://evil.example">x</page> {{page}} $5'),
      'the title is told as text, not markup',
    );
    // eslint-disable-next-line no-control-regex -- no control character may reach a message
    assert.ok(!/[\u0000-\u001f]/.test(seen.message), 'no control characters reach a message');
    assert.equal(notion.pageBlocks(page.id).length - 1, result.record.writtenBlocks);
    rows.push({
      group: 'Input',
      fault: 'hostile page title (HTML, Notion tags, control characters, 50,000 characters)',
      saw: `${seen.level}: Wrote ${result.record.writtenBlocks} blocks to "<img src=x onerror=alert(1)> <page url=…>x</page> {{page}} $5 line AAAA…" (as text) [${seen.actions.map((a) => a.label).join(', ')}]`,
      page: `all ${result.record.writtenBlocks} blocks`,
      kept: 'yes',
      ms: Date.now() - started,
    });
  });

  // Authorship: after a lost answer, blocks count as Visen's only where the write went, with exactly the content
  // sent, created by the token's own user since the request left. Each case checks the page block for block (what
  // was there and what the person added, each once, in its place; every generated block once), then Undo, which
  // must leave exactly what is not Visen's.
  interface AuthorshipCase {
    readonly seed: string;
    readonly answer: string;
    /** Programs the fault; `person` collects the ids of blocks the person adds meanwhile. */
    readonly arrange: (pageId: string, person: string[]) => void;
    /** The page's ids afterwards, from those before, the person's and Visen's. */
    readonly order: (before: string[], person: string[], mine: string[]) => string[];
    readonly retry?: boolean;
    readonly page: string;
    readonly check?: (record: RunResult['record']) => void;
  }

  const STANDUP_PAGE = 'Notes from Monday.\n\n## Standup';
  const STANDUP = '## Standup\n\nYesterday: shipped the importer.\n\nToday: the table view.';
  const TABLE = `Numbers:\n\n| a | b |\n|---|---|\n${'| x | y |\n'.repeat(150)}`;
  const firstWrite = { method: 'PATCH', path: /\/children$/ };
  /** An append into a block (a table's rows), not into the page. */
  const intoBlock = (pageId: string) => ({ method: 'PATCH', path: new RegExp(`/blocks/(?!${pageId})[^/]+/children$`) });
  const personAdds = (pageId: string, person: string[], markdown: string) => () => person.push(...notion.appendAsUser(pageId, markdown));

  function authorship(fault: string, c: AuthorshipCase) {
    it(`Authorship: ${fault}`, async () => {
      notion.reset();
      openaiFake.reset();
      openaiFake.respondWith(() => c.answer);
      const { service: generation } = service();
      const page = notion.addPage({ title: `Authorship: ${fault}`, markdown: c.seed });
      const before = notion.blockTree(page.id);
      const connection = await generation.connectionFor(await generation.resolvePage(page.id));
      const person: string[] = [];
      c.arrange(page.id, person);
      const signal = new AbortController().signal;
      const started = Date.now();
      const result = await generation.run({
        connection,
        prompt: 'Standup notes',
        engine: 'openai',
        model: 'gpt-4.1-mini',
        mode: 'append',
        signal,
      });
      const seen = [describeSeen(describeOutcome(result))];
      let record = result.record;
      if (c.retry) {
        assert.equal(record.status, 'writeFailed', 'not written while a table is short of rows');
        assert.ok(record.writtenBlocks < record.blocks);
        const retried = await generation.retryWrite(record.id, signal);
        seen.push(`after Retry Write: ${describeSeen(describeOutcome(retried))}`);
        record = retried.record;
      }
      const ms = Date.now() - started;
      assert.equal(record.status, 'written', record.error);
      assert.equal(record.writtenBlocks, record.blocks);
      const mine = [...record.blockIds!];
      const tree = notion.blockTree(page.id);
      assert.deepEqual(
        tree.map((b) => b.id),
        c.order(
          before.map((b) => b.id),
          person,
          mine,
        ),
        'the page block for block',
      );
      assert.deepEqual(
        digestStored(tree.filter((b) => mine.includes(b.id))),
        digestNodes(convertAll(record.markdown, markdownToBlocks)),
        'every generated block once, complete',
      );
      assert.deepEqual(
        tree.filter((b) => before.some((x) => x.id === b.id)),
        before,
        'what was there is untouched',
      );
      assert.ok(record.markdown.includes(c.answer.trim().split('\n')[0]), 'the text is kept');
      c.check?.(record);
      assert.deepEqual(
        Object.keys(record.proof!.hashes).sort(),
        [...mine].sort(),
        "a content hash for each of Visen's blocks, for nothing else",
      );

      const plan = await generation.planUndo(record);
      assert.equal(plan.present, mine.length);
      assert.equal(plan.edited, 0, "Visen's own blocks are not taken for edited");
      await generation.undo(record, plan);
      const left = notion.blockTree(page.id);
      assert.deepEqual(
        left.map((b) => b.id),
        c.order(
          before.map((b) => b.id),
          person,
          [],
        ),
        "Undo removes exactly Visen's blocks",
      );
      assert.deepEqual(
        left.filter((b) => before.some((x) => x.id === b.id)),
        before,
      );
      rows.push({ group: 'Authorship', fault, saw: seen.join('; '), page: c.page, kept: 'yes', ms });
    });
  }

  const atTheEnd = (before: string[], person: string[], mine: string[]) => [...before, ...mine, ...person];
  authorship('the page already ends with the same heading; the first write is lost before it lands', {
    seed: STANDUP_PAGE,
    answer: STANDUP,
    arrange: () => notion.failNext(firstWrite, { kind: 'reset' }),
    order: (before, _, mine) => [...before, ...mine],
    page: 'the person\'s "Standup" heading, then all 3 generated blocks once; Undo leaves the person\'s heading',
  });
  authorship('the page already ends with the same heading; the first write lands, its answer is lost', {
    seed: STANDUP_PAGE,
    answer: STANDUP,
    arrange: () => notion.failNext(firstWrite, { kind: 'applyThenDrop' }),
    order: (before, _, mine) => [...before, ...mine],
    page: 'the person\'s "Standup" heading, then all 3 generated blocks once; Undo leaves the person\'s heading',
  });
  authorship("this machine's clock is 3 minutes ahead of Notion's; the first write lands, its answer is lost", {
    seed: STANDUP_PAGE,
    answer: STANDUP,
    arrange: () => {
      // Block times are Notion's, minutes before this machine's time when the request left: compared on
      // Notion's clock (the Date of its answers), the blocks are still proven Visen's.
      notion.clockSkewMs = -3 * 60_000;
      notion.failNext(firstWrite, { kind: 'applyThenDrop' });
    },
    order: (before, _, mine) => [...before, ...mine],
    page: 'the person\'s "Standup" heading, then all 3 generated blocks once; Undo leaves the person\'s heading',
  });
  authorship('a person adds a paragraph while the answer to a write that landed is lost', {
    seed: STANDUP_PAGE,
    answer: STANDUP,
    arrange: (pageId, person) =>
      notion.failNext(firstWrite, { kind: 'applyThenDrop', then: personAdds(pageId, person, 'Typed meanwhile.') }),
    order: (before, person, mine) => [...before, ...mine.slice(0, 1), ...person, ...mine.slice(1)],
    page: "the first generated block, the person's paragraph, the other 2 generated blocks, each once; Undo leaves the person's paragraph",
  });
  authorship('a person adds a paragraph while a write that did not land goes unanswered', {
    seed: STANDUP_PAGE,
    answer: STANDUP,
    arrange: (pageId, person) => notion.failNext(firstWrite, { kind: 'reset', then: personAdds(pageId, person, 'Typed meanwhile.') }),
    order: (before, person, mine) => [...before, ...person, ...mine],
    page: "the person's paragraph, then all 3 generated blocks once; Undo leaves the person's paragraph",
  });
  authorship('a person types the same heading where a write that did not land was going', {
    seed: STANDUP_PAGE,
    answer: STANDUP,
    arrange: (pageId, person) => notion.failNext(firstWrite, { kind: 'reset', then: personAdds(pageId, person, '## Standup') }),
    order: (before, person, mine) => [...before, ...person, ...mine],
    page: 'the person\'s second "Standup" heading (created by the person, not the integration), then all 3 generated blocks once; Undo leaves it',
  });
  const tableOf = (record: RunResult['record']) => {
    const table = notion.blockTree(record.page.id).find((b) => b.type === 'table' && record.blockIds!.includes(b.id))!;
    assert.equal(table.children.length, 151, 'the header row and 150 rows');
  };
  authorship('a 150-row table whose follow-up row append is lost before it lands', {
    seed: 'Written by hand.',
    answer: TABLE,
    arrange: (pageId) => notion.failNext(intoBlock(pageId), { kind: 'reset' }),
    order: atTheEnd,
    check: tableOf,
    page: 'the table with all 150 rows (the missing 51 appended once more), once; Undo removes it',
  });
  authorship('a 150-row table whose follow-up row append lands, its answer lost', {
    seed: 'Written by hand.',
    answer: TABLE,
    arrange: (pageId) => notion.failNext(intoBlock(pageId), { kind: 'applyThenDrop' }),
    order: atTheEnd,
    check: tableOf,
    page: 'the table with all 150 rows, none twice; Undo removes it',
  });
  authorship('a 150-row table whose follow-up row append is lost before it lands, twice', {
    seed: 'Written by hand.',
    answer: TABLE,
    retry: true,
    arrange: (pageId) => notion.failNext(intoBlock(pageId), { kind: 'reset' }, 2),
    order: atTheEnd,
    check: tableOf,
    page: 'after Retry Write, the table with all 150 rows, once (the short one is replaced); Undo removes it',
  });

  it('Input: {{page}} of a page longer than Notion returns as markdown, one left-out block not shared', async () => {
    notion.reset();
    geminiFake.reset();
    const { service: generation } = service();
    const page = notion.addPage({ title: 'Input: a long page', markdown: 'First part.\n\nSecond part.\n\nThird part.' });
    const connection = await generation.connectionFor(await generation.resolvePage(page.id));
    notion.markdownRecordLimit = 1;
    const hidden = notion.pageBlocks(page.id)[2].id;
    notion.failNext(
      { method: 'GET', path: new RegExp(`/pages/${hidden}/markdown$`) },
      { status: 404, code: 'object_not_found', message: 'Could not find block.' },
    );
    const started = Date.now();
    const result = await generation.run({
      connection,
      prompt: 'Summarise {{page}}',
      engine: 'gemini',
      model: 'gemini-2.5-flash',
      mode: 'append',
      signal: new AbortController().signal,
    });
    const asked = JSON.stringify(geminiFake.requests.at(-1)?.body);
    assert.equal(result.record.status, 'written');
    assert.ok(asked.includes('Second part.'), 'the block past the limit was read and sent');
    assert.match(asked, /Notion left out 1 block of this page/);
    const seen = describeOutcome(result);
    rows.push({
      group: 'Input',
      fault: '{{page}} of a page longer than Notion returns as markdown, one left-out block not shared',
      saw: `${describeSeen(seen)} — the model is sent the blocks read afterwards and "[Notion left out 1 block of this page: …]"`,
      page: `all ${result.record.writtenBlocks} blocks`,
      kept: 'yes',
      ms: Date.now() - started,
    });
  });

  after(() => {
    // Nothing any stand-in received, nothing logged and nothing stored carries a key where it does not belong.
    const notionBodies = JSON.stringify(notion.requests.map((r) => r.body));
    const modelBodies = JSON.stringify([...geminiFake.requests, ...openaiFake.requests].map((r) => r.body));
    for (const key of KEYS) {
      assert.ok(!notionBodies.includes(key), 'a key in a body sent to Notion');
      assert.ok(!modelBodies.includes(key), 'a key in a body sent to a model');
      assert.ok(!logger.lines.join('\n').includes(key), 'a key in the log');
      assert.ok(!store.dump().includes(key), 'a key in stored state');
    }
    for (const request of notion.requests)
      assert.ok(
        !JSON.stringify(request.headers).includes(GEMINI_KEY) && !JSON.stringify(request.headers).includes(OPENAI_KEY),
        'a model key sent to Notion',
      );
    writeDoc(rows);
  });
});

function writeDoc(rows: readonly Row[]): void {
  const intro = fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8').split('<!-- generated -->')[0] : '# Reliability\n\n';
  const groups = [...new Set(rows.map((r) => r.group))];
  const tables = groups.map((group) =>
    [
      `## ${group}`,
      '',
      '| fault | what the user sees | the page afterwards | generated text kept | time |',
      '|---|---|---|---|---|',
      ...rows
        .filter((r) => r.group === group)
        .map((r) => `| ${r.fault} | ${r.saw} | ${r.page} | ${r.kept.replace(/ \(\d+ chars\)/, '')} | ${seconds(r.ms)} |`),
      '',
    ].join('\n'),
  );
  const doc = `${intro.trimEnd()}\n\n<!-- generated -->\n${tables.join('\n')}`;
  const previous = fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8') : '';
  fs.writeFileSync(DOC, doc);
  // Times vary from run to run; what the suite says about each fault must not.
  const withoutTimes = (text: string) => text.replace(/\| [^|\n]* \|$/gm, '|');
  if (process.env.CI && withoutTimes(previous) !== withoutTimes(doc)) {
    throw new Error('docs/reliability.md is not what the fault suite says: run the unit tests and commit docs/reliability.md');
  }
}
