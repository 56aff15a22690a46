// `npm run bench`: measures what Visen's design claims, against the production build and loopback stand-ins.
//
//  1. Activation cost: what the extension bundle contains (from esbuild's metafile), bundle sizes, and the
//     time to require + activate dist/extension.js in fresh Node processes, versus requiring an engine bundle.
//  2. Streaming: a ~12,000-character answer written while the model writes (the real Generator) versus
//     waiting for the whole answer and writing it afterwards.
//  3. Large output pacing: a 600-block answer from a fast model, paced to Notion's 3 requests per second.
//
// Prints a table and writes test-artifacts/bench.json. Exits 1 when a check fails. Loopback only.
import { execFileSync, fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BlockObjectResponse } from '@notionhq/client';
import * as openai from '../../src/services/engines/openai';
import { GenerationStore } from '../../src/services/generation/generationRecord';
import { Generator } from '../../src/services/generation/generator';
import { splitMarkdownBlocks } from '../../src/services/generation/markdownChunker';
import { MemoryStore } from '../../src/services/keyValueStore';
import { silentLogger } from '../../src/services/logger';
import { createNotionClient, NOTION_REQUESTS_PER_SECOND } from '../../src/services/notion/notionClient';
import type { NotionPageRef } from '../../src/services/notion/notionPages';
import { PageWriter } from '../../src/services/notion/pageWriter';
import type { ProbeResult } from './activationProbe';
import type { FakeHostCall, FakeHostOptions, FakeHostReady } from './fakeHost';

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = path.join(ROOT, 'dist');
const PROBE = path.join(__dirname, 'activationProbe.js');
const FAKE_HOST = path.join(__dirname, 'fakeHost.js');
const NOTION_SECRET = 'secret_fake_notion';
const OPENAI_KEY = 'sk-fake-openai';
const MODEL = 'gpt-4.1-mini';

const env = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
/** Fresh processes per measured bundle. */
const ACTIVATION_RUNS = env('BENCH_ACTIVATION_RUNS', 20);
/** Runs of each streaming variant (alternating), reported as the median. */
const STREAMING_RUNS = env('BENCH_STREAMING_RUNS', 3);
const CHUNK_DELAY_MS = 10;
const NOTION_LATENCY_MS = 80;
const NOTION_RATE_LIMIT = 3;
const LARGE_BLOCKS = 600;
/** Notion's per-rich-text limit; Visen splits longer paragraphs into several blocks. */
const RICH_TEXT_LIMIT = 2000;

/**
 * 'fail' checks are correctness (what is bundled and loaded, what the page holds) and set the exit code;
 * 'warn' checks are timing expectations that a loaded machine can upset, reported but not fatal.
 */
const checks: Array<{ name: string; ok: boolean; detail: string; severity: 'fail' | 'warn' }> = [];
const check = (name: string, ok: boolean, detail = '', severity: 'fail' | 'warn' = 'fail') => checks.push({ name, ok, detail, severity });

// ---- statistics and formatting ---------------------------------------------------------------------------

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function stats(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { n: values.length, median: median(values), min: sorted[0], p90: pick(0.9), max: sorted[sorted.length - 1] };
}

const ms = (value: number | undefined, digits = 0) => (value === undefined ? '-' : `${value.toFixed(digits)} ms`);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

