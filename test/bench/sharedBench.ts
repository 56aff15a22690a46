// Sections 4–6 of `npm run bench`: what the history costs per save, how fast Fill Database Rows goes at
// Notion's limit and at a rate-limited engine's, and two windows writing at once. In-process stand-ins.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as gemini from '../../src/services/engines/gemini';
import { DatabaseFiller } from '../../src/services/generation/databaseFill';
import { type GenerationRecord } from '../../src/services/generation/generationRecord';
import { GenerationStore } from '../../src/services/generation/generationStore';
import { UsageTracker } from '../../src/services/generation/usageTracker';
import { MemoryStore } from '../../src/services/keyValueStore';
import { silentLogger } from '../../src/services/logger';
import { markdownToBlocks } from '../../src/services/notion/markdownBlocks';
import { createNotionClient } from '../../src/services/notion/notionClient';
import { useNotionSdk } from '../../src/services/notion/sdk';
import * as notionBundle from '../../src/services/notion/sdkBundle';
import { NotionDatabases } from '../../src/services/notion/notionDatabases';
import { startGeminiFake } from '../fakes/geminiFake';
import { startNotionFake } from '../fakes/notionFake';

const MB = 1024 * 1024;
// The SDK as the extension loads it: its bundle carries the pacing every window shares.
useNotionSdk(() => notionBundle);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : NaN;
};
const tempDir = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `visen-bench-${name}-`));

export interface HistoryCost {
  readonly historyMB: number;
  readonly records: number;
  readonly saveMedianMs: number;
  readonly saveP90Ms: number;
  readonly saveCpuMedianMs: number;
  readonly listAfterSaveMs: number;
}

/** A record as a 10k-word generation leaves it: about 100 KB of markdown and its block ids. */
function storedRecord(i: number, markdown: string): GenerationRecord {
  return {
    id: `bench-${i}`,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    connectionId: 'c1',
    page: { id: `page-${i}`, title: `Page ${i}`, url: `https://www.notion.so/page-${i}` },
    prompt: `Write handbook chapter ${i}`,
    engine: 'openai',
    model: 'gpt-4.1-mini',
    mode: 'append',
    status: 'written',
    markdown,
    blocks: 120,
    writtenBlocks: 120,
    blockIds: Array.from({ length: 120 }, (_, k) => `${i}-${k}-0000-0000-0000-000000000000`),
    timings: { totalMs: 20_000 },
  };
}

