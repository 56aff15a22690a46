import * as l10n from '@vscode/l10n';
import { Engine, EngineError, readStream, type StreamEnd } from '../engines/engine';
import type { Logger } from '../logger';
import type { BlockNode } from '../notion/blockTree';
import type { BlockWriter } from '../notion/blockWriter';
import { NotionError, toNotionError } from '../notion/notionErrors';
import { fillPage, mentionsPage } from '../notion/pageMarkdown';
import { formatCount } from '../notion/notionUrl';
import type { NotionPageRef } from '../notion/notionPages';
import { type GenerationRecord, type GenerationStatus, newRecord, type RecordPatch, type WritePlan } from './generationRecord';
import { GenerationStore } from './generationStore';
import { MarkdownChunker, splitMarkdownBlocks } from './markdownChunker';
import { type LostPlace, PageEditor } from './pageEditor';
import { PageLocks } from './pageLocks';
import { WritePump } from './writePump';
import { ENGINE_DEADLINES, Watchdog } from './watchdog';
import { MAX_PROMPT_LENGTH } from './prompt';

/** Model markdown (one complete chunk, or a whole answer) to Notion block trees. */
export type MarkdownConverter = (markdown: string) => BlockNode[];

export interface GenerationProgress {
  /** `waiting`: another run is writing into the same page; this one starts when it ends. */
  readonly phase: 'waiting' | 'starting' | 'generating' | 'writing';
  readonly generatedChars: number;
  /** Top-level Notion blocks (a 3-item list is 3) generated so far, and how many of them are in the page. */
  readonly blocks: number;
  readonly writtenBlocks: number;
}

export interface GenerateRequest {
  readonly page: NotionPageRef;
  readonly connectionId?: string;
  readonly prompt: string;
  /** Where the text goes: chosen once, before the run, and handed to the writer as it is. */
  readonly plan: WritePlan;
  readonly engine: Engine;
  readonly model: string;
  readonly instructions?: string;
  readonly signal: AbortSignal;
  readonly onProgress?: (progress: GenerationProgress) => void;
  /** Each piece of text as the model writes it. */
  readonly onText?: (text: string) => void;
  /** Reads the page's current content for `{{page}}` in the prompt, before anything is written to it. */
  readonly pageContent?: (signal: AbortSignal) => Promise<string>;
  /** Asked with the size of the page's content before it goes with the prompt; false: nothing is sent. */
  readonly confirmPage?: (chars: number) => Promise<boolean>;
}

export interface GenerationOutcome {
  readonly record: GenerationRecord;
  /** Why the generation did not end with everything written. */
  readonly error?: EngineError | NotionError;
}

/** While the model streams, the record (with the text so far) is saved at least this often, and at every write. */
const SAVE_INTERVAL_MS = 2000;

/** What a run has generated so far: kept here while the model streams, and saved into the record as it goes. */
interface Answer {
  markdown: string;
  blocks: number;
  firstTokenMs?: number;
  firstWriteMs?: number;
  end?: StreamEnd;
}

const cancelled = () => new EngineError('cancelled', l10n.t('Generation cancelled.'));

/**
 * Streams a generation into a page: engine → chunker (complete markdown blocks) → converter (Notion block
 * trees) → block writer. The record is saved before the first write and at every write, and keeps the
 * whole markdown and the id of every block written, whatever fails. It changes only through the store.
 */
export class Generator {
  constructor(
    private readonly writer: BlockWriter,
    private readonly convert: MarkdownConverter,
    private readonly store: GenerationStore,
    private readonly logger: Logger,
    private readonly locks = new PageLocks(),
    private readonly deadlines = ENGINE_DEADLINES,
  ) {}

  async run(request: GenerateRequest): Promise<GenerationOutcome> {
    let release: () => void;
    try {
      release = await this.locks.acquire(request.page.id, request.signal, () =>
        request.onProgress?.({ phase: 'waiting', generatedChars: 0, blocks: 0, writtenBlocks: 0 }),
      );
    } catch {
      return this.cancelledBeforeStart(request);
    }
    try {
      return await this.runLocked(request);
    } finally {
      release();
    }
  }