function table(title: string, head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  return [`\n${title}`, line(head), `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.map(line)].join('\n');
}

// ---- 1. activation cost ------------------------------------------------------------------------------------

interface Metafile {
  outputs: Record<string, { bytes: number; entryPoint?: string; inputs: Record<string, { bytesInOutput: number }> }>;
}

/** The package an esbuild input path belongs to; Visen's own files are grouped by their top folder. */
function packageOf(input: string): string {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(input);
  if (match) return match[1];
  return input.startsWith('<') ? input : `(visen) ${input.split('/')[0]}/`;
}

function bundleReport() {
  const meta = JSON.parse(fs.readFileSync(path.join(DIST, 'meta.json'), 'utf8')) as Metafile;
  const bundles = Object.entries(meta.outputs)
    .filter(([file]) => file.endsWith('.js'))
    .map(([file, output]) => {
      const bytes = fs.readFileSync(path.join(ROOT, file));
      const byPackage = new Map<string, { files: number; bytes: number }>();
      for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
        const entry = byPackage.get(packageOf(input)) ?? { files: 0, bytes: 0 };
        entry.files++;
        entry.bytes += bytesInOutput;
        byPackage.set(packageOf(input), entry);
      }
      return {
        file,
        bytes: bytes.length,
        gzipBytes: gzipSync(bytes).length,
        packages: [...byPackage].map(([name, v]) => ({ name, ...v })).sort((a, b) => b.bytes - a.bytes),
        inputs: Object.keys(output.inputs),
      };
    });
  const extension = bundles.find((b) => b.file === 'dist/extension.js');
  if (!extension) throw new Error('dist/meta.json has no dist/extension.js output');
  const sdkInputs = extension.inputs.filter((i) => /(?:^|\/)node_modules\/(?:openai|@google\/genai)\//.test(i));
  check('extension.js bundles no module of openai or @google/genai (metafile)', sdkInputs.length === 0, sdkInputs.slice(0, 3).join(', '));
  for (const engine of ['dist/engines/openai.js', 'dist/engines/gemini.js']) {
    check(`${engine} is in the build`, bundles.some((b) => b.file === engine));
  }
  return { bundles: bundles.map(({ inputs: _inputs, ...rest }) => rest), extensionSdkInputs: sdkInputs };
}

function probe(mode: 'extension' | 'module', file: string): ProbeResult {
  const out = execFileSync(process.execPath, [PROBE, mode, file], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  return JSON.parse(out.trim().split('\n').pop() ?? '') as ProbeResult;
}

function activationReport() {
  const extensionFile = path.join(DIST, 'extension.js');
  const engines = { openai: path.join(DIST, 'engines', 'openai.js'), gemini: path.join(DIST, 'engines', 'gemini.js') };
  // One unmeasured run of each warms the OS file cache, so the first sample is not an outlier.
  probe('extension', extensionFile);
  const extensionRuns: ProbeResult[] = [];
  const engineRuns: Record<string, ProbeResult[]> = { openai: [], gemini: [] };
  for (const file of Object.values(engines)) probe('module', file);
  // Interleaved, so a slow patch of the machine does not land on one bundle only.
  for (let i = 0; i < ACTIVATION_RUNS; i++) {
    extensionRuns.push(probe('extension', extensionFile));
    for (const [kind, file] of Object.entries(engines)) engineRuns[kind].push(probe('module', file));
  }
  const enginePaths = extensionRuns.map((r) => r.cachedFiles.filter((f) => f.includes(`${path.sep}engines${path.sep}`) || /node_modules[\\/](openai|@google[\\/]genai)[\\/]/.test(f)));
  const leaked = [...new Set(enginePaths.flat())];
  check(`no engine bundle in require.cache after activate() (${ACTIVATION_RUNS} processes)`, leaked.length === 0, leaked.join(', '));
  const first = extensionRuns[0];
  check('activate() registered the commands and the Connections view', (first.commands?.length ?? 0) > 0 && (first.treeViews?.length ?? 0) > 0, `${first.commands?.length ?? 0} commands`);
  const asyncErrors = [...new Set(extensionRuns.flatMap((r) => r.asyncErrors ?? []))];
  check('activation raised no asynchronous error', asyncErrors.length === 0, asyncErrors.slice(0, 2).join('; '));
  return {
    runs: ACTIVATION_RUNS,
    extension: {
      requireMs: stats(extensionRuns.map((r) => r.requireMs)),
      activateMs: stats(extensionRuns.map((r) => r.activateMs ?? 0)),
      totalMs: stats(extensionRuns.map((r) => r.requireMs + (r.activateMs ?? 0))),
      commands: first.commands,
      treeViews: first.treeViews,
      unstubbedVscodeMembers: [...new Set(extensionRuns.flatMap((r) => r.unstubbed ?? []))],
      requireCacheAfterActivate: first.cachedFiles.map((f) => path.relative(ROOT, f)),
      engineModulesInCache: leaked,
    },
    engines: Object.fromEntries(Object.entries(engineRuns).map(([kind, runs]) => [kind, { requireMs: stats(runs.map((r) => r.requireMs)) }])),
  };
}

// ---- content ----------------------------------------------------------------------------------------------

const WORDS = (
  'notion page draft outline section review team plan goal metric launch budget owner risk scope user ' +
  'editor stream block model answer prompt write reader update detail summary feature release quality'
).split(' ');

/** Deterministic filler text of about `chars` characters, no markdown syntax in it. */
function words(seed: number, chars: number): string {
  const out: string[] = [];
  let length = 0;
  for (let i = 0; length < chars; i++) {
    const word = WORDS[(seed * 7 + i * 13 + ((i * i) % 5)) % WORDS.length];
    out.push(word);
    length += word.length + 1;
  }
  const text = out.join(' ');
  return text[0].toUpperCase() + text.slice(1);
}

/** A ~12,000-character answer using every block kind Visen writes, in at most 100 markdown blocks. */
function richAnswer(targetChars = 12_000): string {
  const parts = ['# Quarterly planning brief', `${words(1, 260)}, with **bold goals**, *a few caveats*, the \`visen\` workflow and [a reference](https://example.com/brief).`];
  for (let s = 1; ; s++) {
    const section = [
      `## ${s}. ${words(s, 24)}`,
      `${words(s * 3, 280)} — see **owner ${s}** and *risk ${s}*, tracked as \`ITEM-${100 + s}\` in [the tracker](https://example.com/t/${s}).`,
      [`- ${words(s + 1, 50)}`, `- **${words(s + 2, 20)}**: ${words(s + 3, 40)}`, `- ${words(s + 4, 60)}`].join('\n'),
      s % 3 === 0
        ? ['```ts', `export const section${s} = { owner: 'team-${s}', budget: ${s * 1000} };`, `console.log(section${s});`, '```'].join('\n')
        : s % 3 === 1
          ? [`1. ${words(s + 5, 40)}`, `2. ${words(s + 6, 40)}`, `3. ${words(s + 7, 40)}`].join('\n')
          : [`- [x] ${words(s + 8, 30)}`, `- [ ] ${words(s + 9, 30)}`].join('\n'),
      `> ${words(s + 10, 120)}`,
      s % 4 === 0 ? ['| Metric | Target | Owner |', '| --- | --- | --- |', `| Reach | ${s * 10}% | team ${s} |`, `| Quality | ${90 + (s % 10)} | team ${s + 1} |`].join('\n') : `${words(s + 11, 200)}.`,
    ].join('\n\n');
    const next = `${parts.join('\n\n')}\n\n${section}`;
    if (next.length > targetChars - 200) break;
    parts.push(section);
  }
  parts.push('---', `${words(99, 60)}.`);
  return parts.join('\n\n');
}

