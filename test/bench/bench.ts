// `npm run bench`: measures what Visen's design claims, against the production build and loopback stand-ins.
//
//  1. Activation: the JavaScript loaded by require + activate() of dist/extension.js (must stay <= 150 KB and
//     not grow past test/bench/baseline.json), what the bundle contains, and the lazily loaded bundles' sizes.
//  2. Streaming: generations of about 1k, 10k and 50k words of model markdown, streamed by the OpenAI stand-in
//     at a model's pace and written by the real Generator (chunker -> markdownToBlocks -> BlockWriter) to the
//     Notion stand-in (80 ms round trip) through Visen's paced client (3 requests/s); the same answers written
//     the naive way (whole answer converted and appended once the model finished) for comparison.
//  3. Stored state: 100 generations of 10k words saved through GenerationStore over a MemoryStore (JSON size),
//     and the heap after each of the first 20 (gc first; needs --expose-gc).
//  4. History: the cost of one save while a run is made, with 1, 10 and 20 MB of history on disk.
//  5. Fill Database Rows: 300 rows with a model answering in 1.5 s, Notion at 3 requests/s; and 20 rows with
//     an engine limited to 10 requests a minute.
//  6. Two windows: two clients sharing only the folder send at once, with the shared pacing and without.
//
// Prints a table, writes test-artifacts/bench.json, docs/performance.md (below its hand-written intro) and the
// charts in docs/images/. Exits 1 when a target is missed. Loopback only.
import { execFileSync, fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Engine, StreamEnd } from '../../src/services/engines/engine';
import * as openai from '../../src/services/engines/openai';
import { GenerationStore } from '../../src/services/generation/generationStore';
import { convertAll, Generator } from '../../src/services/generation/generator';
import { FLUSH_INTERVAL_MS } from '../../src/services/generation/writePump';
import { MemoryStore } from '../../src/services/keyValueStore';
import { silentLogger } from '../../src/services/logger';
import type { BlockNode } from '../../src/services/notion/blockTree';
import { BlockWriter } from '../../src/services/notion/blockWriter';
import { markdownToBlocks } from '../../src/services/notion/markdownBlocks';
import { createNotionClient, NOTION_REQUESTS_PER_SECOND } from '../../src/services/notion/notionClient';
import type { NotionPageRef } from '../../src/services/notion/notionPages';
import type { ProbeResult } from './activationProbe';
import type { FakeHostCall, FakeHostOptions, FakeHostReady, PageDigest } from './fakeHost';
import { type FillResult, fillReport, type HistoryCost, historyCostReport, type WindowsResult, windowsReport } from './sharedBench';

const ROOT = path.resolve(__dirname, '..', '..');
/**
 * A copy of the production build taken when the bench starts (see snapshotDist): other builds write dist/ too
 * (`npm run build`, the test runners), and a development bundle there would be measured instead.
 */
const DIST = path.join(__dirname, 'dist');
const PROBE = path.join(__dirname, 'activationProbe.js');
const FAKE_HOST = path.join(__dirname, 'fakeHost.js');
const BASELINE = path.join(ROOT, 'test', 'bench', 'baseline.json');
const DOC = path.join(ROOT, 'docs', 'performance.md');
const IMAGES = path.join(ROOT, 'docs', 'images');
const NOTION_SECRET = 'secret_fake_notion';
const OPENAI_KEY = 'sk-fake-openai';
const MODEL = 'gpt-4.1-mini';

const env = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
/**
 * `--checks` (a step of `npm test`): only what does not depend on the machine's speed — the bundles, what
 * activation loads and its size against the baseline, and one 1,000-word generation's requests, 429s and page.
 * Timing targets are reported but only `npm run bench` holds them; nothing is written to docs/.
 */
const CHECKS_ONLY = process.argv.includes('--checks');
/** Fresh processes per measured bundle. */
const ACTIVATION_RUNS = env('BENCH_ACTIVATION_RUNS', CHECKS_ONLY ? 3 : 20);
/** Generation sizes in words; BENCH_SIZES=1000,10000 for a quicker run. */
const SIZES = (process.env.BENCH_SIZES ?? (CHECKS_ONLY ? '1000' : '1000,10000,50000'))
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
/** The OpenAI stand-in sends 3 words per delta (test/fakes/server.ts splitIntoDeltas), one delta every CHUNK_DELAY_MS. */
const CHUNK_DELAY_MS = env('BENCH_CHUNK_DELAY_MS', 16);
const WORDS_PER_DELTA = 3;
const NOTION_LATENCY_MS = 80;
const NOTION_RATE_LIMIT = 3;
const STORED_GENERATIONS = env('BENCH_STORED_GENERATIONS', 100);
const HEAP_GENERATIONS = Math.min(20, STORED_GENERATIONS);
const STORED_WORDS = 10_000;
/** The 100 generations are spread over this many connections, as a person's history would be. */
const STORED_CONNECTIONS = 4;

// ---- targets ----------------------------------------------------------------------------------------------
const ACTIVATION_JS_LIMIT = 150 * 1024;
const FIRST_CONTENT_MARGIN_MS = 50;
const TAIL_MARGIN_MS = 300;
const STORED_LIMIT_BYTES = 10 * 1024 * 1024;
/** Heap "flat": growth per generation beyond what the store itself gained, by least squares over 20 generations. */
const HEAP_NET_SLOPE_LIMIT = 64 * 1024;
/** Heap "flat" when nothing is meant to be kept: least-squares growth per generation. */
const HEAP_LEAK_SLOPE_LIMIT = 16 * 1024;
const HISTORY_SIZES_MB = [1, 10, 20];
const SAVE_MEDIAN_LIMIT_MS = 5;
const FILL_ROWS = env('BENCH_FILL_ROWS', 300);
const FILL_MODEL_MS = 1500;
const FILL_ROWS_PER_SECOND = 2.7;
const LIMITED_ROWS = env('BENCH_LIMITED_ROWS', 20);
const LIMITED_RPM = 10;

/** Every target and correctness check; any that is not ok sets the exit code. */
const checks: Array<{ name: string; ok: boolean; detail: string; timed?: boolean }> = [];
const check = (name: string, ok: boolean, detail = '') => checks.push({ name, ok, detail });
/** A target on time: held by `npm run bench`, reported only by `--checks`. */
const timedCheck = (name: string, ok: boolean, detail = '') => checks.push({ name, ok, detail, timed: true });

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
  return [
    `\n${title}`,
    line(head),
    `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

// ---- 1. activation cost ------------------------------------------------------------------------------------

interface Metafile {
  outputs: Record<
    string,
    { bytes: number; entryPoint?: string; inputs: Record<string, { bytesInOutput: number }>; imports?: Array<{ path: string }> }
  >;
}

/** The package an esbuild input path belongs to; Visen's own files are grouped by their top folder. */
function packageOf(input: string): string {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(input);
  if (match) return match[1];
  return input.startsWith('<') ? input : `(visen) ${input.split('/')[0]}/`;
}

function bundleReport() {
  const meta = JSON.parse(fs.readFileSync(path.join(DIST, 'meta.json'), 'utf8')) as Metafile;
  const local = (file: string) => path.join(DIST, path.relative('dist', file));
  const bundles = Object.entries(meta.outputs)
    .filter(([file]) => file.endsWith('.js'))
    .map(([file, output]) => {
      const bytes = fs.readFileSync(local(file));
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
  // The generation machinery is core code: the layers' rule (src/services never imports vscode) holds for its bundle.
  // What it shares with every bundle (`visen-shared:<name>`) it requires from dist/shared.js.
  const run = meta.outputs['dist/run.js'];
  const runForeign = run
    ? [
        ...Object.keys(run.inputs).filter(
          (i) => !i.startsWith('src/services/') && !i.includes('node_modules/') && !i.startsWith('visen-shared:'),
        ),
        ...(run.imports ?? []).filter((i) => i.path === 'vscode').map((i) => i.path),
      ]
    : ['no dist/run.js in the build'];
  check(
    'run.js holds src/services and libraries only, and does not import vscode (metafile)',
    runForeign.length === 0,
    runForeign.slice(0, 3).join(', '),
  );
  for (const engine of ['dist/engines/openai.js', 'dist/engines/gemini.js']) {
    check(
      `${engine} is in the build`,
      bundles.some((b) => b.file === engine),
    );
  }
  return { bundles: bundles.map(({ inputs: _inputs, ...rest }) => rest), extensionSdkInputs: sdkInputs };
}

/** Copies the production bundles out of dist/ and checks they are the ones dist/meta.json describes. */
function snapshotDist(): void {
  const source = path.join(ROOT, 'dist');
  const meta = JSON.parse(fs.readFileSync(path.join(source, 'meta.json'), 'utf8')) as Metafile;
  fs.rmSync(DIST, { recursive: true, force: true });
  for (const [file, output] of Object.entries(meta.outputs)) {
    if (!file.endsWith('.js')) continue;
    const target = path.join(DIST, path.relative('dist', file));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), target);
    const size = fs.statSync(target).size;
    if (fs.readFileSync(target, 'utf8').includes('//# sourceMappingURL='))
      throw new Error(
        `${file} is a development build (it has a source map): another build rewrote dist/ after \`node esbuild.js --production\`. Run the bench again.`,
      );
    // esbuild's metafile counts the bundle without the banner line.
    if (Math.abs(size - output.bytes) > 200)
      throw new Error(
        `${file} is ${size} bytes, dist/meta.json says ${output.bytes}: another build rewrote dist/ after \`node esbuild.js --production\`. Run the bench again.`,
      );
  }
  fs.copyFileSync(path.join(source, 'meta.json'), path.join(DIST, 'meta.json'));
}

