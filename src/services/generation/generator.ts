import { randomUUID } from 'node:crypto';
import * as l10n from '@vscode/l10n';
import { Engine, EngineError } from '../engines/engine';
import type { Logger } from '../logger';
import { NotionError, toNotionError } from '../notion/notionErrors';
import type { NotionPageRef } from '../notion/notionPages';
import type { PageSnapshot } from '../notion/pageWriter';
import { GenerationRecord, GenerationStore, WriteMode } from './generationRecord';
import { MarkdownChunker, countNotionBlocks, splitMarkdownBlocks } from './markdownChunker';

/** What the generator needs of a Notion page writer. */
export interface MarkdownSink {
  snapshot(pageId: string): Promise<PageSnapshot>;
  append(pageId: string, markdown: string): Promise<void>;
  replace(pageId: string, markdown: string): Promise<void>;
}

export interface GenerationProgress {
  readonly phase: 'starting' | 'generating' | 'writing';
  readonly generatedChars: number;
  /** Notion blocks (a 3-item list is 3) generated so far, and how many of them are in the page. */
  readonly blocks: number;
  readonly writtenBlocks: number;
}

export interface GenerateRequest {
  readonly page: NotionPageRef;
  readonly connectionId?: string;
  readonly prompt: string;
  readonly mode: WriteMode;
  readonly engine: Engine;
  readonly model: string;
  readonly instructions?: string;
  readonly signal: AbortSignal;
  readonly onProgress?: (progress: GenerationProgress) => void;
  /** Each piece of text as the model writes it. */
  readonly onText?: (text: string) => void;
}

export interface GenerationOutcome {
  readonly record: GenerationRecord;
  /** Why the generation did not end with everything written. */
  readonly error?: EngineError | NotionError;
}

/** Markdown sent per request: far below Notion's 500 KB payload limit, large enough to keep requests few. */
const MAX_CHARS_PER_WRITE = 12_000;
/** Notion takes at most 100 blocks per request; every markdown block is at least one. */
const MAX_BLOCKS_PER_WRITE = 100;

/**
 * Streams a generation into a page: engine → chunker (complete blocks only) → writer. Writes go out
 * while the model is still writing; a write in flight lets the next blocks gather, so the number of
 * requests adapts to Notion's pace. The record is saved before the first write and after the last one,
 * and keeps the whole markdown whatever fails.
 */
export class Generator {
  constructor(
    private readonly sink: MarkdownSink,
    private readonly store: GenerationStore,
    private readonly logger: Logger,
  ) {}

  async run(request: GenerateRequest): Promise<GenerationOutcome> {
    const started = Date.now();
    const record: GenerationRecord = {
      id: randomUUID(),
      createdAt: new Date(started).toISOString(),
      connectionId: request.connectionId,
      page: { id: request.page.id, title: request.page.title, url: request.page.url },
      prompt: request.prompt,
      engine: request.engine.kind,
      model: request.model,
      mode: request.mode,
      status: 'generating',
      markdown: '',
      blocks: 0,
      writtenBlocks: 0,
      notionBlocks: 0,
      writtenNotionBlocks: 0,
      timings: {},
    };
    await this.store.save(record);
    const report = (phase: GenerationProgress['phase']) =>
      request.onProgress?.({ phase, generatedChars: record.markdown.length, blocks: record.notionBlocks ?? 0, writtenBlocks: record.writtenNotionBlocks ?? 0 });
    const counts = new NotionBlockTally(record, []);
    report('starting');

    // The snapshot makes the generation undoable; it is read while the model starts thinking.
    const snapshot = this.sink.snapshot(request.page.id).then(
      (s) => { record.snapshot = s; },
      (error: unknown) => { throw toNotionError(error); },
    );
    snapshot.catch(() => undefined);

    const pump = new WritePump(async (markdown, first) => {
      await snapshot;
      if (first && request.mode === 'replace') await this.sink.replace(request.page.id, markdown);
      else await this.sink.append(request.page.id, markdown);
      record.timings.firstWriteMs ??= Date.now() - started;
    }, (count) => {
      counts.written(count);
      report('writing');
    }, request.signal);

    const chunker = new MarkdownChunker();
    const accept = (blocks: string[]) => {
      if (blocks.length === 0) return;
      counts.generated(blocks);
      pump.push(blocks);
    };

    let engineError: EngineError | undefined;
    try {
      for await (const text of request.engine.stream({ model: request.model, prompt: request.prompt, instructions: request.instructions }, request.signal)) {
        record.timings.firstTokenMs ??= Date.now() - started;
        record.markdown += text;
        request.onText?.(text);
        accept(chunker.push(text));
        report('generating');
      }
      accept(chunker.end());
    } catch (error) {
      engineError = EngineError.is(error) ? error : new EngineError('unknown', error instanceof Error ? error.message : String(error));
      // Blocks the model finished before failing are worth keeping; a cancel stops writing altogether.
      if (engineError.kind !== 'cancelled') accept(chunker.end());
    }
    record.timings.generationMs = Date.now() - started;
    record.usage = request.engine.usage();
    record.markdown = record.markdown.replace(/\r\n/g, '\n');
    // The full text is safe before the last writes go out.
    await this.store.save(record);

    const writeError = await pump.finish(engineError?.kind === 'cancelled');
    record.timings.totalMs = Date.now() - started;
    const snapshotError = await snapshot.then(() => undefined, (e: NotionError) => e);
    let error: EngineError | NotionError | undefined = engineError ?? writeError ?? snapshotError;
    if (engineError) {
      record.status = engineError.kind === 'cancelled' ? 'cancelled' : 'failed';
    } else if (writeError || snapshotError) {
      record.status = 'writeFailed';
      error = writeError ?? snapshotError;
    } else {
      record.status = 'written';
    }
    record.error = error?.message;
    await this.store.save(record);
    this.logger.info(
      `Generation ${record.id}: ${record.status}, ${record.notionBlocks} blocks (${record.writtenNotionBlocks} written) ` +
        `in ${record.blocks} pieces (${record.writtenBlocks} written), ` +
        `${record.markdown.length} chars, ${record.engine}/${record.model}, first token ${record.timings.firstTokenMs ?? '-'} ms, ` +
        `first write ${record.timings.firstWriteMs ?? '-'} ms, total ${record.timings.totalMs} ms` +
        (record.usage ? `, tokens ${record.usage.inputTokens} in / ${record.usage.outputTokens} out` : ''),
    );
    if (error) this.logger.warn(`Generation ${record.id}: ${error.message}`);
    return { record, error };
  }

