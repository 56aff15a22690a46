import { randomUUID } from 'node:crypto';
import * as l10n from '@vscode/l10n';
import { Engine, EngineError } from '../engines/engine';
import type { Logger } from '../logger';
import type { BlockNode } from '../notion/blockTree';
import type { BlockWriter } from '../notion/blockWriter';
import { NotionError, toNotionError } from '../notion/notionErrors';
import type { NotionPageRef } from '../notion/notionPages';
import { GenerationRecord, GenerationStore, WriteMode } from './generationRecord';
import { MarkdownChunker, splitMarkdownBlocks } from './markdownChunker';
import { PageEditor } from './pageEditor';

/** Model markdown (one complete chunk, or a whole answer) to Notion block trees. */
export type MarkdownConverter = (markdown: string) => BlockNode[];

export interface GenerationProgress {
  readonly phase: 'starting' | 'generating' | 'writing';
  readonly generatedChars: number;
  /** Top-level Notion blocks (a 3-item list is 3) generated so far, and how many of them are in the page. */
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

/**
 * While the model writes, blocks gather for at least this long between appends, so a generation costs
 * about one request a second (plus what its size needs) and a pacing slot is free when the last block
 * arrives. The first blocks go out at once.
 */
export const FLUSH_INTERVAL_MS = 1000;

/**
 * Streams a generation into a page: engine → chunker (complete markdown blocks) → converter (Notion block
 * trees) → block writer. The record is saved before the first write and at every write, and keeps the
 * whole markdown and the id of every block written, whatever fails.
 */
export class Generator {
  constructor(
    private readonly writer: BlockWriter,
    private readonly convert: MarkdownConverter,
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
      blockIds: [],
      timings: {},
    };
    await this.store.save(record);
    const report = (phase: GenerationProgress['phase']) =>
      request.onProgress?.({ phase, generatedChars: record.markdown.length, blocks: record.blocks, writtenBlocks: record.writtenBlocks });
    report('starting');

    const editor = new PageEditor(this.writer, record, this.store);
    // A replace lists the page's blocks while the model starts thinking; they go to the trash as the new ones arrive.
    const clearing = request.mode === 'replace' ? editor.listPrevious() : Promise.resolve();
    clearing.catch(() => undefined);
    const pump = new WritePump(async (nodes) => {
      await clearing;
      await editor.append(nodes, request.signal);
      record.timings.firstWriteMs ??= Date.now() - started;
      report('writing');
    }, request.signal);
    const trashing = request.mode === 'replace' ? clearing.then(() => editor.trashPrevious(request.signal)) : Promise.resolve();
    trashing.catch(() => undefined);

    const chunker = new MarkdownChunker();
    const accept = (pieces: string[]) => {
      const nodes = pieces.flatMap(this.convert);
      if (nodes.length === 0) return;
      record.blocks += nodes.length;
      pump.push(nodes);
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

    const writeError = (await pump.finish(engineError?.kind === 'cancelled')) ?? (await settle(trashing)) ?? (await settle(clearing));
    record.timings.totalMs = Date.now() - started;
    let error: EngineError | NotionError | undefined = engineError ?? writeError;
    if (engineError) {
      record.status = engineError.kind === 'cancelled' ? 'cancelled' : 'failed';
    } else if (writeError) {
      record.status = 'writeFailed';
      error = writeError;
    } else {
      record.status = 'written';
    }
    record.error = error?.message;
    await this.store.save(record);
    this.logger.info(
      `Generation ${record.id}: ${record.status}, ${record.blocks} blocks (${record.writtenBlocks} written), ` +
        `${record.markdown.length} chars, ${record.engine}/${record.model}, first token ${record.timings.firstTokenMs ?? '-'} ms, ` +
        `first write ${record.timings.firstWriteMs ?? '-'} ms, total ${record.timings.totalMs} ms` +
        (record.usage ? `, tokens ${record.usage.inputTokens} in / ${record.usage.outputTokens} out` : ''),
    );
    if (error) this.logger.warn(`Generation ${record.id}: ${error.message}`);
    return { record, error };
  }

  /**
   * Writes what a failed or cancelled write left out, from the record alone: no second generation. A write
   * whose outcome was unknown is looked for in the page first, and blocks whose children did not all land
   * are taken out and written again, so every block ends up in the page exactly once.
   */
  async retryWrite(recordId: string, signal: AbortSignal): Promise<GenerationOutcome> {
    const record = this.store.get(recordId);
    if (!record) throw new Error(l10n.t('This generation is no longer in the history.'));
    if (record.legacy) throw new Error(l10n.t('This generation was written by an earlier version of Visen and cannot be resumed. Its text is in the history: open it and copy what is missing.'));
    const nodes = convertAll(record.markdown, this.convert);
    record.blocks = nodes.length;
    record.blockIds ??= [];
    const editor = new PageEditor(this.writer, record, this.store);
    try {
      await editor.settleUncertain(nodes);
      await editor.dropIncomplete(signal);
      if (record.mode === 'replace') {
        if (!record.previous) await editor.listPrevious();
        await editor.trashPrevious(signal);
      }
      await editor.append(nodes.slice(record.writtenBlocks), signal);
      record.status = 'written';
      record.error = undefined;
    } catch (error) {
      const problem = toNotionError(error);
      record.status = 'writeFailed';
      record.error = problem.message;
      await this.store.save(record);
      return { record, error: problem };
    }
    await this.store.save(record);
    return { record };
  }
}

/** The blocks of a whole answer, exactly as streaming it wrote them: chunk by chunk. */
export function convertAll(markdown: string, convert: MarkdownConverter): BlockNode[] {
  return splitMarkdownBlocks(markdown).flatMap(convert);
}

async function settle(work: Promise<unknown>): Promise<NotionError | undefined> {
  try {
    await work;
    return undefined;
  } catch (error) {
    return toNotionError(error);
  }
}

/**
 * Sends blocks in order, one append at a time. The first blocks go at once; after that, blocks gather for
 * FLUSH_INTERVAL_MS between appends unless a request's worth (100) is waiting or the stream has ended.
 */
class WritePump {
  private pending: BlockNode[] = [];
  private inFlight: Promise<void> | undefined;
  private failed: NotionError | undefined;
  private lastStart = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ending = false;

  constructor(
    private readonly write: (nodes: BlockNode[]) => Promise<void>,
    private readonly signal: AbortSignal,
  ) {}

  push(nodes: BlockNode[]): void {
    this.pending.push(...nodes);
    this.next();
  }

  /** Sends what is left at once and waits for it; on cancel, what has not been sent stays unsent. */
  async finish(cancelled: boolean): Promise<NotionError | undefined> {
    if (cancelled) this.pending = [];
    this.ending = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.next();
    while (this.inFlight) await this.inFlight;
    return this.failed;
  }

  private next(): void {
    if (this.inFlight || this.failed || this.pending.length === 0 || this.signal.aborted) return;
    const wait = this.lastStart === 0 || this.ending || this.pending.length >= 100 ? 0 : this.lastStart + FLUSH_INTERVAL_MS - Date.now();
    if (wait > 0) {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.next();
      }, wait);
      return;
    }
    const batch = this.pending;
    this.pending = [];
    this.lastStart = Date.now();
    this.inFlight = this.write(batch).then(
      () => undefined,
      (error: unknown) => {
        this.failed = toNotionError(error);
        this.pending = [];
      },
    ).finally(() => {
      this.inFlight = undefined;
      this.next();
    });
  }
}