function probe(mode: 'extension' | 'module', file: string): ProbeResult {
  const out = execFileSync(process.execPath, [PROBE, mode, file], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  return JSON.parse(out.trim().split('\n').pop() ?? '') as ProbeResult;
}

/** Bundles required on first use: activation must not load them. */
const LAZY_BUNDLES = {
  'markdown.js': 'the converter',
  'notion.js': 'the Notion SDK',
  'run.js': 'the generation machinery',
  'forms.js': "the forms' host side",
  'fill.js': 'Fill Database Rows',
};

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
  const enginePaths = extensionRuns.map((r) =>
    r.cachedFiles.filter((f) => f.includes(`${path.sep}engines${path.sep}`) || /node_modules[\\/](openai|@google[\\/]genai)[\\/]/.test(f)),
  );
  const leaked = [...new Set(enginePaths.flat())];
  check(`no engine bundle in require.cache after activate() (${ACTIVATION_RUNS} processes)`, leaked.length === 0, leaked.join(', '));
  const first = extensionRuns[0];
  check(
    'activate() registered the commands and the Connections view',
    (first.commands?.length ?? 0) > 0 && (first.treeViews?.length ?? 0) > 0,
    `${first.commands?.length ?? 0} commands`,
  );
  // The JavaScript activation made Node read: every .js file in require.cache but the probe itself.
  const loadedJs = [...new Set(extensionRuns.flatMap((r) => r.cachedFiles))].filter((f) => f.endsWith('.js') && path.resolve(f) !== PROBE);
  const loadedJsBytes = loadedJs.reduce((n, f) => n + fs.statSync(f).size, 0);
  for (const [file, what] of Object.entries(LAZY_BUNDLES)) {
    const loaded = loadedJs.filter((f) => path.resolve(f) === path.join(DIST, file));
    check(`dist/${file} (${what}) is not loaded by activation`, loaded.length === 0, loaded.join(', '));
  }
  const asyncErrors = [...new Set(extensionRuns.flatMap((r) => r.asyncErrors ?? []))];
  check('activation raised no asynchronous error', asyncErrors.length === 0, asyncErrors.slice(0, 2).join('; '));
  return {
    runs: ACTIVATION_RUNS,
    loadedJs: loadedJs.map((f) => ({ file: path.join('dist', path.relative(DIST, f)), bytes: fs.statSync(f).size })),
    loadedJsBytes,
    markdownBundleBytes: fs.statSync(path.join(DIST, 'markdown.js')).size,
    runBundleBytes: fs.statSync(path.join(DIST, 'run.js')).size,
    extension: {
      requireMs: stats(extensionRuns.map((r) => r.requireMs)),
      activateMs: stats(extensionRuns.map((r) => r.activateMs ?? 0)),
      totalMs: stats(extensionRuns.map((r) => r.requireMs + (r.activateMs ?? 0))),
      commands: first.commands,
      treeViews: first.treeViews,
      unstubbedVscodeMembers: [...new Set(extensionRuns.flatMap((r) => r.unstubbed ?? []))],
      requireCacheAfterActivate: first.cachedFiles.map((f) => path.relative(DIST, f)),
      engineModulesInCache: leaked,
    },
    engines: Object.fromEntries(
      Object.entries(engineRuns).map(([kind, runs]) => [kind, { requireMs: stats(runs.map((r) => r.requireMs)) }]),
    ),
  };
}

// ---- content ----------------------------------------------------------------------------------------------

/** Small deterministic PRNG (mulberry32): the same answers on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VOCABULARY = (
  'the a of to and in for with on that is as by this be are from it at an or can each which when their ' +
  'team release plan migration service request latency budget quarter owner review customer onboarding metric ' +
  'dashboard rollout feedback database schema index query cache worker queue deploy staging production incident ' +
  'timeline milestone risk dependency estimate scope launch editor page block workspace integration permission ' +
  'retry backoff throughput error report summary decision context tradeoff approach option constraint support ' +
  'should would could must usually often rarely quickly carefully clearly first next finally however because ' +
  'improves reduces keeps avoids measures tracks compares moves writes reads checks builds ships tests'
).split(' ');

const LANGUAGES = ['ts', 'python', 'bash', 'json', 'sql'];

/**
 * Model-like markdown of about `targetWords` words: sections with headings, paragraphs with inline marks,
 * bulleted lists with nested items, numbered lists, code blocks, tables and the odd quote.
 */
export function modelMarkdown(targetWords: number, seed: number): string {
  const rnd = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)];
  const between = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const phrase = (n: number) => Array.from({ length: n }, () => pick(VOCABULARY)).join(' ');
  const sentence = () => {
    const words = phrase(between(8, 20)).split(' ');
    const mark = rnd();
    const at = between(0, words.length - 2);
    if (mark < 0.15) {
      words[at] = `**${words[at]} ${words[at + 1]}**`;
      words.splice(at + 1, 1);
    } else if (mark < 0.25) words[at] = `*${words[at]}*`;
    else if (mark < 0.35) words[at] = `\`${words[at]}_${between(1, 99)}\``;
    else if (mark < 0.4) words[at] = `[${words[at]}](https://example.com/${words[at]}/${between(1, 999)})`;
    const text = words.join(' ');
    return `${text[0].toUpperCase()}${text.slice(1)}.`;
  };
  const paragraph = () => Array.from({ length: between(2, 5) }, sentence).join(' ');
  const title = (n: number) => {
    const t = phrase(n);
    return `${t[0].toUpperCase()}${t.slice(1)}`;
  };
  const blocks: string[] = [`# ${title(5)}`, paragraph()];
  let words = 0;
  const count = (text: string) => (words += text.split(/\s+/).filter(Boolean).length);
  blocks.forEach(count);
  for (let section = 1; words < targetWords; section++) {
    const parts: string[] = [`## ${section}. ${title(between(2, 6))}`, paragraph()];
    for (let k = between(2, 4); k > 0; k--) {
      const kind = rnd();
      if (kind < 0.3) parts.push(paragraph());
      else if (kind < 0.5) {
        // Bullets, some with nested bullets (two levels, as models mostly write them).
        const items = Array.from({ length: between(3, 6) }, () => {
          const item = `- ${rnd() < 0.3 ? `**${title(2)}:** ` : ''}${sentence()}`;
          if (rnd() > 0.35) return item;
          return [item, ...Array.from({ length: between(2, 3) }, () => `  - ${sentence()}`)].join('\n');
        });
        parts.push(items.join('\n'));
      } else if (kind < 0.65) {
        parts.push(Array.from({ length: between(3, 5) }, (_, i) => `${i + 1}. ${sentence()}`).join('\n'));
      } else if (kind < 0.78) {
        const lang = pick(LANGUAGES);
        const lines = Array.from({ length: between(4, 14) }, (_, i) => {
          const name = `${pick(VOCABULARY)}_${i}`;
          return lang === 'python'
            ? `    ${name} = compute("${phrase(3)}", retries=${between(1, 5)})`
            : lang === 'bash'
              ? `npm run ${pick(VOCABULARY)} -- --${pick(VOCABULARY)}=${between(1, 9)}`
              : lang === 'json'
                ? `  "${name}": "${phrase(2)}",`
                : lang === 'sql'
                  ? `SELECT ${name}, count(*) FROM ${pick(VOCABULARY)} WHERE id > ${between(1, 999)};`
                  : `  const ${name} = await ${pick(VOCABULARY)}(${between(1, 99)}); // ${phrase(4)}`;
        });
        parts.push(['```' + lang, ...lines, '```'].join('\n'));
      } else if (kind < 0.92) {
        const cols = between(3, 4);
        const row = () =>
          `| ${Array.from({ length: cols }, () => (rnd() < 0.3 ? String(between(1, 500)) : phrase(between(1, 3)))).join(' | ')} |`;
        parts.push(
          [
            `| ${Array.from({ length: cols }, () => title(1)).join(' | ')} |`,
            `|${' --- |'.repeat(cols)}`,
            ...Array.from({ length: between(3, 6) }, row),
          ].join('\n'),
        );
      } else {
        parts.push(`> ${sentence()} ${sentence()}`);
      }
    }
    if (rnd() < 0.3) parts.splice(2, 0, `### ${title(between(2, 4))}`);
    parts.forEach(count);
    blocks.push(...parts);
  }
  return `${blocks.join('\n\n')}\n`;
}

const wordCount = (text: string) => text.split(/\s+/).filter(Boolean).length;
/** Same estimate as the stand-in's usage numbers: about 4 characters per token. */
const tokenEstimate = (text: string) => Math.ceil(text.length / 4);

// ---- stand-ins ---------------------------------------------------------------------------------------------

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

interface FakeRequest {
  method: string;
  path: string;
  receivedAt?: number;
}

interface HostReport {
  requests: FakeRequest[];
  rateLimited: number;
}

/** Every request this process sent to a Notion stand-in: when the pacing queue released it and when its answer came. */
interface ClientRequest {
  at: number;
  doneAt?: number;
  method: string;
  path: string;
  status?: number;
}
const clientRequests: ClientRequest[] = [];
const notionUrls: string[] = [];

/** The SDK calls the global fetch for every attempt (retries included), after Visen's pacing queue released it. */
function recordNotionFetches(): void {
  const original = globalThis.fetch;
  globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!notionUrls.some((u) => url.startsWith(u))) return original(input, init);
    const entry: ClientRequest = { at: Date.now(), method: init?.method ?? 'GET', path: new URL(url).pathname };
    clientRequests.push(entry);
    return original(input, init).then((response) => {
      entry.status = response.status;
      entry.doneAt = Date.now();
      return response;
    });
  }) as typeof fetch;
}

/** Most of `times` within any one-second window. */
function maxPerSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j] - sorted[i] >= 1000) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}

const sleep = (msec: number) => new Promise((resolve) => setTimeout(resolve, msec));

/**
 * An engine that passes another's stream through and notes when each piece came: the model's first and last
 * token as Visen saw them, and the whole text (for the naive writer, which gets exactly the same answer).
 */
class TimedEngine implements Engine {
  readonly kind;
  firstTokenAt: number | undefined;
  lastTokenAt: number | undefined;
  text = '';
  pieces = 0;
  /** [time, characters so far], one every 25 pieces, for the timeline chart. */
  readonly progress: Array<[number, number]> = [];

  constructor(private readonly inner: Engine) {
    this.kind = inner.kind;
  }

  async *stream(request: Parameters<Engine['stream']>[0], signal: AbortSignal): AsyncGenerator<string, StreamEnd | void> {
    const inner = this.inner.stream(request, signal);
    for (let next = await inner.next(); ; next = await inner.next()) {
      if (next.done) return next.value;
      const piece = next.value;
      const now = Date.now();
      this.firstTokenAt ??= now;
      this.lastTokenAt = now;
      this.text += piece;
      if (this.pieces++ % 25 === 0) this.progress.push([now, this.text.length]);
      yield piece;
    }
  }