  private async runLocked(request: GenerateRequest): Promise<GenerationOutcome> {
    const started = Date.now();
    const { plan } = request;
    const anchor = plan.mode === 'afterHeading' && plan.afterBlock ? { after: plan.afterBlock } : undefined;
    const { id } = await this.save(newRecord({ ...request, engine: request.engine.kind, mode: plan.mode }, { anchor }));
    const answer: Answer = { markdown: '', blocks: 0 };
    const report = (phase: GenerationProgress['phase']) =>
      request.onProgress?.({
        phase,
        generatedChars: answer.markdown.length,
        blocks: answer.blocks,
        writtenBlocks: this.store.get(id)?.writtenBlocks ?? 0,
      });
    report('starting');
    // The record keeps the prompt as typed; the engine reads it with the page as it is now, before a replace clears it.
    let prompt: string;
    try {
      prompt = await this.withPage(request);
    } catch (error) {
      return this.endedBeforeWriting(
        id,
        started,
        request.signal.aborted ? cancelled() : error instanceof EngineError ? error : toNotionError(error),
      );
    }

    const editor = new PageEditor(this.writer, this.store.get(id)!, this.store);
    // A replace lists the page's blocks while the model starts thinking (its text takes their place); they go
    // to the trash as the new ones arrive. Text after a heading looks at what follows the heading now.
    const clearing =
      plan.mode === 'replace'
        ? plan.replacing
          ? editor.usePrevious(plan.replacing, request.signal)
          : editor.listPrevious(request.signal)
        : anchor
          ? editor.placeAnchor(request.signal)
          : editor.notePageEnd(request.signal);
    clearing.catch(() => undefined);
    const pump = new WritePump(async (nodes) => {
      await clearing;
      await editor.append(nodes, request.signal, { markdown: answer.markdown, blocks: answer.blocks });
      answer.firstWriteMs ??= Date.now() - started;
      report('writing');
    }, request.signal);
    const trashing = plan.mode === 'replace' ? clearing.then(() => editor.trashPrevious(request.signal)) : Promise.resolve();
    trashing.catch(() => undefined);

    const engineError = await this.streamAnswer(request, prompt, id, answer, started, pump, report);
    // The full text is safe before the last writes go out.
    await this.store.update(id, (r) => ({
      ...answerPatch(answer, r),
      timings: { ...r.timings, ...answerTimings(answer), generationMs: Date.now() - started },
    }));
    const writeError = (await pump.finish(engineError?.kind === 'cancelled')) ?? (await settle(trashing)) ?? (await settle(clearing));
    return this.finishRun(id, started, request.signal, engineError, writeError, answer);
  }

  /** Streams the model's answer into `answer` and the pump; resolves to why it stopped short, if it did. */
  private async streamAnswer(
    request: GenerateRequest,
    prompt: string,
    id: string,
    answer: Answer,
    started: number,
    pump: WritePump,
    report: (phase: GenerationProgress['phase']) => void,
  ): Promise<EngineError | undefined> {
    const chunker = new MarkdownChunker();
    const accept = (pieces: string[]) => {
      const nodes = pieces.flatMap(this.convert);
      if (nodes.length === 0) return;
      answer.blocks += nodes.length;
      pump.push(nodes);
    };
    const watchdog = new Watchdog(request.signal, this.deadlines);
    let lastSave = Date.now();
    try {
      answer.end = await readStream(
        request.engine.stream({ model: request.model, prompt, instructions: request.instructions }, watchdog.signal),
        (text) => {
          watchdog.heard();
          answer.firstTokenMs ??= Date.now() - started;
          answer.markdown += text;
          request.onText?.(text);
          accept(chunker.push(text));
          report('generating');
          if (Date.now() - lastSave < SAVE_INTERVAL_MS) return;
          lastSave = Date.now();
          void this.store.update(id, { markdown: answer.markdown, blocks: answer.blocks });
        },
      );
      if (answer.markdown.trim() === '')
        throw new EngineError(
          'empty',
          l10n.t('The model returned no text, so nothing was written. Try the prompt again, rephrased, or choose another model.'),
        );
      accept(chunker.end());
      return undefined;
    } catch (error) {
      // A cut answer's last block may be half-written: only the blocks the model finished are written.
      // The empty answer has none, and a cancel stops writing altogether.
      return (
        watchdog.expired ??
        (error instanceof EngineError ? error : new EngineError('unknown', error instanceof Error ? error.message : String(error)))
      );
    } finally {
      watchdog.dispose();
    }
  }