  /**
   * Writes what a failed or cancelled write left out, from the record alone: no second generation.
   * A replace whose first write never happened still replaces.
   */
  async retryWrite(recordId: string, signal: AbortSignal): Promise<GenerationOutcome> {
    const record = this.store.get(recordId);
    if (!record) throw new Error(l10n.t('This generation is no longer in the history.'));
    const blocks = splitMarkdownBlocks(record.markdown);
    const remaining = blocks.slice(record.writtenBlocks);
    const counts = new NotionBlockTally(record, blocks);
    let first = record.writtenBlocks === 0;
    if (first && !record.snapshot) {
      try {
        record.snapshot = await this.sink.snapshot(record.page.id);
      } catch (error) {
        const problem = toNotionError(error);
        record.status = 'writeFailed';
        record.error = problem.message;
        await this.store.save(record);
        return { record, error: problem };
      }
    }
    const pump = new WritePump(async (markdown, isFirst) => {
      if (first && isFirst && record.mode === 'replace') await this.sink.replace(record.page.id, markdown);
      else await this.sink.append(record.page.id, markdown);
      first = false;
    }, (count) => counts.written(count), signal);
    pump.push(remaining);
    const error = await pump.finish(false);
    record.status = error ? 'writeFailed' : 'written';
    record.error = error?.message;
    await this.store.save(record);
    return { record, error };
  }
}

/** Sends blocks in order, one request at a time, batching whatever arrived while the last one was out. */
class WritePump {
  private pending: string[] = [];
  private inFlight: Promise<void> | undefined;
  private failed: NotionError | undefined;
  private sentAny = false;

  constructor(
    private readonly write: (markdown: string, first: boolean) => Promise<void>,
    private readonly written: (blocks: number) => void,
    private readonly signal: AbortSignal,
  ) {}

  push(blocks: string[]): void {
    this.pending.push(...blocks);
    this.next();
  }

  /** Waits for the last write; on cancel, what has not been sent stays unsent. */
  async finish(cancelled: boolean): Promise<NotionError | undefined> {
    if (cancelled) this.pending = [];
    while (this.inFlight) await this.inFlight;
    return this.failed;
  }

  private next(): void {
    if (this.inFlight || this.failed || this.pending.length === 0 || this.signal.aborted) return;
    const batch = this.takeBatch();
    const first = !this.sentAny;
    this.sentAny = true;
    this.inFlight = this.write(batch.join('\n\n'), first).then(
      () => this.written(batch.length),
      (error: unknown) => {
        this.failed = toNotionError(error);
        this.pending = [];
      },
    ).finally(() => {
      this.inFlight = undefined;
      this.next();
    });
  }

  private takeBatch(): string[] {
    let size = 0;
    let count = 0;
    while (count < this.pending.length && count < MAX_BLOCKS_PER_WRITE) {
      const next = this.pending[count].length + 2;
      if (count > 0 && size + next > MAX_CHARS_PER_WRITE) break;
      size += next;
      count++;
    }
    return this.pending.splice(0, count);
  }
}

/**
 * Keeps a record's two counts in step: the markdown pieces written (where a retry resumes) and the Notion
 * blocks they make (what the user is told).
 */
class NotionBlockTally {
  private readonly perPiece: number[];

  /** `pieces`: the record's pieces so far (none for a new generation). */
  constructor(private readonly record: GenerationRecord, pieces: readonly string[]) {
    this.perPiece = pieces.map(countNotionBlocks);
    record.blocks = pieces.length;
    record.notionBlocks = sum(this.perPiece);
    record.writtenNotionBlocks = sum(this.perPiece.slice(0, record.writtenBlocks));
  }

  generated(pieces: readonly string[]): void {
    const added = pieces.map(countNotionBlocks);
    this.perPiece.push(...added);
    this.record.blocks += pieces.length;
    this.record.notionBlocks = (this.record.notionBlocks ?? 0) + sum(added);
  }

  written(count: number): void {
    const from = this.record.writtenBlocks;
    this.record.writtenBlocks += count;
    this.record.writtenNotionBlocks = (this.record.writtenNotionBlocks ?? 0) + sum(this.perPiece.slice(from, from + count));
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