  complete(...args: Parameters<Engine['complete']>) {
    return this.inner.complete(...args);
  }

  listModels(signal?: AbortSignal) {
    return this.inner.listModels(signal);
  }
}

/** An in-process model with no delay, for the stored-state runs: 3-word pieces, letting I/O run now and then. */
class InstantEngine implements Engine {
  readonly kind = 'openai' as const;
  constructor(private readonly text: string) {}

  async *stream(): AsyncGenerator<string, StreamEnd> {
    const pieces = this.text.match(/\s*\S+(?:\s+\S+){0,2}/g) ?? [];
    const rest = this.text.slice(pieces.join('').length);
    for (let i = 0; i < pieces.length; i++) {
      if (i % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
      yield i === pieces.length - 1 ? pieces[i] + rest : pieces[i];
    }
    return { usage: { inputTokens: 20, outputTokens: tokenEstimate(this.text) } };
  }

  async complete(): Promise<never> {
    throw new Error('not used');
  }

  async listModels() {
    return [];
  }
}

// ---- 2. streaming vs naive -----------------------------------------------------------------------------------

interface StreamingResult {
  words: number;
  chars: number;
  tokens: number;
  /** Top-level Notion blocks (a 3-item list is 3) and every block, children included, as the page holds them. */
  blocks: number;
  pageBlocks: number;
  tokensPerSecond: number;
  wordsPerSecond: number;
  firstTokenMs: number;
  /** Request start to the model's last token. */
  generationMs: number;
  streaming: {
    /** From the model's first complete block (chunk cut, before conversion) to Notion's answer to the first append. */
    firstBlockToFirstContentMs: number;
    firstContentAfterFirstTokenMs: number;
    /** Of that: first block cut → first request released by the pacing queue (conversion, record save), and its round trip. */
    firstRequestSentMs: number;
    firstRequestRoundTripMs: number;
    /** From the model's last token to Notion's answer to the last request: the page is complete. */
    tailMs: number;
    completionAfterFirstTokenMs: number;
    requests: number;
    budget: number;
    maxPerSecondAtNotion: number;
    rateLimited: number;
    /** What the last append(s) waited on after the last token. */
    tailRequests: Array<{ startedAfterLastTokenMs: number; doneAfterLastTokenMs: number }>;
    status: string;
  };
  naive: {
    convertMs: number;
    tailMs: number;
    firstContentAfterFirstTokenMs: number;
    completionAfterFirstTokenMs: number;
    requests: number;
    maxPerSecondAtNotion: number;
    rateLimited: number;
  };
  samePage: boolean;
  timeline?: {
    tokens: Array<[number, number]>;
    generated: Array<[number, number]>;
    streamingWritten: Array<[number, number]>;
    naiveWritten: Array<[number, number]>;
    lastTokenMs: number;
  };
}

class StreamingBench {
  private constructor(
    private readonly notion: FakeHost,
    private readonly model: FakeHost,
  ) {}

  static async start(): Promise<StreamingBench> {
    const [notion, model] = await Promise.all([
      FakeHost.start({ service: 'notion', latencyMs: NOTION_LATENCY_MS, rateLimitPerSecond: NOTION_RATE_LIMIT }),
      FakeHost.start({ service: 'openai' }),
    ]);
    notionUrls.push(notion.url);
    return new StreamingBench(notion, model);
  }

  close(): Promise<unknown> {
    return Promise.all([this.notion.close(), this.model.close()]);
  }