  /** The run's end: its status, its error and its timings, saved and logged. */
  private async finishRun(
    id: string,
    started: number,
    signal: AbortSignal,
    engineError: EngineError | undefined,
    writeError: NotionError | undefined,
    answer: Answer,
  ): Promise<GenerationOutcome> {
    let error: EngineError | NotionError | undefined = engineError ?? writeError;
    let status: GenerationStatus;
    if (signal.aborted) {
      status = 'cancelled';
      error = engineError?.kind === 'cancelled' ? engineError : cancelled();
    } else if (engineError) {
      status = engineError.kind === 'cancelled' ? 'cancelled' : 'failed';
    } else if (writeError) {
      status = 'writeFailed';
    } else {
      status = 'written';
    }
    const record = await this.store.update(id, (r) => ({
      status,
      error: error?.message,
      timings: { ...r.timings, firstWriteMs: answer.firstWriteMs, totalMs: Date.now() - started },
    }));
    this.logger.info(
      `Generation ${record.id}: ${record.status}, ${record.blocks} blocks (${record.writtenBlocks} written), ` +
        `${record.markdown.length} chars, ${record.engine}/${record.model}, first token ${record.timings.firstTokenMs ?? '-'} ms, ` +
        `first write ${record.timings.firstWriteMs ?? '-'} ms, total ${record.timings.totalMs} ms` +
        (record.usage ? `, tokens ${record.usage.inputTokens} in / ${record.usage.outputTokens} out` : ''),
    );
    if (error) this.logger.warn(`Generation ${record.id}: ${error.message}`);
    return { record, error };
  }

  /** The prompt the engine reads: `{{page}}` filled with the page's content (read once, whatever the count). */
  private async withPage(request: GenerateRequest): Promise<string> {
    if (!request.pageContent || !mentionsPage(request.prompt)) return request.prompt;
    const content = await request.pageContent(request.signal);
    if (request.confirmPage && !(await request.confirmPage(content.length))) {
      throw new EngineError(
        'cancelled',
        l10n.t('Nothing was sent: the content of "{0}" for {{page}} was not agreed to.', request.page.title),
      );
    }
    const prompt = fillPage(request.prompt, content);
    if (prompt.length > MAX_PROMPT_LENGTH) {
      throw new EngineError(
        'badRequest',
        l10n.t(
          'With the content of "{0}" in place of {{page}}, the prompt is too long ({1} characters; at most {2}). Shorten the page, or copy the part that matters into the prompt.',
          request.page.title,
          formatCount(prompt.length),
          formatCount(MAX_PROMPT_LENGTH),
        ),
      );
    }
    return prompt;
  }

  private async save(record: GenerationRecord): Promise<GenerationRecord> {
    await this.store.save(record);
    return record;
  }

  /** A run that stopped before the engine was asked (the page could not be read): nothing generated or written. */
  private async endedBeforeWriting(id: string, started: number, error: EngineError | NotionError): Promise<GenerationOutcome> {
    const status = error instanceof EngineError && error.kind === 'cancelled' ? 'cancelled' : 'failed';
    const record = await this.store.update(id, { status, error: error.message, timings: { totalMs: Date.now() - started } });
    this.logger.warn(`Generation ${record.id}: ${record.status} before the engine was asked: ${error.message}`);
    return { record, error };
  }

