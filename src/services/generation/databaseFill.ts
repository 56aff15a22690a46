import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Client } from '@notionhq/client';
import { Engine, EngineError, EngineKind, readStream } from '../engines/engine';
import type { KeyValueStore } from '../keyValueStore';
import type { Logger } from '../logger';
import { DatabaseRow, fillTemplate, NotionDatabases, placeholderNames, RowSelection } from '../notion/notionDatabases';
import { toNotionError } from '../notion/notionErrors';
import { mentionsPage, pageContext, readPageMarkdown } from '../notion/pageMarkdown';
import { coerceProperty, PropertySchema, PropertyValueError, unfenceJson, valuesSchema } from '../notion/propertyValues';
import { EnginePace } from './enginePace';
import { type GenerationRecord, newRecord, type WriteMode } from './generationRecord';
import { type GenerationStore } from './generationStore';
import { Generator, type MarkdownConverter } from './generator';
import type { PageLocks } from './pageLocks';
import { BlockWriter } from '../notion/blockWriter';
import type { UsageTracker } from './usageTracker';

export type FillTarget =
  { readonly kind: 'property'; readonly property: PropertySchema } | { readonly kind: 'body'; readonly mode: WriteMode };

export interface FillJob {
  readonly connectionId?: string;
  readonly dataSourceId: string;
  readonly selection: RowSelection;
  /** The prompt, with `{{Property Name}}` and `{{page}}` placeholders. */
  readonly template: string;
  readonly target: FillTarget;
  readonly engine: EngineKind;
  readonly model: string;
  readonly instructions?: string;
  readonly allowNewOptions: boolean;
}

export interface RowResult {
  readonly row: { readonly id: string; readonly title: string; readonly url: string };
  readonly status: 'done' | 'skipped' | 'failed';
  readonly prompt?: string;
  /** The value or markdown written (or, in a preview, that would be). */
  readonly output?: string;
  readonly error?: string;
}

export interface FillProgress {
  readonly finished: number;
  readonly total: number;
  readonly failed: number;
}

export interface FillSummary {
  readonly results: RowResult[];
  readonly done: number;
  readonly skipped: number;
  readonly failed: RowResult[];
  readonly cancelled: boolean;
  /** Set when the whole run stopped because of a problem no row could get past (a wrong key, no quota). */
  readonly stoppedBy?: string;
}

export interface FillerDeps {
  readonly client: Client;
  readonly engine: Engine;
  readonly generations: GenerationStore;
  readonly usage: UsageTracker;
  readonly store: KeyValueStore;
  readonly logger: Logger;
  /** Turns the model's markdown into Notion blocks, for fills into the page body. */
  readonly converter: () => MarkdownConverter;
  /** One run per page: shared with every other run (a fill never writes into a page another run is writing). */
  readonly locks?: PageLocks;
  /** Counts one row's generation against its connection. */
  readonly recordUse?: (record: GenerationRecord) => Promise<void>;
  /**
   * The most rows generated at once (fewer while the engine rate-limits). Notion writes are paced by the
   * client (shared by every window) whatever this is.
   */
  readonly concurrency?: number;
}

/**
 * Model calls a fill makes side by side: a model answering in 1.5 s fills 5 rows a second at 8, more than
 * Notion's 3 writes a second take, so the rows go at Notion's pace.
 */
const FILL_CONCURRENCY = 8;
/** How often one row is tried again after the engine's 429, each time after the wait the engine asked for. */
const RATE_LIMIT_RETRIES = 5;

const DONE_KEY_PREFIX = 'visen.fill.done.';

/** The properties a fill reads of each row: its template's placeholders and the property it fills. */
function readProperties(job: FillJob): string[] {
  return [...placeholderNames(job.template), ...(job.target.kind === 'property' ? [job.target.property.name] : [])];
}
const FATAL: ReadonlySet<string> = new Set(['auth', 'quota', 'cancelled']);

/**
 * Fills database rows from a prompt template, the way Notion AI's autofill does but with the user's own
 * engine: a property (coerced to its type) or the row's page body. Rows already filled by the same job
 * are skipped when it runs again, so a cancelled or failed run resumes where it stopped.
 */
export class DatabaseFiller {
  private readonly databases: NotionDatabases;

  constructor(private readonly deps: FillerDeps) {
    this.databases = new NotionDatabases(deps.client);
  }

  /** What the first rows would get, generated but not written. */
  async preview(job: FillJob, count: number, signal: AbortSignal): Promise<RowResult[]> {
    const results: RowResult[] = [];
    for await (const row of this.databases.rows(job.dataSourceId, job.selection, signal, readProperties(job))) {
      if (results.length >= count) break;
      try {
        const prompt = await this.prompt(job, row);
        const output = await this.generateValue(job, prompt, signal);
        results.push({ row: ref(row), status: 'done', prompt, output: output.display });
      } catch (error) {
        if (signal.aborted) throw error;
        results.push({ row: ref(row), status: 'failed', error: message(error) });
      }
    }
    return results;
  }