  async run(answer: string, timeline = false): Promise<StreamingResult> {
    await this.model.call({ method: 'prepareAnswer', answer, chunkDelayMs: CHUNK_DELAY_MS });
    const page = await this.notion.call<NotionPageRef>({ method: 'preparePage', title: 'Streaming' });
    const naivePage = await this.notion.call<NotionPageRef>({ method: 'addPage', title: 'Naive' });

    // ---- streaming: the real Generator, a fresh client (empty pacing queue, as after a pause) ----
    clientRequests.length = 0;
    const engine = new TimedEngine(openai.createEngine({ apiKey: OPENAI_KEY, baseUrl: this.model.url }));
    let firstBlockAt: number | undefined;
    const generated: Array<[number, number]> = [];
    const streamingWritten: Array<[number, number]> = [];
    let blocksSoFar = 0;
    const convert = (markdown: string): BlockNode[] => {
      const cutAt = Date.now();
      const nodes = markdownToBlocks(markdown);
      if (nodes.length) {
        firstBlockAt ??= cutAt;
        blocksSoFar += nodes.length;
        generated.push([cutAt, blocksSoFar]);
      }
      return nodes;
    };
    const client = createNotionClient({ auth: NOTION_SECRET, baseUrl: this.notion.url });
    const generator = new Generator(new BlockWriter(client), convert, new GenerationStore(new MemoryStore()), silentLogger);
    const t0 = Date.now();
    let lastWritten = 0;
    const { record, error } = await generator.run({
      page,
      prompt: 'Write the handbook',
      plan: { mode: 'append' },
      engine,
      model: MODEL,
      signal: new AbortController().signal,
      onProgress: (p) => {
        if (p.writtenBlocks !== lastWritten) streamingWritten.push([Date.now(), (lastWritten = p.writtenBlocks)]);
      },
    });
    if (error) throw error;
    // Writes only: the page's end is read once before the first write (where the first batch goes, so a lost
    // answer is looked for there); that read happens while the model is still starting and carries no content.
    const streamingRequests = clientRequests.splice(0).filter((r) => r.method !== 'GET');
    const firstTokenAt = engine.firstTokenAt ?? NaN;
    const lastTokenAt = engine.lastTokenAt ?? NaN;
    const doneTimes = streamingRequests.map((r) => r.doneAt ?? NaN);
    const pageCompleteAt = Math.max(...doneTimes);
    const firstContentAt = Math.min(...doneTimes);
    const streamingReport = await this.notion.call<HostReport>({ method: 'report', pageId: page.id });
    const streamingDigest = await this.notion.call<PageDigest>({ method: 'pageDigest', pageId: page.id });

    // ---- naive: the same answer, converted whole once the model finished, appended by BlockWriter ----
    // Started once the streaming write is done and a second has passed, so the two never share the CPU, the
    // stand-in or its rate-limit window; its times are taken from its own start, which stands for the last token.
    await sleep(1100);
    const naiveClient = createNotionClient({ auth: NOTION_SECRET, baseUrl: this.notion.url });
    const naiveWriter = new BlockWriter(naiveClient);
    const naiveWritten: Array<[number, number]> = [];
    const n0 = Date.now();
    const nodes = convertAll(engine.text, markdownToBlocks);
    const convertMs = Date.now() - n0;
    let naiveCount = 0;
    await naiveWriter.append(naivePage.id, nodes, { onCreated: (ids) => naiveWritten.push([Date.now(), (naiveCount += ids.length)]) });
    const naiveEnd = Math.max(...clientRequests.map((r) => r.doneAt ?? NaN), Date.now());
    const naiveRequests = clientRequests.splice(0);
    const naiveReport = await this.notion.call<HostReport>({ method: 'report', pageId: naivePage.id });
    const naiveDigest = await this.notion.call<PageDigest>({ method: 'pageDigest', pageId: naivePage.id });
    const naiveArrivals = naiveReport.requests.filter((r) => (r.receivedAt ?? 0) >= n0);
    const streamingArrivals = streamingReport.requests.filter((r) => (r.receivedAt ?? 0) < n0 && (r.receivedAt ?? 0) >= t0);

    const modelMs = lastTokenAt - firstTokenAt;
    const naiveTail = naiveEnd - n0;
    const naiveFirst = Math.min(...naiveRequests.map((r) => r.doneAt ?? NaN)) - n0;
    const generationMs = lastTokenAt - t0;
    const tokens = tokenEstimate(engine.text);
    const tail = streamingRequests
      .filter((r) => (r.doneAt ?? 0) > lastTokenAt)
      .map((r) => ({
        startedAfterLastTokenMs: r.at - lastTokenAt,
        doneAfterLastTokenMs: (r.doneAt ?? NaN) - lastTokenAt,
      }));
    const samePage = streamingDigest.digest === naiveDigest.digest && streamingDigest.topLevel === record.blocks;
    const rel = (points: Array<[number, number]>, offset = 0) => points.map(([t, v]) => [t - firstTokenAt + offset, v] as [number, number]);
    return {
      words: wordCount(engine.text),
      chars: engine.text.length,
      tokens,
      blocks: record.blocks,
      pageBlocks: streamingDigest.total,
      tokensPerSecond: tokens / (modelMs / 1000),
      wordsPerSecond: wordCount(engine.text) / (modelMs / 1000),
      firstTokenMs: firstTokenAt - t0,
      generationMs,
      streaming: {
        firstBlockToFirstContentMs: firstContentAt - (firstBlockAt ?? NaN),
        firstContentAfterFirstTokenMs: firstContentAt - firstTokenAt,
        firstRequestSentMs: streamingRequests[0].at - (firstBlockAt ?? NaN),
        firstRequestRoundTripMs: (streamingRequests[0].doneAt ?? NaN) - streamingRequests[0].at,
        tailMs: pageCompleteAt - lastTokenAt,
        completionAfterFirstTokenMs: pageCompleteAt - firstTokenAt,
        requests: streamingRequests.length,
        budget: Math.ceil(generationMs / 1000) + Math.ceil(record.blocks / 100),
        maxPerSecondAtNotion: maxPerSecond(streamingArrivals.map((r) => r.receivedAt ?? NaN)),
        rateLimited: streamingRequests.filter((r) => r.status === 429).length,
        tailRequests: tail,
        status: record.status,
      },
      naive: {
        convertMs,
        tailMs: naiveTail,
        firstContentAfterFirstTokenMs: modelMs + naiveFirst,
        completionAfterFirstTokenMs: modelMs + naiveTail,
        requests: naiveRequests.length,
        maxPerSecondAtNotion: maxPerSecond(naiveArrivals.map((r) => r.receivedAt ?? NaN)),
        rateLimited: naiveRequests.filter((r) => r.status === 429).length,
      },
      samePage,
      timeline: timeline
        ? {
            tokens: rel(engine.progress),
            generated: rel(generated),
            streamingWritten: rel(streamingWritten),
            naiveWritten: rel(naiveWritten, lastTokenAt - n0),
            lastTokenMs: modelMs,
          }
        : undefined,
    };
  }
}

async function streamingReport(): Promise<StreamingResult[]> {
  const bench = await StreamingBench.start();
  try {
    // Unreported warm-up: the first fetch, connection set-up and JIT would otherwise land on the first size.
    await bench.run(modelMarkdown(300, 7));
    const results: StreamingResult[] = [];
    for (const [i, size] of SIZES.entries()) {
      console.log(`    ${size.toLocaleString('en-US')} words…`);
      const r = await bench.run(modelMarkdown(size, 100 + i), size === 10_000 || (i === 0 && !SIZES.includes(10_000)));
      results.push(r);
      const s = r.streaming;
      const label = `${size.toLocaleString('en-US')} words`;
      check(`${label}: generation wrote everything (status ${s.status})`, s.status === 'written', s.status);
      check(`${label}: streaming and naive pages hold the same blocks`, r.samePage);
      timedCheck(
        `${label}: first content <= first block + one round trip + ${FIRST_CONTENT_MARGIN_MS} ms (${NOTION_LATENCY_MS + FIRST_CONTENT_MARGIN_MS} ms)`,
        s.firstBlockToFirstContentMs <= NOTION_LATENCY_MS + FIRST_CONTENT_MARGIN_MS,
        ms(s.firstBlockToFirstContentMs),
      );
      timedCheck(
        `${label}: page complete <= last token + one round trip + ${TAIL_MARGIN_MS} ms (${NOTION_LATENCY_MS + TAIL_MARGIN_MS} ms)`,
        s.tailMs <= NOTION_LATENCY_MS + TAIL_MARGIN_MS,
        ms(s.tailMs),
      );
      check(
        `${label}: write requests <= ceil(generation s) + ceil(blocks / 100) = ${s.budget}`,
        s.requests <= s.budget,
        String(s.requests),
      );
      check(
        `${label}: no request was rate limited (429)`,
        s.rateLimited === 0 && r.naive.rateLimited === 0,
        `${s.rateLimited} streaming, ${r.naive.rateLimited} naive`,
      );
    }
    return results;
  } finally {
    await bench.close();
  }
}

// ---- 3. stored state ----------------------------------------------------------------------------------------

/** Least-squares slope of `values` against their index. */
function slope(values: number[]): number {
  const n = values.length;
  if (n < 2) return 0;
  const mx = (n - 1) / 2;
  const my = values.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  values.forEach((v, i) => {
    num += (i - mx) * (v - my);
    den += (i - mx) ** 2;
  });
  return num / den;
}

interface StoredResult {
  generations: number;
  wordsEach: number;
  markdownBytesEach: number;
  records: number;
  storedBytes: number;
  markdownBytes: number;
  blockIds: number;
  /** Bytes of stored JSON that are not markdown (ids, timings, page, prompt). */
  otherBytes: number;
  saveMsAtFull: number;
  seconds: number;
  heap: Array<{ generation: number; heapUsed: number; stored: number }>;
  heapSlope: number;
  netSlope: number;
  /** Heap after each generation when every generation has a history of its own, dropped afterwards: a leak shows here alone. */
  isolatedHeap: number[];
  isolatedSlope: number;
  gcAvailable: boolean;
}

async function storedReport(): Promise<StoredResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  check('heap measured after gc (node --expose-gc)', !!gc, gc ? '' : 'run through `npm run bench`');
  const notion = await FakeHost.start({ service: 'notion', latencyMs: 0 });
  notionUrls.push(notion.url);
  const started = Date.now();
  try {
    // As in the extension: the records in files of their own (the heap holds each record once, not its text too).
    const historyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'visen-bench-stored-'));
    const store = new GenerationStore(new MemoryStore(), { folder: historyDir, maxSizeMB: () => 200 });
    // The pacing under test in section 2 is Visen's; here only what is kept matters, so requests go unpaced.
    const writer = new BlockWriter(createNotionClient({ auth: NOTION_SECRET, baseUrl: notion.url, requestsPerSecond: 1000 }));
    const generator = new Generator(writer, markdownToBlocks, store, silentLogger);
    const storedBytes = () => store.size();
    const heap: StoredResult['heap'] = [];
    const measure = (generation: number) => {
      gc?.();
      gc?.();
      heap.push({ generation, heapUsed: process.memoryUsage().heapUsed, stored: storedBytes() });
    };
    // Series 1: nothing is meant to be kept between generations (own store each, then dropped).
    // Three unmeasured generations first: JIT code and the client's connections are not a leak.
    const isolatedHeap: number[] = [];
    for (let i = -3; i < HEAP_GENERATIONS; i++) {
      const own = new Generator(writer, markdownToBlocks, new GenerationStore(new MemoryStore()), silentLogger);
      const page = await notion.call<NotionPageRef>({ method: 'addPage', title: `Isolated ${i}` });
      const { error } = await own.run({
        page,
        prompt: `Write handbook chapter ${i}`,
        plan: { mode: 'append' },
        engine: new InstantEngine(modelMarkdown(STORED_WORDS, 5000 + i)),
        model: MODEL,
        signal: new AbortController().signal,
      });
      if (error) throw error;
      clientRequests.length = 0;
      if (i < 0) continue;
      gc?.();
      gc?.();
      isolatedHeap.push(process.memoryUsage().heapUsed);
    }
    // Series 2: one history for all, as in the extension.
    let markdownBytesEach = 0;
    for (let i = 0; i < STORED_GENERATIONS; i++) {
      const answer = modelMarkdown(STORED_WORDS, 1000 + i);
      markdownBytesEach = Math.max(markdownBytesEach, Buffer.byteLength(answer));
      const page = await notion.call<NotionPageRef>({ method: 'addPage', title: `Page ${i}` });
      const { record, error } = await generator.run({
        page,
        connectionId: `connection-${i % STORED_CONNECTIONS}`,
        prompt: `Write handbook chapter ${i}`,
        plan: { mode: 'append' },
        engine: new InstantEngine(answer),
        model: MODEL,
        signal: new AbortController().signal,
      });
      if (error || record.status !== 'written') throw new Error(`stored-state generation ${i}: ${error?.message ?? record.status}`);
      clientRequests.length = 0;
      if (i < HEAP_GENERATIONS) measure(i + 1);
      if ((i + 1) % 20 === 0) console.log(`    ${i + 1}/${STORED_GENERATIONS} generations…`);
    }
    const records = store.list();
    const total = storedBytes();
    const markdownBytes = records.reduce((n, r) => n + Buffer.byteLength(JSON.stringify(r.markdown)), 0);
    // One more save at full history: what every save during a generation costs at this size.
    const last = records[0];
    const saves: number[] = [];
    for (let k = 0; k < 5; k++) {
      const t = process.hrtime.bigint();
      await store.save(last);
      saves.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const heapUsed = heap.map((h) => h.heapUsed);
    const net = heap.map((h) => h.heapUsed - h.stored);
    const result: StoredResult = {
      generations: STORED_GENERATIONS,
      wordsEach: STORED_WORDS,
      markdownBytesEach,
      records: records.length,
      storedBytes: total,
      markdownBytes,
      blockIds: records.reduce((n, r) => n + (r.blockIds?.length ?? 0), 0),
      otherBytes: total - markdownBytes,
      saveMsAtFull: median(saves),
      seconds: (Date.now() - started) / 1000,
      heap,
      heapSlope: slope(heapUsed),
      netSlope: slope(net),
      isolatedHeap,
      isolatedSlope: slope(isolatedHeap),
      gcAvailable: !!gc,
    };
    check(`stored state: all ${STORED_GENERATIONS} records kept`, records.length === STORED_GENERATIONS, `${records.length}`);
    check(
      `stored state: JSON of ${STORED_GENERATIONS} generations of ${STORED_WORDS.toLocaleString('en-US')} words < 10 MB`,
      total < STORED_LIMIT_BYTES,
      mb(total),
    );
    check(
      `heap flat over ${HEAP_GENERATIONS} generations (history dropped after each): slope <= ${kb(HEAP_LEAK_SLOPE_LIMIT)}/generation`,
      Math.abs(result.isolatedSlope) <= HEAP_LEAK_SLOPE_LIMIT,
      `${kb(result.isolatedSlope)}/generation`,
    );
    check(
      `heap flat over ${HEAP_GENERATIONS} generations (one history kept): slope net of stored JSON growth <= ${kb(HEAP_NET_SLOPE_LIMIT)}/generation`,
      Math.abs(result.netSlope) <= HEAP_NET_SLOPE_LIMIT,
      `${kb(result.netSlope)}/generation`,
    );
    store.dispose();
    fs.rmSync(historyDir, { recursive: true, force: true });
    return result;
  } finally {
    await notion.close();
  }
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

// ---- charts (hand-written SVG) --------------------------------------------------------------------------------

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"';