interface SourceBlock {
  readonly type: 'heading_2' | 'paragraph' | 'bulleted_list_item' | 'numbered_list_item';
  readonly text: string;
}

/** A `count`-block answer: headings, paragraphs, bulleted and numbered lists, four 2,500-character paragraphs. */
function largeAnswer(count: number): { markdown: string; source: SourceBlock[] } {
  const source: SourceBlock[] = [];
  const markdown: string[] = [];
  const tag = () => `b${String(source.length).padStart(4, '0')}`;
  const longAt = [0.1, 0.35, 0.6, 0.85].map((f) => Math.floor(count * f));
  let nextLong = 0;
  for (let s = 0; source.length < count; s++) {
    const room = () => count - source.length;
    const heading = `${tag()} Section ${s}`;
    source.push({ type: 'heading_2', text: heading });
    markdown.push(`## ${heading}`);
    for (let p = 0; p < 2 && room() > 0; p++) {
      const long = nextLong < longAt.length && source.length >= longAt[nextLong];
      if (long) nextLong++;
      const text = `${tag()} ${words(source.length, long ? 2500 : 180 + ((s * 37 + p * 53) % 220))}.`;
      source.push({ type: 'paragraph', text });
      markdown.push(text);
    }
    const listType = s % 2 ? 'numbered_list_item' : 'bulleted_list_item';
    const items: string[] = [];
    for (let i = 0; i < 3 + (s % 4) && room() > 0; i++) {
      const text = `${tag()} ${words(source.length + i, 40 + ((s + i) % 5) * 12)}`;
      source.push({ type: listType, text });
      items.push(`${listType === 'numbered_list_item' ? `${i + 1}.` : '-'} ${text}`);
    }
    if (items.length) markdown.push(items.join('\n'));
  }
  return { markdown: markdown.join('\n\n'), source };
}

// ---- Notion helpers ----------------------------------------------------------------------------------------

interface FakeRequest {
  method: string;
  path: string;
  receivedAt?: number;
}

interface HostReport {
  requests: FakeRequest[];
  rateLimited: number;
  pageMarkdown: string;
  pageBlocks: BlockObjectResponse[];
}

/** One stand-in in a process of its own (test/bench/fakeHost.ts). */
class FakeHost {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  private constructor(
    private readonly child: ReturnType<typeof fork>,
    readonly url: string,
  ) {
    child.on('message', (message: { id: number; result?: unknown; error?: string }) => {
      const call = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.error !== undefined) call?.reject(new Error(`fake host: ${message.error}`));
      else call?.resolve(message.result);
    });
  }

  static async start(options: FakeHostOptions): Promise<FakeHost> {
    const child = fork(FAKE_HOST, [JSON.stringify(options)], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const ready = await new Promise<FakeHostReady>((resolve, reject) => {
      child.once('message', (m: FakeHostReady) => resolve(m));
      child.once('exit', (code) => reject(new Error(`${options.service} fake host exited with ${code}`)));
    });
    return new FakeHost(child, ready.url);
  }

  call<T>(call: FakeHostCall): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ id, call });
    });
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.call({ method: 'close' }).catch(() => undefined);
    await exited;
  }
}