  async run(
    job: FillJob,
    options: { signal: AbortSignal; onProgress?: (progress: FillProgress) => void; onlyRows?: string[] },
  ): Promise<FillSummary> {
    const { signal } = options;
    const done = new Set(this.doneRows(job));
    const rows = await this.rowsToFill(job, signal, options.onlyRows);
    const results: RowResult[] = [];
    let failed = 0;
    let stoppedBy: string | undefined;
    const stop = new AbortController();
    const combined = AbortSignal.any([signal, stop.signal]);
    // Every row at work listens to it (its engine call, its Notion requests and their wait for a slot): as
    // many listeners as rows at once allow, not a leak.
    setMaxListeners(0, combined);
    const report = () => options.onProgress?.({ finished: results.length, total: rows.length, failed });
    report();
    const pace = new EnginePace(this.deps.concurrency ?? FILL_CONCURRENCY, combined, this.deps.logger);
    const queue = pace.queue;
    const tries = new Map<string, number>();
    const fill = async (row: DatabaseRow): Promise<void> => {
      if (combined.aborted) return;
      if (done.has(row.id)) {
        results.push({ row: ref(row), status: 'skipped' });
        report();
        return;
      }
      const result = await this.fillRow(job, row, combined).catch((error: unknown): FilledRow => ({
        row: ref(row),
        status: 'failed',
        error: message(error),
      }));
      if (combined.aborted && result.status === 'failed') return;
      if (result.kind === 'rateLimit' && (tries.get(row.id) ?? 0) < RATE_LIMIT_RETRIES) {
        // The engine's own limit: fewer at once, nothing until its wait has passed, then this row first.
        tries.set(row.id, (tries.get(row.id) ?? 0) + 1);
        pace.limited(result.retryAfterMs);
        void queue.add(() => fill(row), { priority: 1 });
        return;
      }
      if (result.status === 'done') pace.succeeded();
      if (result.status === 'done') {
        done.add(row.id);
        await this.saveDone(job, done);
      } else {
        failed++;
        const kind = (result as RowResult & { kind?: string }).kind;
        if (kind && FATAL.has(kind) && !stoppedBy) {
          stoppedBy = result.error;
          stop.abort();
        }
      }
      results.push(result);
      report();
    };
    for (const row of rows) void queue.add(() => fill(row));
    await pace.idle();
    return this.summary(job, rows.length, results, signal.aborted, stoppedBy);
  }

  /** The rows of the job's selection (only `onlyRows` of them, when given), read before any is filled. */
  private async rowsToFill(job: FillJob, signal: AbortSignal, onlyRows: string[] | undefined): Promise<DatabaseRow[]> {
    const rows: DatabaseRow[] = [];
    for await (const row of this.databases.rows(job.dataSourceId, job.selection, signal, readProperties(job))) {
      if (!onlyRows || onlyRows.includes(row.id)) rows.push(row);
    }
    return rows;
  }

  /** How the fill ended, counted, and logged. */
  private summary(job: FillJob, total: number, results: RowResult[], cancelled: boolean, stoppedBy: string | undefined): FillSummary {
    const failed = results.filter((r) => r.status === 'failed');
    const done = results.filter((r) => r.status === 'done').length;
    const skipped = results.filter((r) => r.status === 'skipped').length;
    this.deps.logger.info(
      `Fill of data source ${job.dataSourceId}: ${done} filled, ${skipped} already done, ${failed.length} failed of ${total}` +
        (cancelled ? ' (cancelled)' : '') +
        (stoppedBy ? ` (stopped: ${stoppedBy})` : ''),
    );
    return { results, done, skipped, failed, cancelled, stoppedBy };
  }

  /** Forgets which rows this job already filled, so the next run does them all again. */
  async reset(job: FillJob): Promise<void> {
    await this.deps.store.update(doneKey(job), undefined);
  }