/** Grouped bars: time from the model's last token to the page being complete, streaming vs naive, per size. */
function tailChart(results: StreamingResult[]): string {
  const W = 720;
  const H = 360;
  const left = 70;
  const right = 20;
  const top = 60;
  const bottom = 50;
  const max = Math.max(...results.flatMap((r) => [r.streaming.tailMs, r.naive.tailMs]), NOTION_LATENCY_MS + TAIL_MARGIN_MS);
  const step = [100, 200, 500, 1000, 2000, 5000, 10_000, 20_000].find((s) => max / s <= 8) ?? 50_000;
  const yMax = Math.ceil(max / step) * step;
  const y = (v: number) => top + (H - top - bottom) * (1 - v / yMax);
  const group = (W - left - right) / results.length;
  const bar = Math.min(70, group / 3);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT} font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">Model's last token → page complete in Notion</text>`,
    `<text x="${W / 2}" y="40" text-anchor="middle" fill="#555">Notion round trip ${NOTION_LATENCY_MS} ms, 3 requests/s; lower is better</text>`,
  ];
  for (let v = 0; v <= yMax; v += step) {
    out.push(
      `<line x1="${left}" x2="${W - right}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e5e5"/>`,
      `<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" fill="#555">${v >= 1000 ? `${v / 1000} s` : `${v} ms`}</text>`,
    );
  }
  const target = NOTION_LATENCY_MS + TAIL_MARGIN_MS;
  out.push(
    `<line x1="${left}" x2="${W - right}" y1="${y(target)}" y2="${y(target)}" stroke="#d33" stroke-dasharray="5 4"/>`,
    `<text x="${W - right}" y="${y(target) - 5}" text-anchor="end" fill="#d33">target (streaming) ${target} ms</text>`,
  );
  results.forEach((r, i) => {
    const cx = left + group * i + group / 2;
    for (const [k, value, color, name] of [
      [0, r.streaming.tailMs, '#2f6fde', 'streaming'],
      [1, r.naive.tailMs, '#aaa', 'naive'],
    ] as const) {
      const x = cx - bar - 4 + k * (bar + 8);
      out.push(
        `<rect x="${x}" y="${y(value)}" width="${bar}" height="${y(0) - y(value)}" fill="${color}"><title>${name}: ${value.toFixed(0)} ms</title></rect>`,
      );
      out.push(
        `<text x="${x + bar / 2}" y="${y(value) - 5}" text-anchor="middle">${value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${value.toFixed(0)} ms`}</text>`,
      );
    }
    out.push(
      `<text x="${cx}" y="${H - bottom + 18}" text-anchor="middle">${r.words.toLocaleString('en-US')} words (${r.blocks} blocks)</text>`,
    );
  });
  out.push(`<line x1="${left}" x2="${W - right}" y1="${y(0)}" y2="${y(0)}" stroke="#333"/>`);
  out.push(
    `<rect x="${left + 10}" y="${top - 8}" width="12" height="12" fill="#2f6fde"/><text x="${left + 27}" y="${top + 2}">streaming (Generator)</text>`,
  );
  out.push(
    `<rect x="${left + 170}" y="${top - 8}" width="12" height="12" fill="#aaa"/><text x="${left + 187}" y="${top + 2}">naive (convert + append after the last token)</text>`,
  );
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Blocks cut from the model's text and blocks acknowledged by Notion over time, for one generation. */
function timelineChart(r: StreamingResult): string {
  const t = r.timeline!;
  const W = 720;
  const H = 380;
  const left = 60;
  const right = 20;
  const top = 60;
  const bottom = 45;
  const xMax = Math.max(...[t.generated, t.streamingWritten, t.naiveWritten].flatMap((s) => s.map(([x]) => x)), t.lastTokenMs) * 1.02;
  const yMax = r.blocks * 1.05;
  const x = (v: number) => left + (W - left - right) * (v / xMax);
  const y = (v: number) => top + (H - top - bottom) * (1 - v / yMax);
  const steps = (points: Array<[number, number]>, start: [number, number] = [0, 0]) => {
    let d = `M${x(start[0]).toFixed(1)},${y(start[1]).toFixed(1)}`;
    let prev = start[1];
    for (const [px, py] of points) {
      d += ` H${x(px).toFixed(1)} V${y(py).toFixed(1)}`;
      prev = py;
    }
    return { d, prev };
  };
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT} font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">${esc(`${r.words.toLocaleString('en-US')}-word generation: blocks over time`)}</text>`,
    `<text x="${W / 2}" y="40" text-anchor="middle" fill="#555">${esc(`~${r.tokensPerSecond.toFixed(0)} tokens/s model; Notion ${NOTION_LATENCY_MS} ms round trip, 3 requests/s; time from the first token`)}</text>`,
  ];
  const xStep = [1000, 2000, 5000, 10_000, 20_000, 60_000].find((s) => xMax / s <= 10) ?? 120_000;
  for (let v = 0; v <= xMax; v += xStep)
    out.push(
      `<line x1="${x(v)}" x2="${x(v)}" y1="${top}" y2="${y(0)}" stroke="#eee"/>`,
      `<text x="${x(v)}" y="${y(0) + 16}" text-anchor="middle" fill="#555">${v / 1000} s</text>`,
    );
  const yStep = [50, 100, 200, 500, 1000, 2000].find((s) => yMax / s <= 8) ?? 5000;
  for (let v = 0; v <= yMax; v += yStep)
    out.push(
      `<line x1="${left}" x2="${W - right}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/>`,
      `<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" fill="#555">${v}</text>`,
    );
  out.push(
    `<line x1="${x(t.lastTokenMs)}" x2="${x(t.lastTokenMs)}" y1="${top}" y2="${y(0)}" stroke="#d33" stroke-dasharray="5 4"/>`,
    `<text x="${x(t.lastTokenMs) - 4}" y="${top + 12}" text-anchor="end" fill="#d33">last token</text>`,
  );
  const series: Array<[Array<[number, number]>, string, string, string]> = [
    [t.generated, '#999', '4 3', "blocks cut from the model's text"],
    [t.streamingWritten, '#2f6fde', '', 'blocks in Notion, streaming (Generator)'],
    [t.naiveWritten, '#e08a1e', '', 'blocks in Notion, naive'],
  ];
  for (const [points, color, dash, name] of series) {
    out.push(
      `<path d="${steps(points).d}" fill="none" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}><title>${esc(name)}</title></path>`,
    );
  }
  series.forEach(([, color, dash, name], i) => {
    const lx = left + 10;
    const ly = top + 8 + i * 16;
    out.push(
      `<line x1="${lx}" x2="${lx + 22}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/><text x="${lx + 28}" y="${ly + 4}">${esc(name)}</text>`,
    );
  });
  out.push(
    `<line x1="${left}" x2="${W - right}" y1="${y(0)}" y2="${y(0)}" stroke="#333"/><line x1="${left}" x2="${left}" y1="${top}" y2="${y(0)}" stroke="#333"/>`,
  );
  out.push(
    `<text x="${(left + W - right) / 2}" y="${H - 8}" text-anchor="middle" fill="#555">seconds since the model's first token</text>`,
  );
  out.push(
    `<text x="14" y="${(top + y(0)) / 2}" text-anchor="middle" fill="#555" transform="rotate(-90 14 ${(top + y(0)) / 2})">top-level blocks</text>`,
  );
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

// ---- main -------------------------------------------------------------------------------------------------

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

function machine() {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {
    // not Linux: os.cpus() it is
  }
  let nproc = os.availableParallelism();
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim()) || nproc;
  } catch {
    // no nproc
  }
  return {
    nproc,
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    node: process.version,
    cpu: cpuModel,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}

/** The activation size recorded when it was last accepted; the bench never raises it (BENCH_UPDATE_BASELINE=1 does). */
function activationBaseline(current: number): { bytes: number; created: boolean } {
  const existing = fs.existsSync(BASELINE)
    ? (JSON.parse(fs.readFileSync(BASELINE, 'utf8')) as { activationJsBytes?: number }).activationJsBytes
    : undefined;
  if (existing !== undefined && !process.env.BENCH_UPDATE_BASELINE) return { bytes: existing, created: false };
  fs.writeFileSync(
    BASELINE,
    `${JSON.stringify({ activationJsBytes: current, note: 'JavaScript loaded by activation (bytes). Written by `BENCH_UPDATE_BASELINE=1 npm run bench`; the bench fails when activation loads more.' }, null, 2)}\n`,
  );
  return { bytes: current, created: true };
}

const MARKER = '<!-- Everything below is written by `npm run bench` (test/bench/bench.ts); edit the intro above only. -->';
const DEFAULT_INTRO = `# Performance

What Visen costs and how fast it writes, measured by \`npm run bench\` against the production build and
loopback stand-ins for OpenAI and Notion. Notion's round trip is simulated (80 ms) and Visen's real client
pacing (3 requests per second) is used, so the write-path figures show Visen's own behaviour, not the network.
Everything after the marker below is regenerated by each run, so the numbers, the targets and the charts cannot
drift apart; run \`npm run bench\` and commit the result to update them.
`;

function fillCase(f: FillResult): string {
  return `${f.rows} rows, model ${f.modelMs / 1000} s${f.requestsPerMinute ? `, engine limited to ${f.requestsPerMinute}/min` : ''}`;
}

function fmtS(msec: number): string {
  return msec >= 10_000 ? `${(msec / 1000).toFixed(1)} s` : msec >= 1000 ? `${(msec / 1000).toFixed(2)} s` : `${msec.toFixed(0)} ms`;
}

async function checksOnly(started: number): Promise<void> {
  console.log(`2/2 one generation of ${SIZES.map((s) => s.toLocaleString('en-US')).join(', ')} words: requests, 429s, page…`);
  await streamingReport();
  for (const c of checks) {
    const mark = c.ok ? 'ok' : c.timed ? 'slow (timed: held by npm run bench)' : 'MISSED';
    console.log(`  ${mark.padEnd(6)} ${c.name}${c.detail ? ` (${c.detail})` : ''}`);
  }
  const missed = checks.filter((c) => !c.ok && !c.timed);
  console.log(`${checks.length - missed.length} passing\n${missed.length} failing`.replace(/^/gm, '  '));
  console.log(`bench checks took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (missed.length) process.exitCode = 1;
}

async function main() {
  const started = Date.now();
  const host = machine();
  console.log(
    `Visen benchmark — Node ${host.node}, ${host.cpu} ×${host.nproc}, ${host.memory}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );

  console.log('1/3 bundles and activation…');
  snapshotDist();
  const bundles = bundleReport();
  const activation = activationReport();
  const baseline = activationBaseline(activation.loadedJsBytes);
  check(`activation loads <= 150 KB of JavaScript`, activation.loadedJsBytes <= ACTIVATION_JS_LIMIT, kb(activation.loadedJsBytes));
  check(
    `activation JavaScript did not grow (baseline ${kb(baseline.bytes)}, test/bench/baseline.json)`,
    activation.loadedJsBytes <= baseline.bytes,
    kb(activation.loadedJsBytes),
  );

  recordNotionFetches();
  if (CHECKS_ONLY) return checksOnly(started);
  console.log(
    `2/3 streaming vs naive: ${SIZES.map((s) => s.toLocaleString('en-US')).join(', ')} words at ${WORDS_PER_DELTA} words per ${CHUNK_DELAY_MS} ms…`,
  );
  const streaming = await streamingReport();
  console.log(`3/3 stored state: ${STORED_GENERATIONS} generations of ${STORED_WORDS.toLocaleString('en-US')} words…`);
  const stored = await storedReport();
  console.log(`4/6 history: save cost with ${HISTORY_SIZES_MB.join(', ')} MB stored…`);
  const history = await historyCostReport(HISTORY_SIZES_MB);
  for (const h of history)
    check(
      `history: save median <= ${SAVE_MEDIAN_LIMIT_MS} ms with ${h.historyMB} MB stored`,
      h.saveMedianMs <= SAVE_MEDIAN_LIMIT_MS,
      ms(h.saveMedianMs, 2),
    );
  console.log(`5/6 fill: ${FILL_ROWS} rows, model ${FILL_MODEL_MS} ms; ${LIMITED_ROWS} rows at ${LIMITED_RPM} requests/minute…`);
  const fill = await fillReport(FILL_ROWS, FILL_MODEL_MS);
  check(
    `fill: >= ${FILL_ROWS_PER_SECOND} rows/s (${FILL_ROWS} rows, model ${FILL_MODEL_MS} ms)`,
    fill.rowsPerSecond >= FILL_ROWS_PER_SECOND,
    `${fill.rowsPerSecond.toFixed(2)} rows/s`,
  );
  check('fill: 0 × 429 from Notion', fill.notion429 === 0, String(fill.notion429));
  check(
    'fill: every row filled once',
    fill.filled === FILL_ROWS && fill.writesPerRow.min === 1 && fill.writesPerRow.max === 1,
    `${fill.filled} filled, ${fill.writesPerRow.min}–${fill.writesPerRow.max} writes per row`,
  );
  const limited = await fillReport(LIMITED_ROWS, FILL_MODEL_MS, LIMITED_RPM);
  check(
    `fill at ${LIMITED_RPM} requests/minute: every row filled once`,
    limited.filled === LIMITED_ROWS && limited.writesPerRow.max === 1 && limited.writesPerRow.min === 1,
    `${limited.filled} filled`,
  );
  check(
    `fill at ${LIMITED_RPM} requests/minute: no request 429 twice in a row`,
    limited.most429InARow <= 1,
    `at most ${limited.most429InARow} in a row`,
  );
  console.log('6/6 two windows…');
  const windows = await windowsReport();
  check(
    'two windows: together <= 3 requests/s, 0 × 429',
    windows.perSecond <= 3 && windows.notion429 === 0,
    `${windows.perSecond.toFixed(2)}/s, ${windows.notion429} × 429`,
  );

  // ---- report ----
  const out: string[] = [];
  const a = activation.extension;
  const bundleRows = bundles.bundles.map((b) => [
    b.file,
    kb(b.bytes),
    kb(b.gzipBytes),
    b.packages
      .slice(0, 3)
      .map((p) => `${p.name} ${kb(p.bytes)}`)
      .join(', '),
  ]);
  out.push(table('1a. Bundles (production build)', ['bundle', 'raw', 'gzip', 'largest inputs'], bundleRows));
  const activationRows = [
    ['JavaScript loaded by require + activate()', kb(activation.loadedJsBytes), `<= 150 KB and <= baseline ${kb(baseline.bytes)}`],
    ['  files', activation.loadedJs.map((f) => `${f.file} ${kb(f.bytes)}`).join(', '), ''],
    ['dist/markdown.js (converter, loaded on first generation)', kb(activation.markdownBundleBytes), 'not loaded by activation'],
    [
      'dist/run.js (generation machinery, loaded on first generation, write, undo or fill)',
      kb(activation.runBundleBytes),
      'not loaded by activation',
    ],
    ['require dist/extension.js, median', ms(a.requireMs.median, 1), ''],
    ['activate(), median', ms(a.activateMs.median, 2), ''],
    ...Object.entries(activation.engines).map(([kind, e]) => [
      `require dist/engines/${kind}.js, median (not at activation)`,
      ms(e.requireMs.median, 1),
      '',
    ]),
  ];
  out.push(
    table(
      `1b. Activation (plain Node with a 'vscode' stand-in, ${activation.runs} fresh processes)`,
      ['measure', 'value', 'target'],
      activationRows,
    ),
  );

  const sizeHead = ['measure', ...streaming.map((r) => `${r.words.toLocaleString('en-US')} words`), 'target'];
  const row = (name: string, f: (r: StreamingResult) => string, target = '') => [name, ...streaming.map(f), target];
  const streamRows = [
    row('characters / top-level blocks / all blocks', (r) => `${r.chars.toLocaleString('en-US')} / ${r.blocks} / ${r.pageBlocks}`),
    row('model speed (tokens/s ≈ chars/4; words/s)', (r) => `${r.tokensPerSecond.toFixed(0)}; ${r.wordsPerSecond.toFixed(0)}`),
    row('generation (request → last token)', (r) => fmtS(r.generationMs)),
    row(
      'first complete block → first content in Notion',
      (r) => ms(r.streaming.firstBlockToFirstContentMs),
      `<= ${NOTION_LATENCY_MS + FIRST_CONTENT_MARGIN_MS} ms`,
    ),
    row(
      '  of which block cut → request sent / round trip',
      (r) => `${r.streaming.firstRequestSentMs} / ${r.streaming.firstRequestRoundTripMs} ms`,
    ),
    row('last token → page complete, streaming', (r) => ms(r.streaming.tailMs), `<= ${NOTION_LATENCY_MS + TAIL_MARGIN_MS} ms`),
    row('last token → page complete, naive', (r) => fmtS(r.naive.tailMs), ''),
    row('  of which converting the whole answer (naive)', (r) => ms(r.naive.convertMs), ''),
    row(
      'first token → first content, streaming / naive',
      (r) => `${fmtS(r.streaming.firstContentAfterFirstTokenMs)} / ${fmtS(r.naive.firstContentAfterFirstTokenMs)}`,
    ),
    row(
      'first token → page complete, streaming / naive',
      (r) => `${fmtS(r.streaming.completionAfterFirstTokenMs)} / ${fmtS(r.naive.completionAfterFirstTokenMs)}`,
    ),
    row('  ratio streaming / naive', (r) => (r.streaming.completionAfterFirstTokenMs / r.naive.completionAfterFirstTokenMs).toFixed(3)),
    row(
      'Notion write requests, streaming (budget)',
      (r) => `${r.streaming.requests} (${r.streaming.budget})`,
      '<= ceil(gen. s) + ceil(blocks/100)',
    ),
    row('Notion requests, naive', (r) => String(r.naive.requests)),
    row('  ratio streaming / naive', (r) => (r.streaming.requests / r.naive.requests).toFixed(2)),
    row(
      'max requests reaching Notion in any 1 s, streaming / naive',
      (r) => `${r.streaming.maxPerSecondAtNotion} / ${r.naive.maxPerSecondAtNotion}`,
      `<= ${NOTION_RATE_LIMIT}`,
    ),
    row('rate limited (429), streaming / naive', (r) => `${r.streaming.rateLimited} / ${r.naive.rateLimited}`, '0'),
    row('same page content, streaming vs naive', (r) => (r.samePage ? 'yes' : 'NO'), 'yes'),
  ];
  out.push(
    table(
      `2. Streaming (Generator) vs naive; Notion ${NOTION_LATENCY_MS} ms round trip, client paced at ${NOTION_REQUESTS_PER_SECOND}/s, flush interval ${FLUSH_INTERVAL_MS} ms`,
      sizeHead,
      streamRows,
    ),
  );
  for (const r of streaming) {
    const tail = r.streaming.tailRequests
      .map((q) => `sent +${q.startedAfterLastTokenMs} ms, answered +${q.doneAfterLastTokenMs} ms`)
      .join('; ');
    out.push(`    ${r.words.toLocaleString('en-US')} words, requests answered after the last token: ${tail || 'none'}`);
  }

  const h = stored.heap;
  const heapUsed = h.map((x) => x.heapUsed);
  const storedRows = [
    ['records kept / generations', `${stored.records} / ${stored.generations} (over ${STORED_CONNECTIONS} connections)`, ''],
    ['stored JSON, total', mb(stored.storedBytes), '< 10 MB'],
    ['  of which markdown', `${mb(stored.markdownBytes)} (${kb(stored.markdownBytes / stored.records)} per record)`, ''],
    ['  of which ids, timings, page, prompt', `${mb(stored.otherBytes)} (${stored.blockIds.toLocaleString('en-US')} block ids)`, ''],
    ['one GenerationStore.save() with the full history', ms(stored.saveMsAtFull, 1), ''],
    [
      `heap after generation 1 / ${h.length} / max`,
      `${mb(heapUsed[0])} / ${mb(heapUsed[heapUsed.length - 1])} / ${mb(Math.max(...heapUsed))}`,
      '',
    ],
    ['heap slope (least squares)', `${kb(stored.heapSlope)}/generation`, ''],
    ['  net of stored-state growth', `${kb(stored.netSlope)}/generation`, `|slope| <= ${kb(HEAP_NET_SLOPE_LIMIT)}`],
    [
      `heap, history dropped after each: 1 / ${stored.isolatedHeap.length} / max`,
      `${mb(stored.isolatedHeap[0])} / ${mb(stored.isolatedHeap[stored.isolatedHeap.length - 1])} / ${mb(Math.max(...stored.isolatedHeap))}`,
      '',
    ],
    ['  slope', `${kb(stored.isolatedSlope)}/generation`, `|slope| <= ${kb(HEAP_LEAK_SLOPE_LIMIT)}`],
  ];
  out.push(
    table(
      `3. Stored state: ${stored.generations} generations of ${STORED_WORDS.toLocaleString('en-US')} words (GenerationStore over a folder; heap after gc)`,
      ['measure', 'value', 'target'],
      storedRows,
    ),
  );
  out.push(
    table(
      '4. History: one save while a run is made (files under a folder)',
      ['history', 'records', 'save median / p90', 'save CPU median', 'list() after a save'],
      history.map((h) => [
        `${h.historyMB} MB`,
        String(h.records),
        `${ms(h.saveMedianMs, 2)} / ${ms(h.saveP90Ms, 2)}`,
        ms(h.saveCpuMedianMs, 2),
        ms(h.listAfterSaveMs, 2),
      ]),
    ),
  );
  out.push(
    table(
      '5. Fill Database Rows',
      ['case', 'rows/s', 'filled', '429 Notion / engine', 'most 429 in a row', 'max Notion req. in 1 s'],
      [fill, limited].map((f) => [
        fillCase(f),
        f.rowsPerSecond.toFixed(2),
        String(f.filled),
        `${f.notion429} / ${f.engine429}`,
        String(f.most429InARow),
        String(f.maxNotionPerSecond),
      ]),
    ),
  );
  out.push(
    table(
      '6. Two windows at once',
      ['pacing', 'requests/s at Notion', '429'],
      [
        ['shared', windows.perSecond.toFixed(2), String(windows.notion429)],
        ['one per window', windows.unshared.perSecond.toFixed(2), String(windows.unshared.notion429)],
      ],
    ),
  );
  out.push(
    table(
      'Targets and checks',
      ['check', 'result'],
      checks.map((c) => [c.name, c.ok ? `ok${c.detail ? ` (${c.detail})` : ''}` : `MISSED ${c.detail}`]),
    ),
  );
  const elapsed = Date.now() - started;
  out.push(`\nBench took ${(elapsed / 1000).toFixed(0)} s.`);
  console.log(out.join('\n'));

  // ---- charts and docs/performance.md ----
  fs.mkdirSync(IMAGES, { recursive: true });
  fs.writeFileSync(path.join(IMAGES, 'bench-tail.svg'), tailChart(streaming));
  const withTimeline = streaming.find((r) => r.timeline);
  if (withTimeline) fs.writeFileSync(path.join(IMAGES, 'bench-timeline.svg'), timelineChart(withTimeline));
  writeDoc({
    host,
    activation,
    baseline,
    bundles,
    streaming,
    stored,
    history,
    fill,
    limited,
    windows,
    elapsed,
    hasTimeline: !!withTimeline,
  });

  const artifact = path.join(ROOT, 'test-artifacts', 'bench.json');
  fs.mkdirSync(path.dirname(artifact), { recursive: true });
  fs.writeFileSync(
    artifact,
    `${JSON.stringify({ createdAt: new Date(started).toISOString(), commit: gitCommit(), host, elapsedMs: elapsed, bundles, activation, streaming, stored, history, fill, limited, windows, checks }, null, 2)}\n`,
  );
  console.log(`Wrote ${path.relative(ROOT, artifact)}, ${path.relative(ROOT, DOC)} and docs/images/bench-*.svg`);
  const missed = checks.filter((c) => !c.ok);
  if (missed.length) {
    console.error(`\n${missed.length} target(s) missed:\n${missed.map((c) => `  - ${c.name}: ${c.detail}`).join('\n')}`);
    process.exitCode = 1;
  }
}

function writeDoc(d: {
  host: ReturnType<typeof machine>;
  activation: ReturnType<typeof activationReport>;
  baseline: { bytes: number };
  bundles: ReturnType<typeof bundleReport>;
  streaming: StreamingResult[];
  stored: StoredResult;
  history: HistoryCost[];
  fill: FillResult;
  limited: FillResult;
  windows: WindowsResult;
  elapsed: number;
  hasTimeline: boolean;
}): void {
  const existing = fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8') : '';
  const intro = existing.includes(MARKER) ? existing.slice(0, existing.indexOf(MARKER)).trimEnd() : DEFAULT_INTRO.trimEnd();
  const md = (head: string[], rows: string[][]) =>
    [
      `| ${head.join(' | ')} |`,
      `|${head.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
      ...rows.map((r) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`),
    ].join('\n');
  const { host, activation, streaming, stored } = d;
  const r10 = streaming;
  const ok = (name: string) => {
    const c = checks.filter((x) => x.name.includes(name));
    return c.length === 0 ? '' : c.every((x) => x.ok) ? 'pass' : '**missed**';
  };
  const lines: string[] = [intro, '', MARKER, ''];
  lines.push(
    `_Last run: ${new Date().toISOString().slice(0, 10)}, commit ${gitCommit() ?? '?'}, ${(d.elapsed / 1000).toFixed(0)} s. Machine: ${host.cpu}, \`nproc\` ${host.nproc}, ${host.memory} memory, Node ${host.node}, ${host.platform}. Loopback only; everything on one machine._`,
    '',
  );

  lines.push('## Targets', '');
  lines.push(
    md(
      ['target', 'result'],
      checks.map((c) => [c.name, c.ok ? `pass${c.detail ? ` (${c.detail})` : ''}` : `**missed** (${c.detail})`]),
    ),
    '',
  );

  lines.push('## 1. Activation', '');
  lines.push(
    `How it is measured: the production build (\`node esbuild.js --production\`) is required and \`activate()\` is called in ${activation.runs} fresh Node processes with a stand-in for the \`vscode\` module (test/bench/activationProbe.ts). "JavaScript loaded" is the size of every \`.js\` file in \`require.cache\` afterwards. The target is at most 150 KB and no more than the accepted baseline in \`test/bench/baseline.json\` (raised only on purpose, with \`BENCH_UPDATE_BASELINE=1 npm run bench\`). The markdown converter (\`dist/markdown.js\`, mdast + GFM + math), the Notion SDK (\`dist/notion.js\`), the generation machinery (\`dist/run.js\`: generator, chunker, writer, undo, database fill) and the engine SDKs are bundles of their own, loaded on first use; they are not counted, and the bench checks that activation does not load them.`,
    '',
  );
  lines.push(
    md(
      ['measure', 'value'],
      [
        [
          'JavaScript loaded by require + activate()',
          `${kb(activation.loadedJsBytes)} (${activation.loadedJs.map((f) => `\`${f.file}\``).join(', ')}); baseline ${kb(d.baseline.bytes)}, limit 150 KB`,
        ],
        ['`dist/markdown.js` (converter, loaded on the first generation)', kb(activation.markdownBundleBytes)],
        ...d.bundles.bundles
          .filter((b) => b.file !== 'dist/extension.js')
          .map((b) => [`\`${b.file}\``, `${kb(b.bytes)} (gzip ${kb(b.gzipBytes)})`]),
        ['require `dist/extension.js`, median', ms(activation.extension.requireMs.median, 1)],
        ['`activate()`, median', ms(activation.extension.activateMs.median, 2)],
      ],
    ),
    '',
  );

  lines.push('## 2. Streaming generations', '');
  const r0 = streaming[0];
  lines.push(
    `How it is measured: a deterministic generator writes model-like markdown of about ${SIZES.map((s) => s.toLocaleString('en-US')).join(', ')} words (headings, paragraphs with bold/italic/code/links, bulleted lists with two-level nesting, numbered lists, fenced code, GFM tables, quotes). The OpenAI stand-in streams it as SSE, ${WORDS_PER_DELTA} words per delta, one delta every ${CHUNK_DELAY_MS} ms: about ${r0 ? r0.tokensPerSecond.toFixed(0) : '?'} tokens/s (tokens estimated as characters/4), a fast hosted model's pace. Visen's real OpenAI engine reads it and the real \`Generator\` writes it (\`MarkdownChunker\` → \`markdownToBlocks\` → \`BlockWriter\`, appending with \`PATCH /v1/blocks/:id/children\`) through \`createNotionClient\` (3 requests/s pacing) to the Notion stand-in, which answers every request after ${NOTION_LATENCY_MS} ms and would answer 429 past ${NOTION_RATE_LIMIT} requests/s. Both stand-ins run in processes of their own. Times come from this process: "first complete block" is when the chunker hands the first block to the converter, "content in Notion" is when Notion's answer to an append arrives, "page complete" is the answer to the last request.`,
    '',
  );
  lines.push(
    `The naive writer gets exactly the same answer (the same stream, recorded): once the model finished, the whole answer is converted (\`convertAll\`, as a retry would) and written with one \`BlockWriter.append\` on a fresh client. It is run after the streaming write is done (and a second later, so the two never share the CPU, the stand-in or its rate-limit window); its "last token → page complete" is its own duration from that start, and its "first token → page complete" is the model's first-to-last-token time plus that. A warm-up generation of 300 words runs first and is not reported.`,
    '',
  );
  lines.push(
    `Request budget: one per second of generation (request to last token, rounded up) plus ceil(top-level blocks / 100). Every request counts, retries and appends of deeper children included.`,
    '',
  );
  lines.push(
    md(
      ['measure', ...streaming.map((r) => `${r.words.toLocaleString('en-US')} words`), 'target'],
      [
        [
          'characters / top-level blocks / all blocks',
          ...streaming.map((r) => `${r.chars.toLocaleString('en-US')} / ${r.blocks} / ${r.pageBlocks}`),
          '',
        ],
        [
          'model speed: tokens/s (words/s)',
          ...streaming.map((r) => `${r.tokensPerSecond.toFixed(0)} (${r.wordsPerSecond.toFixed(0)})`),
          '',
        ],
        ['generation: request → last token', ...streaming.map((r) => fmtS(r.generationMs)), ''],
        [
          'first complete block → first content in Notion',
          ...streaming.map((r) => ms(r.streaming.firstBlockToFirstContentMs)),
          `≤ ${NOTION_LATENCY_MS + FIRST_CONTENT_MARGIN_MS} ms (round trip + ${FIRST_CONTENT_MARGIN_MS} ms): ${ok('first content <=')}`,
        ],
        [
          'of which: block cut → first request sent / its round trip',
          ...streaming.map((r) => `${r.streaming.firstRequestSentMs} / ${r.streaming.firstRequestRoundTripMs} ms`),
          '',
        ],
        [
          'last token → page complete, streaming',
          ...streaming.map((r) => ms(r.streaming.tailMs)),
          `≤ ${NOTION_LATENCY_MS + TAIL_MARGIN_MS} ms (round trip + ${TAIL_MARGIN_MS} ms): ${ok('page complete <=')}`,
        ],
        ['last token → page complete, naive', ...streaming.map((r) => fmtS(r.naive.tailMs)), ''],
        [
          'first token → first content, streaming / naive',
          ...streaming.map((r) => `${fmtS(r.streaming.firstContentAfterFirstTokenMs)} / ${fmtS(r.naive.firstContentAfterFirstTokenMs)}`),
          '',
        ],
        [
          'first token → page complete, streaming / naive',
          ...streaming.map((r) => `${fmtS(r.streaming.completionAfterFirstTokenMs)} / ${fmtS(r.naive.completionAfterFirstTokenMs)}`),
          '',
        ],
        [
          '**ratio** completion after first token, streaming / naive',
          ...streaming.map((r) => (r.streaming.completionAfterFirstTokenMs / r.naive.completionAfterFirstTokenMs).toFixed(3)),
          '',
        ],
        [
          'Notion requests, streaming (budget)',
          ...streaming.map((r) => `${r.streaming.requests} (${r.streaming.budget})`),
          `≤ budget: ${ok('requests <=')}`,
        ],
        ['Notion requests, naive', ...streaming.map((r) => String(r.naive.requests)), ''],
        ['**ratio** requests, streaming / naive', ...streaming.map((r) => (r.streaming.requests / r.naive.requests).toFixed(2)), ''],
        [
          'max requests reaching Notion in any 1 s (streaming / naive)',
          ...streaming.map((r) => `${r.streaming.maxPerSecondAtNotion} / ${r.naive.maxPerSecondAtNotion}`),
          `≤ ${NOTION_RATE_LIMIT}`,
        ],
        ['429 answers (streaming / naive)', ...streaming.map((r) => `${r.streaming.rateLimited} / ${r.naive.rateLimited}`), '0'],
        ['same blocks in both pages', ...streaming.map((r) => (r.samePage ? 'yes' : 'NO')), 'yes'],
      ],
    ),
    '',
  );
  lines.push('Requests answered after the last token (streaming), relative to the last token:', '');
  for (const r of r10)
    lines.push(
      `- ${r.words.toLocaleString('en-US')} words: ${r.streaming.tailRequests.map((q) => `sent +${q.startedAfterLastTokenMs} ms, answered +${q.doneAfterLastTokenMs} ms`).join('; ') || 'none'}`,
    );
  lines.push('', '![Last token to page complete, streaming vs naive](images/bench-tail.svg)', '');
  if (d.hasTimeline) lines.push('![Blocks cut from the model text and blocks in Notion over time](images/bench-timeline.svg)', '');

  lines.push('## 3. Stored state', '');
  lines.push(
    `How it is measured: ${stored.generations} generations of ${STORED_WORDS.toLocaleString('en-US')} words (different text each) run through the real \`Generator\` and saved by \`GenerationStore\` in a folder on disk, one file per record as in the extension, spread over ${STORED_CONNECTIONS} connections; the store keeps every record up to \`visen.history.maxSizeMB\`. Here the model is an in-process stream with no delay and the Notion stand-in answers at once, unpaced: only what is kept is measured. The size is the UTF-8 length of the stored JSON. Each record keeps the full markdown of its generation (so a failed write can be retried without generating again) plus the ids of the blocks it wrote (so Undo deletes exactly them): ${stored.generations} generations of ${STORED_WORDS.toLocaleString('en-US')} words are therefore several megabytes by design. The heap is read after each of the first ${stored.heap.length} generations, after two \`gc()\` calls (\`node --expose-gc\`); this is done twice. First with a history of its own for each generation, dropped afterwards: nothing is meant to survive a generation, so the least-squares slope must be under ${kb(HEAP_LEAK_SLOPE_LIMIT)} per generation (a leak of one record's text alone would be about 65 KB). Then with one history for all, as in the extension: there the heap grows with the stored records by design, so it is judged on the heap minus the stored JSON size, whose slope must stay under ${kb(HEAP_NET_SLOPE_LIMIT)} per generation (less than one record's markdown; the in-memory records are somewhat larger than their JSON: objects, arrays and one string per block id).`,
    '',
  );
  const hu = stored.heap.map((x) => x.heapUsed);
  lines.push(
    md(
      ['measure', 'value', 'target'],
      [
        ['records kept', `${stored.records} of ${stored.generations}`, ''],
        ['stored JSON, total', mb(stored.storedBytes), `< 10 MB: ${ok('stored state: JSON')}`],
        ['of which markdown', `${mb(stored.markdownBytes)} (${kb(stored.markdownBytes / Math.max(1, stored.records))} per record)`, ''],
        [
          'of which block ids, timings, page, prompt',
          `${mb(stored.otherBytes)} (${stored.blockIds.toLocaleString('en-US')} block ids)`,
          '',
        ],
        ['one `GenerationStore.save()` with the full history', ms(stored.saveMsAtFull, 1), ''],
        [`heap after generation 1 / ${hu.length} / max`, `${mb(hu[0])} / ${mb(hu[hu.length - 1])} / ${mb(Math.max(...hu))}`, ''],
        ['heap slope', `${kb(stored.heapSlope)} per generation`, ''],
        [
          'heap slope net of stored-state growth',
          `${kb(stored.netSlope)} per generation`,
          `\\|slope\\| ≤ ${kb(HEAP_NET_SLOPE_LIMIT)}: ${ok('(one history kept)')}`,
        ],
        [
          `heap with the history dropped after each generation: 1 / ${stored.isolatedHeap.length} / max`,
          `${mb(stored.isolatedHeap[0])} / ${mb(stored.isolatedHeap[stored.isolatedHeap.length - 1])} / ${mb(Math.max(...stored.isolatedHeap))}`,
          '',
        ],
        [
          'its slope',
          `${kb(stored.isolatedSlope)} per generation`,
          `\\|slope\\| ≤ ${kb(HEAP_LEAK_SLOPE_LIMIT)}: ${ok('(history dropped')}`,
        ],
      ],
    ),
    '',
  );
  lines.push(
    `Heap with the history dropped after each generation (MB): ${stored.isolatedHeap.map((v) => (v / 1024 / 1024).toFixed(2)).join(', ')}.`,
    '',
  );
  lines.push(`Heap after each generation (MB): ${hu.map((v) => (v / 1024 / 1024).toFixed(2)).join(', ')}.`, '');
  lines.push(
    `Stored JSON after each of those generations (MB): ${stored.heap.map((x) => (x.stored / 1024 / 1024).toFixed(2)).join(', ')}.`,
    '',
  );

  lines.push('## 4. History: the cost of a save', '');
  lines.push(
    `How it is measured: a \`GenerationStore\` over a folder on disk (as under \`globalStorageUri\`) is filled with records of a 10k-word generation (about 100 KB each, with 120 block ids) until the history holds ${HISTORY_SIZES_MB.join(', ')} MB. Then a run being made saves its growing record 60 times (about 450 characters more each time), as the generator does at each write and every 2 s. Each record is a file of its own written whole (write aside, then rename), so a save costs the size of its record, not of the history; before, the whole history was one value in VS Code's global state, and one save at the default 20 MB cost 84–105 ms of extension-host CPU. "list() after a save" is the next read, which sees the save without reading the folder again.`,
    '',
  );
  lines.push(
    md(
      ['history', 'records', 'save, median / p90', 'save CPU, median', 'list() after a save', 'target'],
      d.history.map((h) => [
        `${h.historyMB} MB`,
        String(h.records),
        `${ms(h.saveMedianMs, 2)} / ${ms(h.saveP90Ms, 2)}`,
        ms(h.saveCpuMedianMs, 2),
        ms(h.listAfterSaveMs, 3),
        `median ≤ ${SAVE_MEDIAN_LIMIT_MS} ms: ${ok(`with ${h.historyMB} MB stored`)}`,
      ]),
    ),
    '',
  );

  lines.push('## 5. Fill Database Rows', '');
  lines.push(
    `How it is measured: the real \`DatabaseFiller\` fills a text property of every row of a database in the Notion stand-in (80 ms round trip, 429 with Retry-After past 3 requests in any second), through Visen's client with the pacing shared under a folder, with the real Gemini engine against the Gemini stand-in, which answers each row in ${FILL_MODEL_MS / 1000} s. Model calls run side by side (at most 8, halved at each engine 429, nothing sent until the engine's Retry-After has passed); Notion's writes go at its pace. In the second case the Gemini stand-in enforces the free tier's ${LIMITED_RPM} requests per minute (a sliding minute; 429 RESOURCE_EXHAUSTED with its QuotaFailure and RetryInfo, the delay when the oldest request leaves the minute). "Most 429 in a row" counts, per row, the requests that came back 429 before it was answered.`,
    '',
  );
  lines.push(
    md(
      [
        'case',
        'rows/s',
        'time',
        'filled, writes per row',
        '429 from Notion / engine',
        'most 429 in a row',
        'most requests at Notion in 1 s (bursts allowed)',
        'target',
      ],
      [
        [
          fillCase(d.fill),
          d.fill.rowsPerSecond.toFixed(2),
          fmtS(d.fill.seconds * 1000),
          `${d.fill.filled}, ${d.fill.writesPerRow.min}–${d.fill.writesPerRow.max}`,
          `${d.fill.notion429} / ${d.fill.engine429}`,
          String(d.fill.most429InARow),
          String(d.fill.maxNotionPerSecond),
          `≥ ${FILL_ROWS_PER_SECOND} rows/s, 0 × 429, each row once: ${checks.filter((c) => c.name.startsWith('fill: ')).every((c) => c.ok) ? 'pass' : '**missed**'}`,
        ],
        [
          fillCase(d.limited),
          d.limited.rowsPerSecond.toFixed(2),
          fmtS(d.limited.seconds * 1000),
          `${d.limited.filled}, ${d.limited.writesPerRow.min}–${d.limited.writesPerRow.max}`,
          `${d.limited.notion429} / ${d.limited.engine429}`,
          String(d.limited.most429InARow),
          String(d.limited.maxNotionPerSecond),
          `every row once, never 429 twice in a row: ${ok(`fill at ${LIMITED_RPM}`)}`,
        ],
      ],
    ),
    '',
  );

  lines.push('## 6. Two windows at once', '');
  lines.push(
    'How it is measured: two Notion clients built as two windows build theirs, sharing nothing but the folder under `globalStorageUri`, send 30 requests each at once to the Notion stand-in (80 ms round trip, 429 past 3 requests in any second); then the same with a pacing of its own in each, as before the pacing was shared (the SDK retries the 429s after their Retry-After).',
    '',
  );
  lines.push(
    md(
      ['pacing', 'requests', 'requests/s at Notion', 'most in any 1 s', '429', 'target'],
      [
        [
          'shared by both windows',
          String(d.windows.requests),
          d.windows.perSecond.toFixed(2),
          String(d.windows.maxInOneSecond),
          String(d.windows.notion429),
          `≤ 3/s, 0 × 429: ${ok('two windows')}`,
        ],
        ['one per window', '60', d.windows.unshared.perSecond.toFixed(2), '', String(d.windows.unshared.notion429), ''],
      ],
    ),
    '',
  );
  fs.mkdirSync(path.dirname(DOC), { recursive: true });
  fs.writeFileSync(
    DOC,
    `${lines
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd()}\n`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