/** The Notion and OpenAI stand-ins, each in its own process, as the real services are on their own machines. */
class Fakes {
  private constructor(
    private readonly notion: FakeHost,
    private readonly openai: FakeHost,
  ) {}

  static async start(): Promise<Fakes> {
    const [notion, openai] = await Promise.all([
      FakeHost.start({ service: 'notion', latencyMs: NOTION_LATENCY_MS, rateLimitPerSecond: NOTION_RATE_LIMIT }),
      FakeHost.start({ service: 'openai' }),
    ]);
    return new Fakes(notion, openai);
  }

  get notionUrl(): string {
    return this.notion.url;
  }

  get openaiUrl(): string {
    return this.openai.url;
  }

  async prepare(answer: string, chunkDelayMs: number, title: string): Promise<NotionPageRef> {
    await this.openai.call({ method: 'prepareAnswer', answer, chunkDelayMs });
    return this.notion.call({ method: 'preparePage', title });
  }

  report(pageId: string): Promise<HostReport> {
    return this.notion.call({ method: 'report', pageId });
  }

  async close(): Promise<void> {
    await Promise.all([this.notion.close(), this.openai.close()]);
  }
}

/**
 * When this process's Notion client released each request (the pacing slot), as opposed to when the
 * request reached the stand-in. The SDK calls the global fetch for every attempt, retries included.
 */
const clientStarts: number[] = [];
/** Every Notion request this process made in the current run, with its answer: which ones were a 429. */
const clientRequests: Array<{ at: number; method: string; path: string; status?: number }> = [];
function recordNotionFetches(notionUrl: string): void {
  const original = globalThis.fetch;
  globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(notionUrl)) return original(input, init);
    const entry: (typeof clientRequests)[number] = { at: Date.now(), method: init?.method ?? 'GET', path: new URL(url).pathname };
    clientStarts.push(entry.at);
    clientRequests.push(entry);
    return original(input, init).then((response) => {
      entry.status = response.status;
      return response;
    });
  }) as typeof fetch;
}

const isMarkdownPatch = (r: FakeRequest) => r.method === 'PATCH' && /\/markdown$/.test(r.path);

function plainText(block: BlockObjectResponse): string {
  const value = (block as unknown as Record<string, { rich_text?: Array<{ plain_text: string }> }>)[block.type];
  return value?.rich_text?.map((t) => t.plain_text).join('') ?? '';
}

/** Most requests that reached the stand-in within any one-second window. */
function maxPerSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j] - sorted[i] >= 1000) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}

function gaps(times: number[]): number[] {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted.slice(1).map((t, i) => t - sorted[i]);
}

/** The batches the naive writer sends: the Generator's own limits (100 blocks, 12,000 characters). */
function batchesOf(blocks: string[]): string[] {
  const out: string[] = [];
  let batch: string[] = [];
  let size = 0;
  for (const block of blocks) {
    if (batch.length && (batch.length === 100 || size + block.length + 2 > 12_000)) {
      out.push(batch.join('\n\n'));
      batch = [];
      size = 0;
    }
    batch.push(block);
    size += block.length + 2;
  }
  if (batch.length) out.push(batch.join('\n\n'));
  return out;
}

async function freshRun(fakes: Fakes, answer: string, chunkDelayMs: number, title: string) {
  const page = await fakes.prepare(answer, chunkDelayMs, title);
  clientStarts.length = 0;
  clientRequests.length = 0;
  // A new client per run: its pacing queue starts empty, as after a pause in real use. Default pace (3/s).
  const client = createNotionClient({ auth: NOTION_SECRET, baseUrl: fakes.notionUrl });
  const writer = new PageWriter(client);
  const engine = openai.createEngine({ apiKey: OPENAI_KEY, baseUrl: fakes.openaiUrl });
  return { page, writer, engine };
}

interface WriteRun {
  variant: 'streaming' | 'naive';
  firstTokenMs: number;
  /** The first complete block, ready to be written. */
  firstBlockMs: number;
  /** The first write acknowledged by Notion: content is on the page. */
  firstWriteMs: number;
  /** The first markdown PATCH reaching the stand-in. */
  firstPatchArrivedMs: number;
  generationMs: number;
  totalMs: number;
  markdownPatches: number;
  requests: number;
  rateLimited: number;
  /** Most requests reaching the stand-in within one second. */
  maxPerSecond: number;
  /** Most requests released by the client's pacing queue within one second. */
  clientMaxPerSecond: number;
  chars: number;
  blocks: number;
  pageMarkdown: string;
  rateLimitedRequests: string[];
}

type Timings = Pick<WriteRun, 'firstTokenMs' | 'firstBlockMs' | 'firstWriteMs' | 'generationMs' | 'totalMs' | 'chars' | 'blocks'>;