  private async fillRow(job: FillJob, row: DatabaseRow, signal: AbortSignal): Promise<FilledRow> {
    const prompt = await this.prompt(job, row);
    const page = { id: row.id, title: row.title, url: row.url };
    try {
      if (job.target.kind === 'body') {
        const generator = new Generator(
          new BlockWriter(this.deps.client),
          this.deps.converter(),
          this.deps.generations,
          this.deps.logger,
          this.deps.locks,
        );
        const { record, error } = await generator.run({
          page,
          connectionId: job.connectionId,
          prompt,
          plan: { mode: job.target.mode },
          engine: this.deps.engine,
          model: job.model,
          instructions: job.instructions,
          signal,
        });
        if (record.markdown) await this.counted(record);
        if (error) return { row: page, status: 'failed', prompt, error: error.message, ...engineFailure(error) };
        return { row: page, status: 'done', prompt, output: record.markdown };
      }
      const started = Date.now();
      const value = await this.generateValue(job, prompt, signal);
      const generationMs = Date.now() - started;
      const run = { connectionId: job.connectionId, page, prompt, engine: job.engine, model: job.model, mode: 'append' as const };
      let record = newRecord(run, { markdown: value.display, usage: value.usage, timings: { generationMs } });
      try {
        await this.databases.updateProperties(row.id, { [job.target.property.name]: value.request });
        record = { ...record, status: 'written' };
      } catch (error) {
        record = { ...record, status: 'writeFailed', error: message(error) };
        throw error;
      } finally {
        record = { ...record, timings: { generationMs, totalMs: Date.now() - started } };
        await this.deps.generations.save(record);
        await this.counted(record);
      }
      return { row: page, status: 'done', prompt, output: value.display };
    } catch (error) {
      return { row: page, status: 'failed', prompt, error: message(error), ...engineFailure(error) };
    }
  }

  private async counted(record: GenerationRecord): Promise<void> {
    await this.deps.usage.add(record.usage);
    await this.deps.recordUse?.(record);
  }

  private async prompt(job: FillJob, row: DatabaseRow): Promise<string> {
    const needsPage = mentionsPage(job.template);
    const content = needsPage ? pageContext(await readPageMarkdown(this.deps.client, row.id)) : undefined;
    return fillTemplate(job.template, row, content);
  }

  /** For a property: asks for JSON of the property's schema, then coerces it to the property's type. */
  private async generateValue(
    job: FillJob,
    prompt: string,
    signal: AbortSignal,
  ): Promise<{ display: string; request: unknown; usage?: GenerationRecord['usage'] }> {
    if (job.target.kind === 'body') {
      let text = '';
      const end = await readStream(
        this.deps.engine.stream({ model: job.model, prompt, instructions: job.instructions }, signal),
        (piece) => (text += piece),
      );
      return { display: text, request: undefined, usage: end.usage };
    }
    const property = job.target.property;
    const options = { allowNewOptions: job.allowNewOptions };
    const instructions = [
      job.instructions,
      `Answer with the value of the Notion property "${property.name}" (${property.type}) for this row, as JSON: {"${property.name}": value}.`,
      property.options?.length ? `Allowed options: ${property.options.join(', ')}.` : '',
    ]
      .filter(Boolean)
      .join('\n');
    const completion = await this.deps.engine.complete({ model: job.model, prompt, instructions }, signal, {
      jsonSchema: valuesSchema([property], options),
    });
    const raw = parseValue(completion.text, property.name);
    const request = coerceProperty(property, raw, options);
    return { display: Array.isArray(raw) ? raw.join(', ') : String(raw ?? ''), request, usage: completion.usage };
  }

  private doneRows(job: FillJob): string[] {
    const stored = this.deps.store.get<unknown>(doneKey(job));
    return Array.isArray(stored) ? stored.filter((id): id is string => typeof id === 'string') : [];
  }

  private async saveDone(job: FillJob, done: Set<string>): Promise<void> {
    await this.deps.store.update(doneKey(job), [...done]);
  }
}

/** A row's result, with what the engine said when it failed. */
type FilledRow = RowResult & { readonly kind?: string; readonly retryAfterMs?: number };

function engineFailure(error: unknown): { kind?: string; retryAfterMs?: number } {
  return error instanceof EngineError ? { kind: error.kind, retryAfterMs: error.retryAfterMs } : {};
}

/** The value from `{"Property": value}`; plain text when the model did not answer JSON. */
function parseValue(text: string, name: string): unknown {
  const trimmed = unfenceJson(text);
  try {
    const parsed = JSON.parse(trimmed) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const record = parsed as Record<string, unknown>;
      return name in record ? record[name] : Object.values(record)[0];
    }
    return parsed;
  } catch {
    return trimmed;
  }
}

function doneKey(job: FillJob): string {
  const target = job.target.kind === 'body' ? `body:${job.target.mode}` : `property:${job.target.property.name}`;
  const identity = JSON.stringify([job.dataSourceId, job.template, target, job.selection]);
  return DONE_KEY_PREFIX + createHash('sha256').update(identity).digest('hex').slice(0, 24);
}

function ref(row: DatabaseRow) {
  return { id: row.id, title: row.title, url: row.url };
}

function message(error: unknown): string {
  if (error instanceof PropertyValueError) return error.message;
  if (error instanceof EngineError) return error.message;
  return toNotionError(error).message;
}
