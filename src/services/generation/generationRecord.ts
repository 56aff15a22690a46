import { randomUUID } from 'node:crypto';
import * as v from 'valibot';
import type { EngineKind, TokenUsage } from '../engines/engine';
import { ENGINE_LABELS } from '../engines/engineLoader';
import { count, type StoredFormat } from '../storage/storedEntry';

import { WRITE_MODES, type WriteMode } from './writeMode';

export { WRITE_MODES, type WriteMode, type WritePlan } from './writeMode';

export type GenerationStatus =
  | 'generating'
  | 'written' // everything generated is in Notion
  | 'writeFailed' // generated, not (fully) written: can be written again without generating
  | 'cancelled'
  | 'failed' // the engine failed
  | 'interrupted'; // VS Code stopped mid-run (a reload, a crash): the text and ids so far are kept

/** Everything about one generation, kept before anything is written so no generated text is lost. */
export interface GenerationRecord {
  readonly id: string;
  readonly createdAt: string;
  /** The connection it was generated for. */
  readonly connectionId?: string;
  readonly page: { readonly id: string; readonly title: string; readonly url: string };
  readonly prompt: string;
  readonly engine: EngineKind;
  readonly model: string;
  readonly mode: WriteMode;
  readonly status: GenerationStatus;
  /** The full generated markdown (so far, while generating). */
  readonly markdown: string;
  /** Top-level Notion blocks generated so far (a 3-item list is 3): what a person counts in the page. */
  readonly blocks: number;
  /** How many of them are fully in Notion, their children included; a retry writes from there. */
  readonly writtenBlocks: number;
  /**
   * The ids of the top-level blocks Visen created, in order: Undo deletes exactly these. Past
   * `writtenBlocks` they exist but their children may not all have landed.
   */
  readonly blockIds?: readonly string[];
  /**
   * Where the text goes when not at the end of the page: right after the block `after` (the start of the page
   * when absent), in front of `before`, the block that followed there when the run began (never one of Visen's).
   * Each next write goes after the last block written, so a retry carries on in place.
   */
  readonly anchor?: { readonly after?: string; readonly before?: string };
  /** The last append's outcome is unknown: this many blocks may have landed after `blockIds`. */
  readonly uncertainBlocks?: number;
  /**
   * What proves which blocks are Visen's: the content hash of each block it wrote, by id (Undo tells an edit by
   * it); appending at the end, the page's last block before the first write (`null`: the page was empty), right
   * after which the first blocks went; when the last top-level append left (blocks found after a lost answer
   * were created then or later).
   */
  readonly proof?: { readonly hashes: Readonly<Record<string, string>>; readonly pageEnd?: string | null; readonly sentAt?: string };
  /** Replace: the page's earlier top-level blocks, and how many of them Visen moved to the trash (Undo restores them). */
  readonly previous?: { readonly ids: readonly string[]; readonly trashed: number };
  readonly usage?: TokenUsage;
  /** The model stopped at its output limit: the page holds what it wrote, the rest was never generated. */
  readonly stoppedAtLimit?: { readonly outputTokens?: number };
  readonly error?: string;
  readonly timings: {
    readonly firstTokenMs?: number;
    readonly firstWriteMs?: number;
    readonly generationMs?: number;
    readonly totalMs?: number;
  };
  readonly undoneAt?: string;
  /** Written by a Visen that kept a copy of the page instead of the ids it wrote: not exactly undoable. */
  readonly legacy?: boolean;
}

/** What changes in a record: any of its fields but those that name it. */
export type RecordPatch = Partial<
  Omit<GenerationRecord, 'id' | 'createdAt' | 'page' | 'prompt' | 'engine' | 'model' | 'mode' | 'connectionId'>
>;

/** A new run's record, before anything is generated or written. */
export function newRecord(
  run: {
    readonly connectionId?: string;
    readonly page: { readonly id: string; readonly title: string; readonly url: string };
    readonly prompt: string;
    readonly engine: EngineKind;
    readonly model: string;
    readonly mode: WriteMode;
  },
  fields: RecordPatch = {},
): GenerationRecord {
  return {
    id: randomUUID(),
    createdAt: new Date().toISOString(),
    connectionId: run.connectionId,
    page: { id: run.page.id, title: run.page.title, url: run.page.url },
    prompt: run.prompt,
    engine: run.engine,
    model: run.model,
    mode: run.mode,
    status: 'generating',
    markdown: '',
    blocks: 0,
    writtenBlocks: 0,
    blockIds: [],
    timings: {},
    ...fields,
  };
}