  /** A run cancelled while it waited for another run into the same page: nothing was generated or written. */
  private async cancelledBeforeStart(request: GenerateRequest): Promise<GenerationOutcome> {
    const record = await this.save(
      newRecord({ ...request, engine: request.engine.kind, mode: request.plan.mode }, { status: 'cancelled' }),
    );
    return {
      record,
      error: new EngineError('cancelled', l10n.t('Cancelled while waiting for the run into "{0}" to finish.', request.page.title)),
    };
  }

  /**
   * Writes what a failed or cancelled write left out, from the record alone: no second generation. A write
   * whose outcome was unknown is looked for in the page first, and blocks whose children did not all land
   * are taken out and written again, so every block ends up in the page exactly once. When the run's last
   * block is gone from the page, the text carries on after the last one still there (see PageEditor.findPlace).
   */
  async retryWrite(
    recordId: string,
    signal: AbortSignal,
    onWait?: () => void,
    placeLost?: () => Promise<LostPlace | undefined>,
  ): Promise<GenerationOutcome> {
    const record = this.store.get(recordId);
    if (!record) throw new Error(l10n.t('This generation is no longer in the history.'));
    const release = await this.locks.acquire(record.page.id, signal, onWait);
    try {
      return await this.retryLocked(record, signal, placeLost);
    } finally {
      release();
    }
  }

  private async retryLocked(
    record: GenerationRecord,
    signal: AbortSignal,
    placeLost?: () => Promise<LostPlace | undefined>,
  ): Promise<GenerationOutcome> {
    if (record.legacy)
      throw new Error(
        l10n.t(
          'This generation was written by an earlier version of Visen and cannot be resumed. Its text is in the history: open it and copy what is missing.',
        ),
      );
    // The blocks the model finished: a run cut short (cancelled, interrupted) keeps its text to the last
    // character, but its last block may be half-written, and the run itself never wrote that one.
    const nodes = convertAll(record.markdown, this.convert).slice(0, record.blocks);
    await this.store.update(record.id, { blocks: nodes.length, blockIds: record.blockIds ?? [] });
    const editor = new PageEditor(this.writer, record, this.store);
    try {
      await editor.settleUncertain(nodes, signal);
      await editor.dropIncomplete(signal);
      if (record.mode === 'replace') {
        if (!record.previous) await editor.listPrevious(signal);
        await editor.trashPrevious(signal);
      }
      await editor.findPlace(signal, placeLost);
      if (record.mode !== 'replace') await editor.placeAnchor(signal);
      const placed = this.store.get(record.id)!;
      // Appending at the end with nothing written yet: the page's last block is where the first batch goes.
      if (placed.mode === 'append' && !placed.anchor && !placed.blockIds?.length) await editor.notePageEnd(signal);
      await editor.append(nodes.slice(this.store.get(record.id)!.writtenBlocks), signal);
    } catch (error) {
      const problem = toNotionError(error);
      return { record: await this.store.update(record.id, { status: 'writeFailed', error: problem.message }), error: problem };
    }
    return { record: await this.store.update(record.id, { status: 'written', error: undefined }) };
  }
}

/** The answer so far as record fields: the text (with Windows line ends made plain once it is whole), and how the model ended. */
function answerPatch(answer: Answer, record: GenerationRecord): RecordPatch {
  const ending = answer.end?.ending;
  return {
    markdown: answer.markdown.replace(/\r\n/g, '\n'),
    blocks: answer.blocks,
    usage: record.usage ?? answer.end?.usage,
    stoppedAtLimit: ending?.reason === 'length' ? { outputTokens: ending.outputTokens ?? answer.end?.usage?.outputTokens } : undefined,
  };
}

function answerTimings(answer: Answer): GenerationRecord['timings'] {
  return { firstTokenMs: answer.firstTokenMs, firstWriteMs: answer.firstWriteMs };
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