async function collect(fakes: Fakes, variant: WriteRun['variant'], t0: number, timings: Timings, pageId: string): Promise<WriteRun> {
  const report = await fakes.report(pageId);
  const patches = report.requests.filter(isMarkdownPatch);
  return {
    variant,
    ...timings,
    firstPatchArrivedMs: (patches[0]?.receivedAt ?? NaN) - t0,
    markdownPatches: patches.length,
    requests: report.requests.length,
    rateLimited: report.rateLimited,
    maxPerSecond: maxPerSecond(report.requests.map((r) => r.receivedAt ?? NaN)),
    clientMaxPerSecond: maxPerSecond(clientStarts),
    pageMarkdown: report.pageMarkdown,
    rateLimitedRequests: clientRequests.filter((r) => r.status === 429).map((r) => `${r.method} at ${r.at - t0} ms`),
  };
}

async function streamingRun(fakes: Fakes, answer: string): Promise<WriteRun> {
  const { page, writer, engine } = await freshRun(fakes, answer, CHUNK_DELAY_MS, 'Streaming');
  const generator = new Generator(writer, new GenerationStore(new MemoryStore()), silentLogger);
  const t0 = Date.now();
  let firstBlockMs: number | undefined;
  const { record, error } = await generator.run({
    page, prompt: 'Write the quarterly planning brief', mode: 'append', engine, model: MODEL, signal: new AbortController().signal,
    onProgress: (p) => {
      if (p.blocks > 0) firstBlockMs ??= Date.now() - t0;
    },
  });
  if (error) throw error;
  const t = record.timings;
  return collect(fakes, 'streaming', t0, {
    firstTokenMs: t.firstTokenMs ?? NaN,
    firstBlockMs: firstBlockMs ?? NaN,
    firstWriteMs: t.firstWriteMs ?? NaN,
    generationMs: t.generationMs ?? NaN,
    totalMs: t.totalMs ?? NaN,
    chars: record.markdown.length,
    blocks: record.blocks,
  }, page.id);
}

/** Wait for the whole answer, then write it: what Visen would do without streaming (snapshot for undo included). */
async function naiveRun(fakes: Fakes, answer: string): Promise<WriteRun> {
  const { page, writer, engine } = await freshRun(fakes, answer, CHUNK_DELAY_MS, 'Naive');
  const t0 = Date.now();
  const snapshot = writer.snapshot(page.id);
  snapshot.catch(() => undefined);
  let firstTokenMs: number | undefined;
  let text = '';
  for await (const piece of engine.stream({ model: MODEL, prompt: 'Write the quarterly planning brief' }, new AbortController().signal)) {
    firstTokenMs ??= Date.now() - t0;
    text += piece;
  }
  const generationMs = Date.now() - t0;
  await snapshot;
  const blocks = splitMarkdownBlocks(text);
  let firstWriteMs: number | undefined;
  for (const batch of batchesOf(blocks)) {
    await writer.append(page.id, batch);
    firstWriteMs ??= Date.now() - t0;
  }
  return collect(fakes, 'naive', t0, {
    firstTokenMs: firstTokenMs ?? NaN,
    firstBlockMs: generationMs,
    firstWriteMs: firstWriteMs ?? NaN,
    generationMs,
    totalMs: Date.now() - t0,
    chars: text.length,
    blocks: blocks.length,
  }, page.id);
}