/** Save cost of a run being made (its record growing) with `sizesMB` of history already stored, on disk. */
export async function historyCostReport(sizesMB: readonly number[]): Promise<HistoryCost[]> {
  const results: HistoryCost[] = [];
  const filler = 'word '.repeat(20_000);
  for (const sizeMB of sizesMB) {
    const dir = tempDir('history');
    try {
      const store = new GenerationStore(new MemoryStore(), { folder: dir, maxSizeMB: () => 200 });
      let i = 0;
      while (store.size() < sizeMB * MB) await store.save(storedRecord(i++, `# Chapter ${i}\n\n${filler}`));
      let running: GenerationRecord = {
        ...storedRecord(i, '# A new chapter\n\n'),
        id: 'running',
        status: 'generating',
        writtenBlocks: 0,
        blockIds: [],
      };
      const wall: number[] = [];
      const cpu: number[] = [];
      let list = 0;
      for (let k = 0; k < 60; k++) {
        running = {
          ...running,
          markdown: `${running.markdown}Paragraph ${k}: ${'more words '.repeat(40)}\n\n`,
          blockIds: [...running.blockIds!, `running-${k}`],
        };
        const c = process.cpuUsage();
        const t = process.hrtime.bigint();
        await store.save({ ...running, blockIds: [...running.blockIds!] });
        wall.push(Number(process.hrtime.bigint() - t) / 1e6);
        const used = process.cpuUsage(c);
        cpu.push((used.user + used.system) / 1000);
        const l = process.hrtime.bigint();
        store.list();
        list += Number(process.hrtime.bigint() - l) / 1e6;
      }
      const sorted = [...wall].sort((a, b) => a - b);
      results.push({
        historyMB: sizeMB,
        records: store.list().length,
        saveMedianMs: median(wall),
        saveP90Ms: sorted[Math.floor(sorted.length * 0.9)],
        saveCpuMedianMs: median(cpu),
        listAfterSaveMs: list / wall.length,
      });
      store.dispose();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return results;
}

export interface FillResult {
  readonly rows: number;
  readonly modelMs: number;
  readonly requestsPerMinute?: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  readonly filled: number;
  readonly writesPerRow: { readonly min: number; readonly max: number };
  readonly notion429: number;
  readonly engine429: number;
  /** The most 429s one row's request met one after another. */
  readonly most429InARow: number;
  readonly maxNotionPerSecond: number;
}

/** Fill Database Rows over `rows` rows, the model answering each in `modelMs`, Notion at 3 requests/s. */
export async function fillReport(rows: number, modelMs: number, requestsPerMinute?: number): Promise<FillResult> {
  const notion = await startNotionFake({ rateLimitPerSecond: 3, latencyMs: 80 });
  const model = await startGeminiFake({ requestsPerMinute });
  const dir = tempDir('fill');
  try {
    const answered = new Map<string, number>();
    model.respondWith(async (req) => {
      await new Promise((r) => setTimeout(r, modelMs));
      const name = /Book #\d+/.exec(req.prompt)?.[0] ?? '?';
      answered.set(name, (answered.get(name) ?? 0) + 1);
      return JSON.stringify({ Summary: `About ${name}` });
    });
    const db = notion.addDatabase({
      title: 'Reading List',
      properties: { Name: { title: {} }, Summary: { rich_text: {} } },
      rows: Array.from({ length: rows }, (_, i) => ({ Name: `Book #${i}` })),
    });
    const client = createNotionClient({ auth: 'secret_fake_notion', baseUrl: notion.url, sharedPacing: path.join(dir, 'notion-pacing') });
    const info = await new NotionDatabases(client).dataSource(db.dataSourceId);
    const store = new MemoryStore();
    const filler = new DatabaseFiller({
      client,
      engine: gemini.createEngine({ apiKey: 'AIza-fake-gemini', baseUrl: model.url }),
      generations: new GenerationStore(store, { folder: path.join(dir, 'generations') }),
      usage: new UsageTracker(store),
      store,
      logger: silentLogger,
      converter: () => markdownToBlocks,
    });
    notion.requests.length = 0;
    const started = Date.now();
    const summary = await filler.run(
      {
        dataSourceId: db.dataSourceId,
        selection: { kind: 'all' },
        template: 'Summarize the book "{{Name}}" in one line.',
        target: { kind: 'property', property: info.properties.find((p) => p.name === 'Summary')! },
        engine: 'gemini',
        model: 'gemini-2.5-flash',
        allowNewOptions: false,
      },
      { signal: new AbortController().signal },
    );
    const seconds = (Date.now() - started) / 1000;
    const writes = new Map<string, number>();
    for (const r of notion.requests)
      if (r.method === 'PATCH' && /^\/v1\/pages\//.test(r.path)) writes.set(r.path, (writes.get(r.path) ?? 0) + 1);
    // Each row's requests in order: a 429 is a request the responder never saw.
    const attempts = new Map<string, number>();
    for (const r of model.requests) {
      if (!/generateContent$/.test(r.path)) continue;
      const name = /Book #\d+/.exec(JSON.stringify(r.body))?.[0] ?? '?';
      attempts.set(name, (attempts.get(name) ?? 0) + 1);
    }
    let most429InARow = 0;
    for (const [name, n] of attempts) most429InARow = Math.max(most429InARow, n - (answered.get(name) ?? 0));
    const times = notion.requests.map((r) => r.receivedAt!).sort((a, b) => a - b);
    let maxNotionPerSecond = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i] - times[j] >= 1000) j++;
      maxNotionPerSecond = Math.max(maxNotionPerSecond, i - j + 1);
    }
    const counts = [...writes.values()];
    return {
      rows,
      modelMs,
      requestsPerMinute,
      seconds,
      rowsPerSecond: summary.done / seconds,
      filled: summary.done,
      writesPerRow: { min: counts.length === rows ? Math.min(...counts) : 0, max: Math.max(0, ...counts) },
      notion429: notion.rateLimitedCount,
      engine429: model.rateLimitedCount,
      most429InARow,
      maxNotionPerSecond,
    };
  } finally {
    await notion.close();
    await model.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface WindowsResult {
  readonly requests: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly maxInOneSecond: number;
  readonly notion429: number;
  /** The same two windows, each with a pacing of its own (as before the pacing was shared). */
  readonly unshared: { readonly perSecond: number; readonly notion429: number };
}

/** Two windows (two clients sharing only the folder) sending 30 requests each at once. */
export async function windowsReport(): Promise<WindowsResult> {
  const notion = await startNotionFake({ rateLimitPerSecond: 3, latencyMs: 80 });
  const dir = tempDir('windows');
  try {
    const page = notion.addPage({ title: 'Two windows' });
    const burst = async (shared: boolean) => {
      const client = () =>
        createNotionClient({
          auth: 'secret_fake_notion',
          baseUrl: notion.url,
          sharedPacing: shared ? path.join(dir, 'notion-pacing') : undefined,
        });
      const [a, b] = [client(), client()];
      notion.reset();
      notion.rateLimitPerSecond = 3;
      notion.addPage({ title: 'Two windows', id: page.id });
      const started = Date.now();
      // Without the shared pacing some requests may fail for good once the SDK's retries run out: counted, not thrown.
      await Promise.allSettled(
        [...Array(30)].flatMap(() => [a.pages.retrieve({ page_id: page.id }), b.pages.retrieve({ page_id: page.id })]),
      );
      const seconds = (Date.now() - started) / 1000;
      const times = notion.requests.map((r) => r.receivedAt!).sort((x, y) => x - y);
      let max = 0;
      for (let i = 0, j = 0; i < times.length; i++) {
        while (times[i] - times[j] >= 1000) j++;
        max = Math.max(max, i - j + 1);
      }
      return {
        requests: times.length,
        seconds,
        perSecond: times.length / seconds,
        maxInOneSecond: max,
        notion429: notion.rateLimitedCount,
      };
    };
    const shared = await burst(true);
    const unshared = await burst(false);
    return { ...shared, unshared: { perSecond: unshared.perSecond, notion429: unshared.notion429 } };
  } finally {
    await notion.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