/** What to tell a person about a record's blocks. */
export function blockCounts(record: GenerationRecord): { readonly written: number; readonly total: number } {
  return { written: record.writtenBlocks, total: record.blocks };
}

/**
 * Whether the record may go without losing anything: everything it generated is in Notion (or was taken
 * back by Undo, or there was nothing to write). Runs that are going on, were interrupted, failed to write,
 * or were cancelled or failed with text not in Notion are never dropped automatically.
 */
export function isSafelyInNotion(record: GenerationRecord): boolean {
  if (record.undoneAt) return true;
  switch (record.status) {
    case 'written':
      return true;
    case 'cancelled':
      return record.writtenBlocks >= record.blocks && (record.blocks > 0 || record.markdown.trim() === '');
    case 'failed':
      return record.markdown.trim() === '';
    default:
      return false;
  }
}

const nonNegative = v.pipe(v.number(), v.minValue(0));

/** A stored generation record, field for field (the type check below keeps the two in step). */
const GenerationRecordSchema = v.object({
  id: v.pipe(v.string(), v.minLength(1)),
  createdAt: v.pipe(v.string(), v.isoTimestamp()),
  connectionId: v.optional(v.string()),
  page: v.object({ id: v.pipe(v.string(), v.minLength(1)), title: v.string(), url: v.string() }),
  prompt: v.string(),
  engine: v.picklist(Object.keys(ENGINE_LABELS) as EngineKind[]),
  model: v.string(),
  mode: v.picklist(WRITE_MODES),
  status: v.picklist([
    'generating',
    'written',
    'writeFailed',
    'cancelled',
    'failed',
    'interrupted',
  ] as const satisfies readonly GenerationStatus[]),
  markdown: v.string(),
  blocks: count,
  writtenBlocks: count,
  blockIds: v.optional(v.pipe(v.array(v.string()), v.readonly())),
  anchor: v.optional(v.object({ after: v.optional(v.string()), before: v.optional(v.string()) })),
  uncertainBlocks: v.optional(count),
  proof: v.optional(
    v.pipe(
      v.object({
        hashes: v.pipe(v.record(v.string(), v.string()), v.readonly()),
        pageEnd: v.optional(v.nullable(v.string())),
        sentAt: v.optional(v.pipe(v.string(), v.isoTimestamp())),
      }),
      v.readonly(),
    ),
  ),
  previous: v.optional(v.object({ ids: v.pipe(v.array(v.string()), v.readonly()), trashed: count })),
  usage: v.optional(v.object({ inputTokens: count, outputTokens: count })),
  stoppedAtLimit: v.optional(v.object({ outputTokens: v.optional(count) })),
  error: v.optional(v.string()),
  timings: v.object({
    firstTokenMs: v.optional(nonNegative),
    firstWriteMs: v.optional(nonNegative),
    generationMs: v.optional(nonNegative),
    totalMs: v.optional(nonNegative),
  }),
  undoneAt: v.optional(v.string()),
  legacy: v.optional(v.boolean()),
});

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// Fails to compile when a field is added to one and not the other, or their types part.
const schemaMirrorsRecord: Same<v.InferOutput<typeof GenerationRecordSchema>, GenerationRecord> &
  Same<keyof v.InferOutput<typeof GenerationRecordSchema>, keyof GenerationRecord> = true;
void schemaMirrorsRecord;
const statusesAreAll: Same<v.InferOutput<typeof GenerationRecordSchema>['status'], GenerationStatus> = true;
void statusesAreAll;

/**
 * Version 1: records as they were stored before versions (some from before Visen wrote blocks, with a
 * markdown copy of the whole page); version 2: blocks and ids only.
 */
export const GENERATION_RECORD_FORMAT: StoredFormat<GenerationRecord> = {
  version: 2,
  migrations: { 1: fromPageCopies },
  schema: GenerationRecordSchema,
};

/**
 * Records from before Visen wrote blocks kept a markdown copy of the whole page for undo and counted
 * markdown pieces: the copy goes (it made stored state grow without bound), the counts become blocks.
 */
function fromPageCopies(record: Record<string, unknown>): Record<string, unknown> {
  if (record.snapshot === undefined && record.notionBlocks === undefined) return record;
  const { snapshot: _snapshot, notionBlocks, writtenNotionBlocks, ...rest } = record;
  return {
    ...rest,
    blocks: notionBlocks ?? rest.blocks,
    writtenBlocks: writtenNotionBlocks ?? rest.writtenBlocks,
    legacy: rest.blockIds === undefined ? true : rest.legacy,
  };
}