async function streamingReport(fakes: Fakes) {
  const answer = richAnswer();
  const answerBlocks = splitMarkdownBlocks(answer);
  // One unreported run first: the process's first fetch, connection and JIT warm-up would otherwise land
  // on whichever variant goes first.
  await streamingRun(fakes, answer.slice(0, 2000));
  const runs: WriteRun[] = [];
  for (let i = 0; i < STREAMING_RUNS; i++) {
    // Alternate which variant goes first.
    const pair = i % 2 ? [naiveRun, streamingRun] : [streamingRun, naiveRun];
    for (const run of pair) runs.push(await run(fakes, answer));
  }
  const of = (variant: WriteRun['variant']) => runs.filter((r) => r.variant === variant);
  const summary = (variant: WriteRun['variant']) => {
    const list = of(variant);
    const m = (key: keyof WriteRun) => median(list.map((r) => r[key] as number));
    return {
      runs: list.length,
      firstTokenMs: m('firstTokenMs'),
      firstBlockMs: m('firstBlockMs'),
      firstPatchArrivedMs: m('firstPatchArrivedMs'),
      firstWriteMs: m('firstWriteMs'),
      generationMs: m('generationMs'),
      totalMs: m('totalMs'),
      /** From the model's last token to the last write acknowledged: what writing adds after generating. */
      afterGenerationMs: median(list.map((r) => r.totalMs - r.generationMs)),
      markdownPatches: m('markdownPatches'),
      requests: m('requests'),
      rateLimited: list.reduce((n, r) => n + r.rateLimited, 0),
      maxPerSecond: Math.max(...list.map((r) => r.maxPerSecond)),
      clientMaxPerSecond: Math.max(...list.map((r) => r.clientMaxPerSecond)),
      firstWriteRangeMs: [Math.min(...list.map((r) => r.firstWriteMs)), Math.max(...list.map((r) => r.firstWriteMs))],
      totalRangeMs: [Math.min(...list.map((r) => r.totalMs)), Math.max(...list.map((r) => r.totalMs))],
    };
  };
  const streaming = summary('streaming');
  const naive = summary('naive');
  const pages = new Set(runs.map((r) => r.pageMarkdown));
  check('streaming and naive runs leave the same page content', pages.size === 1, `${pages.size} different results`);
  check('every run wrote the whole answer', runs.every((r) => r.chars === answer.length && r.blocks === answerBlocks.length), '');
  check('streaming: no request was rate limited (429)', streaming.rateLimited === 0, `${streaming.rateLimited}`, 'warn');
  check('streaming: first content reaches Notion before the model has finished', streaming.firstWriteMs < streaming.generationMs);
  return {
    answer: { chars: answer.length, markdownBlocks: answerBlocks.length, deltaDelayMs: CHUNK_DELAY_MS, notionLatencyMs: NOTION_LATENCY_MS, notionRateLimitPerSecond: NOTION_RATE_LIMIT, clientRequestsPerSecond: NOTION_REQUESTS_PER_SECOND },
    streaming,
    naive,
    firstContentEarlierMs: naive.firstWriteMs - streaming.firstWriteMs,
    totalSavedMs: naive.totalMs - streaming.totalMs,
    afterGenerationSavedMs: naive.afterGenerationMs - streaming.afterGenerationMs,
    runs: runs.map(({ pageMarkdown: _page, ...rest }) => rest),
  };
}

// ---- 3. large output pacing --------------------------------------------------------------------------------

async function pacingReport(fakes: Fakes) {
  const { markdown, source } = largeAnswer(LARGE_BLOCKS);
  const { page, writer, engine } = await freshRun(fakes, markdown, 0, 'Large');
  const generator = new Generator(writer, new GenerationStore(new MemoryStore()), silentLogger);
  const t0 = Date.now();
  const { record, error } = await generator.run({ page, prompt: 'Write a long handbook', mode: 'append', engine, model: MODEL, signal: new AbortController().signal });
  const wall = Date.now() - t0;
  const report = await fakes.report(page.id);
  const requests = report.requests;
  const times = requests.map((r) => r.receivedAt ?? NaN);
  const starts = [...clientStarts];
  const blocks = report.pageBlocks;

  // What the page must hold: each source block in order; paragraphs over 2,000 characters as several.
  const expected = source.flatMap((b) => Array.from({ length: b.type === 'paragraph' ? Math.ceil(b.text.length / RICH_TEXT_LIMIT) : 1 }, () => b.type));
  const markers = blocks.map((b) => /^b(\d{4}) /.exec(plainText(b))?.[1]).filter((m): m is string => !!m).map(Number);
  const inOrder = markers.length === source.length && markers.every((m, i) => m === i);
  const squash = (s: string) => s.replace(/\s+/g, '');
  const sameText = squash(blocks.map(plainText).join('')) === squash(source.map((b) => b.text).join(''));
  const sameTypes = blocks.length === expected.length && blocks.every((b, i) => b.type === expected[i]);
  const perSecond = maxPerSecond(times);
  const longParagraphs = source.filter((b) => b.text.length > RICH_TEXT_LIMIT).length;

  check('large: generation wrote without error', !error && record.status === 'written', error?.message ?? record.status);
  check('large: no request was rate limited (429)', report.rateLimited === 0, `${report.rateLimited}`, 'warn');
  check(`large: at most ${NOTION_RATE_LIMIT} requests in any 1-second window`, perSecond <= NOTION_RATE_LIMIT, `${perSecond}`, 'warn');
  check(`large: the page holds all ${source.length} blocks in order`, inOrder && sameText && sameTypes, `markers ${markers.length}/${source.length} in order: ${inOrder}, text equal: ${sameText}, types equal: ${sameTypes} (${blocks.length}/${expected.length} Notion blocks)`);

  return {
    answer: { chars: markdown.length, sourceBlocks: source.length, longParagraphs, markdownBlocks: record.blocks, expectedNotionBlocks: expected.length },
    firstTokenMs: record.timings.firstTokenMs,
    firstWriteMs: record.timings.firstWriteMs,
    generationMs: record.timings.generationMs,
    totalMs: record.timings.totalMs ?? wall,
    requests: requests.length,
    markdownPatches: requests.filter(isMarkdownPatch).length,
    maxRequestsInAnySecond: perSecond,
    minGapMs: Math.min(...gaps(times)),
    medianGapMs: median(gaps(times)),
    clientMaxRequestsInAnySecond: maxPerSecond(starts),
    clientMinGapMs: Math.min(...gaps(starts)),
    // Requests go one at a time, so the n-th release is the n-th arrival.
    maxTransitMs: starts.length === times.length ? Math.max(...times.map((t, i) => t - starts[i])) : NaN,
    rateLimited: report.rateLimited,
    pageBlocks: blocks.length,
    blocksInOrder: inOrder,
    textComplete: sameText,
    typesMatch: sameTypes,
    requestArrivalsMs: times.map((t) => t - t0),
    clientRequestStartsMs: starts.map((t) => t - t0),
    clientRequests: clientRequests.map((r) => ({ ...r, at: r.at - t0 })),
  };
}

// ---- main -------------------------------------------------------------------------------------------------

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

async function main() {
  const started = Date.now();
  const loadAtStart = os.loadavg();
  console.log(`Visen benchmark — Node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}, ${os.platform()}, load average ${loadAtStart.map((l) => l.toFixed(1)).join(' ')}`);

  console.log('1/3 bundles and activation…');
  const bundles = bundleReport();
  const activation = activationReport();

  const fakes = await Fakes.start();
  recordNotionFetches(fakes.notionUrl);
  let streaming;
  let pacing;
  try {
    console.log(`2/3 streaming vs naive (${STREAMING_RUNS} runs each)…`);
    streaming = await streamingReport(fakes);
    console.log('3/3 large output pacing…');
    pacing = await pacingReport(fakes);
  } finally {
    await fakes.close();
  }

  // ---- report ----
  const out: string[] = [];
  out.push(table('1a. Bundles (production build; bytes each package contributes, from dist/meta.json)', ['bundle', 'raw', 'gzip', 'largest inputs'], bundles.bundles.map((b) => [
    b.file, kb(b.bytes), kb(b.gzipBytes), b.packages.slice(0, 4).map((p) => `${p.name} ${kb(p.bytes)}`).join(', '),
  ])));
  const ext = bundles.bundles.find((b) => b.file === 'dist/extension.js')!;
  out.push(table('    dist/extension.js inputs by package', ['package', 'files', 'bytes in output'], ext.packages.map((p) => [p.name, String(p.files), kb(p.bytes)])));
  const a = activation.extension;
  out.push(table(`1b. Activation in plain Node with a 'vscode' stand-in (${activation.runs} fresh processes each)`, ['measure', 'median', 'min', 'p90', 'max'], [
    ['require dist/extension.js', ms(a.requireMs.median, 1), ms(a.requireMs.min, 1), ms(a.requireMs.p90, 1), ms(a.requireMs.max, 1)],
    ['activate()', ms(a.activateMs.median, 2), ms(a.activateMs.min, 2), ms(a.activateMs.p90, 2), ms(a.activateMs.max, 2)],
    ['require + activate', ms(a.totalMs.median, 1), ms(a.totalMs.min, 1), ms(a.totalMs.p90, 1), ms(a.totalMs.max, 1)],
    ...Object.entries(activation.engines).map(([kind, e]) => [`require dist/engines/${kind}.js (avoided)`, ms(e.requireMs.median, 1), ms(e.requireMs.min, 1), ms(e.requireMs.p90, 1), ms(e.requireMs.max, 1)]),
  ]));
  out.push(`    activate() registered ${a.commands?.length ?? 0} commands and ${a.treeViews?.length ?? 0} view(s); require.cache after it: ${a.requireCacheAfterActivate.join(', ')}`);
  if (a.unstubbedVscodeMembers.length) out.push(`    'vscode' members used but not in the stand-in (answered permissively): ${a.unstubbedVscodeMembers.join(', ')}`);

  const s = streaming.streaming;
  const n = streaming.naive;
  const ans = streaming.answer;
  out.push(table(
    `2. Streaming: ${ans.chars.toLocaleString('en-US')}-char answer (${ans.markdownBlocks} markdown blocks), ${ans.deltaDelayMs} ms per delta; Notion ${ans.notionLatencyMs} ms latency, limit ${ans.notionRateLimitPerSecond}/s; median of ${s.runs}`,
    ['measure', 'streaming (Generator)', 'naive (whole answer, then write)', 'naive − streaming'],
    [
      ['time to first token', ms(s.firstTokenMs), ms(n.firstTokenMs), ms(n.firstTokenMs - s.firstTokenMs)],
      ['first block ready to write', ms(s.firstBlockMs), ms(n.firstBlockMs), ms(n.firstBlockMs - s.firstBlockMs)],
      ['first PATCH reaches Notion', ms(s.firstPatchArrivedMs), ms(n.firstPatchArrivedMs), ms(n.firstPatchArrivedMs - s.firstPatchArrivedMs)],
      ['first content in Notion (write acknowledged)', ms(s.firstWriteMs), ms(n.firstWriteMs), `${ms(streaming.firstContentEarlierMs)} earlier`],
      ['  range over runs', `${s.firstWriteRangeMs.map((v) => v.toFixed(0)).join('–')} ms`, `${n.firstWriteRangeMs.map((v) => v.toFixed(0)).join('–')} ms`, ''],
      ['generation end (model jitter, not Visen)', ms(s.generationMs), ms(n.generationMs), ms(n.generationMs - s.generationMs)],
      ['total (all content in Notion)', ms(s.totalMs), ms(n.totalMs), `${ms(Math.abs(streaming.totalSavedMs))} ${streaming.totalSavedMs >= 0 ? 'saved' : 'slower'}`],
      ['  of which after the model finished', ms(s.afterGenerationMs), ms(n.afterGenerationMs), ms(streaming.afterGenerationSavedMs)],
      ['markdown PATCH requests', String(s.markdownPatches), String(n.markdownPatches), ''],
      ['all Notion requests', String(s.requests), String(n.requests), ''],
      ['max requests in any 1 s: sent by client / reaching Notion', `${s.clientMaxPerSecond} / ${s.maxPerSecond}`, `${n.clientMaxPerSecond} / ${n.maxPerSecond}`, ''],
      ['rate limited (429), all runs', String(s.rateLimited), String(n.rateLimited), ''],
    ],
  ));
  const p = pacing;
  out.push(table(
    `3. Large output pacing: ${p.answer.sourceBlocks} blocks (${p.answer.longParagraphs} paragraphs of 2,500 chars), ${p.answer.chars.toLocaleString('en-US')} chars, fast model; Notion ${NOTION_LATENCY_MS} ms latency, limit ${NOTION_RATE_LIMIT}/s`,
    ['measure', 'value'],
    [
      ['time to first token', ms(p.firstTokenMs)],
      ['first content in Notion', ms(p.firstWriteMs)],
      ['generation end', ms(p.generationMs)],
      ['total', ms(p.totalMs)],
      ['Notion requests (markdown PATCH)', `${p.requests} (${p.markdownPatches})`],
      ['max requests in any 1 s window, at the stand-in', String(p.maxRequestsInAnySecond)],
      ['max requests in any 1 s window, as sent by the client', String(p.clientMaxRequestsInAnySecond)],
      ['gap between arrivals: min / median', `${ms(p.minGapMs)} / ${ms(p.medianGapMs)}`],
      ['gap between client sends: min', ms(p.clientMinGapMs)],
      ['release by pacing queue → arrival at stand-in: max', ms(p.maxTransitMs)],
      ['rate limited (429)', String(p.rateLimited)],
      ['page blocks (expected)', `${p.pageBlocks} (${p.answer.expectedNotionBlocks})`],
      ['every block, in order', p.blocksInOrder && p.textComplete && p.typesMatch ? 'yes' : 'NO'],
    ],
  ));
  out.push(table('Checks', ['check', 'result'], checks.map((c) => [c.name, c.ok ? 'ok' : `${c.severity === 'fail' ? 'FAIL' : 'WARN'} ${c.detail}`])));
  const rateLimited = streaming.runs.flatMap((r) => r.rateLimitedRequests.map((x) => `${r.variant} run: ${x}`));
  if (rateLimited.length) out.push(`    429s: ${rateLimited.join('; ')}. Load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs.`);
  const elapsed = Date.now() - started;
  out.push(`\nBench took ${(elapsed / 1000).toFixed(1)} s.`);
  console.log(out.join('\n'));

  const artifact = path.join(ROOT, 'test-artifacts', 'bench.json');
  fs.mkdirSync(path.dirname(artifact), { recursive: true });
  fs.writeFileSync(artifact, `${JSON.stringify({
    createdAt: new Date(started).toISOString(),
    commit: gitCommit(),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpu: `${os.cpus()[0]?.model ?? ''} ×${os.cpus().length}`,
    loadAverage: { start: loadAtStart, end: os.loadavg() },
    elapsedMs: elapsed,
    bundles,
    activation,
    streaming,
    pacing,
    checks,
  }, null, 2)}\n`);
  console.log(`Wrote ${path.relative(ROOT, artifact)}`);
  if (checks.some((c) => !c.ok && c.severity === 'fail')) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
