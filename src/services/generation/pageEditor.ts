import type { BlockObjectResponse } from '@notionhq/client';
import * as l10n from '@vscode/l10n';
import type { BlockNode } from '../notion/blockTree';
import { hashOfNode } from '../notion/authorship';
import { travelsWhole } from '../notion/blockRequests';
import type { BlockWriter } from '../notion/blockWriter';
import { NotionError, toNotionError } from '../notion/notionErrors';
import type { GenerationRecord, RecordPatch } from './generationRecord';
import type { GenerationStore } from './generationStore';

/** Where a retry whose place is gone goes, as the person chose: right after a block of the page, or at its end. */
export type LostPlace = 'end' | { readonly after: string };

/** Blocks that a replace never moves: they are pages and databases of their own. */
const KEPT_TYPES = new Set(['child_page', 'child_database']);

/** What Undo will take back, read from the page just before. */
export interface UndoPlan {
  /** Blocks Visen wrote that are still in the page. */
  readonly present: number;
  /** Of those, the ones a person (or another integration) edited since. */
  readonly edited: number;
  /** Blocks a replace moved to the trash, which Undo brings back. */
  readonly toRestore: number;
  readonly editedIds: readonly string[];
  readonly presentIds: readonly string[];
}

export interface UndoProgress {
  readonly done: number;
  readonly total: number;
}

/**
 * The changes one generation makes to its page, and taking them back, all by block id: what it appends
 * (recorded as it lands), the earlier blocks a replace moves to the trash, and an undo that deletes exactly
 * what Visen wrote and restores exactly what it trashed. Every step is saved in the record as it happens,
 * so an interrupted write or undo resumes where it stopped.
 * The record is read from the store and changed only through `store.update`.
 */
export class PageEditor {
  private readonly id: string;
  /** Where the next write goes when the run's last block is gone from the page (see `findPlace`). */
  private resumeAt: { readonly after?: string } | 'end' | undefined;

  constructor(
    private readonly writer: BlockWriter,
    record: GenerationRecord,
    private readonly store: GenerationStore,
  ) {
    this.id = record.id;
  }

  private get record(): GenerationRecord {
    const record = this.store.get(this.id);
    if (!record) throw new Error(l10n.t('This generation is no longer in the history.'));
    return record;
  }

  private get ids(): readonly string[] {
    return this.record.blockIds ?? [];
  }

  private update(patch: RecordPatch | ((record: GenerationRecord) => RecordPatch)): Promise<GenerationRecord> {
    return this.store.update(this.id, patch);
  }

  private get pageId(): string {
    return this.record.page.id;
  }

  /**
   * Where the next blocks go: after the last one written, in place when the record has an anchor (at
   * first right after it), else at the end of the page.
   */
  private get place(): { after?: string; inPlace?: { existing: string[] }; start?: string | null } {
    const anchor = this.record.anchor;
    const last = this.ids[this.ids.length - 1];
    if (!anchor || this.resumeAt === 'end') return { after: last, start: this.record.proof?.pageEnd };
    const existing = [...(anchor.before ? [anchor.before] : []), ...(this.record.previous?.ids ?? [])];
    return { after: this.resumeAt ? this.resumeAt.after : (last ?? anchor.after), inPlace: { existing } };
  }

  /**
   * Writes in place from now on: right after `after` (the start of the page when absent), in front of
   * `before`. Only before anything is written: an anchor never moves once text has landed by it.
   */
  async anchorAt(after: string | undefined, before: string | undefined): Promise<void> {
    if (this.ids.length > 0 || this.record.anchor) return;
    await this.update({ anchor: { after, before } });
  }

  /**
   * Checks that the anchor is still in the page and notes the block that follows it now (never Visen's), so a
   * write whose outcome is unknown can tell whether it landed.
   */
  async placeAnchor(signal?: AbortSignal): Promise<void> {
    const anchor = this.record.anchor;
    if (!anchor?.after || this.ids.length > 0 || this.resumeAt === 'end') return;
    const blocks = await this.writer.children(this.pageId, signal);
    const at = blocks.findIndex((b) => b.id === anchor.after);
    if (at < 0) {
      throw new NotionError(
        'validation',
        l10n.t(
          'The heading to write after is no longer in "{0}". The generated text is kept in the history: generate again and choose another heading, or copy it from there.',
          this.record.page.title,
        ),
      );
    }
    await this.update({ anchor: { after: anchor.after, before: blocks[at + 1]?.id } });
  }

  /**
   * Appending at the end, before the first write: notes the page's last block, right after which the first
   * blocks go, so that blocks found after a lost answer are taken for Visen's only when they are there.
   */
  async notePageEnd(signal?: AbortSignal): Promise<void> {
    if (this.ids.length > 0 || this.record.anchor) return;
    const blocks = await this.writer.children(this.pageId, signal);
    const pageEnd = blocks[blocks.length - 1]?.id ?? null;
    await this.update((r) => ({ proof: { ...proofOf(r), pageEnd } }));
  }

  /**
   * Before a retry writes in place: when the run's last block is gone from the page (a person deleted it),
   * the text carries on after the last of the run's blocks still there, else after the chosen heading, else
   * where `placeLost` says (after a block of the page, at its end, or nowhere: then nothing is written).
   * Never stuck.
   */
  async findPlace(signal?: AbortSignal, placeLost?: () => Promise<LostPlace | undefined>): Promise<void> {
    const anchor = this.record.anchor;
    if (!anchor) return;
    const last = this.ids[this.ids.length - 1];
    let blocks = await this.writer.children(this.pageId, signal);
    const present = new Set(blocks.map((b) => b.id));
    if (last !== undefined && present.has(last)) return;
    const kept = [...this.ids].reverse().find((id) => present.has(id));
    if (kept) {
      this.resumeAt = { after: kept };
      return;
    }
    if (!anchor.after || present.has(anchor.after)) {
      this.resumeAt = last === undefined ? undefined : { after: anchor.after };
      return;
    }
    const chosen = await placeLost?.();
    if (chosen === 'end') {
      this.resumeAt = 'end';
      return;
    }
    if (chosen) {
      // Nothing of the run is left by its old place: the one chosen becomes its anchor (the page is read again,
      // as the person may have changed it while choosing).
      blocks = await this.writer.children(this.pageId, signal);
      const at = blocks.findIndex((b) => b.id === chosen.after);
      if (at >= 0) {
        await this.update({ anchor: { after: chosen.after, before: blocks[at + 1]?.id } });
        this.resumeAt = { after: chosen.after };
        return;
      }
    }
    throw new NotionError(
      'validation',
      l10n.t(
        'Neither the blocks this generation wrote nor the heading it went after are in "{0}" any more. The text is kept in the history: retry and choose where it goes, or copy it from there.',
        this.record.page.title,
      ),
    );
  }

  /**
   * Writes the blocks at their place; they count as written once their children have landed too. `saved`
   * goes into the record with the marker that says a write is on its way (the text generated so far).
   */
  async append(nodes: readonly BlockNode[], signal?: AbortSignal, saved: RecordPatch = {}): Promise<void> {
    if (nodes.length === 0) return;
    let uncertain = false;
    try {
      await this.writer.append(this.pageId, nodes, {
        signal,
        ...this.place,
        // Until Notion answers, the blocks on their way may or may not land: a crash before the answer
        // leaves the record saying so, and Retry Write or Undo looks for them first.
        // The marker is stored before the request leaves, with the time it leaves (blocks found after a lost
        // answer were created then or later).
        onSending: async (count) => {
          await this.update((r) => ({ ...saved, uncertainBlocks: count, proof: { ...proofOf(r), sentAt: new Date().toISOString() } }));
        },
        onCreated: (created, written) => {
          // Blocks are written one request after another, children first: all earlier ones are complete.
          this.resumeAt = undefined;
          void this.update((r) => ({
            writtenBlocks: r.blockIds?.length ?? 0,
            blockIds: [...(r.blockIds ?? []), ...created],
            uncertainBlocks: undefined,
            proof: withHashes(
              r,
              created.map((id, i) => [id, hashOfNode(written[i])]),
            ),
          }));
        },
        onUncertain: (count) => {
          uncertain = true;
          void this.update({ uncertainBlocks: count });
        },
      });
      await this.update({ writtenBlocks: this.ids.length });
    } catch (error) {
      // Notion said no (or the request never left): nothing of it landed.
      await this.update(uncertain ? {} : { uncertainBlocks: undefined });
      throw error;
    }
  }

  /**
   * Replace, before the first write: which top-level blocks the page holds now (pages and databases stay).
   * The new text goes where the first of them is.
   */
  async listPrevious(signal?: AbortSignal): Promise<void> {
    const blocks = await this.writer.children(this.pageId, signal);
    await this.update({ previous: { ids: blocks.filter((b) => !KEPT_TYPES.has(b.type)).map((b) => b.id), trashed: 0 } });
    await this.inPlaceOf(blocks);
  }

  /**
   * Replace of exactly these blocks (an earlier generation's, rewritten), whatever else the page holds: the
   * new text goes where the first of them still in the page is (at the end when none is left).
   */
  async usePrevious(ids: readonly string[], signal?: AbortSignal): Promise<void> {
    await this.update({ previous: { ids: [...ids], trashed: 0 } });
    await this.inPlaceOf(await this.writer.children(this.pageId, signal));
  }

  /** Anchors the replace's text right before the first block it replaces, so it takes that block's place. */
  private async inPlaceOf(blocks: readonly BlockObjectResponse[]): Promise<void> {
    const replaced = new Set(this.record.previous?.ids);
    const first = blocks.findIndex((b) => replaced.has(b.id));
    if (first >= 0) await this.anchorAt(blocks[first - 1]?.id, blocks[first].id);
    else if (this.ids.length === 0) {
      // Nothing to take the place of: the text goes at the end, after what the page holds.
      const pageEnd = blocks[blocks.length - 1]?.id ?? null;
      await this.update((r) => ({ proof: { ...proofOf(r), pageEnd } }));
    }
  }

  /** Replace: moves the earlier blocks to the trash, one at a time so the new blocks' writes are never held up for long. */
  async trashPrevious(signal?: AbortSignal): Promise<void> {
    for (let previous = this.record.previous; previous && previous.trashed < previous.ids.length; previous = this.record.previous) {
      signal?.throwIfAborted();
      await ignoreGone(this.writer.trash(previous.ids[previous.trashed], signal));
      await this.update({ previous: { ids: previous.ids, trashed: previous.trashed + 1 } });
    }
  }

  /**
   * After a write whose outcome was never known: looks at its place in the page for the blocks it carried
   * (`nodes` is the whole generation's blocks) and records them if they landed.
   */
  async settleUncertain(nodes: readonly BlockNode[], signal?: AbortSignal): Promise<void> {
    const count = this.record.uncertainBlocks;
    if (!count) return;
    const expected = nodes.slice(this.ids.length, this.ids.length + count);
    const sentAt = this.record.proof?.sentAt ? Date.parse(this.record.proof.sentAt) : undefined;
    const landed = expected.length ? await this.writer.landed(this.pageId, expected, { ...this.place, sentAt, signal }) : [];
    // Found, each was checked with the children it carried: those that carried all of theirs are complete.
    // Whether children sent after their parent landed too is not known: from the first such block on, they
    // count as incomplete and are written again.
    const whole = landed.findIndex((_, i) => !travelsWhole(expected[i]));
    await this.update((r) => ({
      blockIds: [...(r.blockIds ?? []), ...landed],
      writtenBlocks:
        r.writtenBlocks === (r.blockIds?.length ?? 0) ? r.writtenBlocks + (whole < 0 ? landed.length : whole) : r.writtenBlocks,
      uncertainBlocks: undefined,
      proof: withHashes(
        r,
        landed.map((id, i) => [id, hashOfNode(expected[i])]),
      ),
    }));
  }

  /** Takes out blocks whose children did not all land, so a retry writes them again whole. */
  async dropIncomplete(signal?: AbortSignal): Promise<void> {
    while (this.ids.length > this.record.writtenBlocks) {
      signal?.throwIfAborted();
      await ignoreGone(this.writer.trash(this.ids[this.ids.length - 1], signal));
      await this.update((r) => ({ blockIds: (r.blockIds ?? []).slice(0, -1), proof: withHashes(r, [], r.blockIds?.at(-1)) }));
    }
  }

  /** Reads the page once: which of Visen's blocks are still there, and which were edited since. */
  async planUndo(signal?: AbortSignal): Promise<UndoPlan> {
    const listed = new Map<string, BlockObjectResponse>();
    for (const block of await this.writer.children(this.pageId, signal)) listed.set(block.id, block);
    const presentIds = this.ids.filter((id) => listed.has(id));
    const finished = Date.parse(this.record.createdAt) + (this.record.timings.totalMs ?? 0);
    const hashes = this.record.proof?.hashes ?? {};
    const editedIds: string[] = [];
    for (const id of presentIds) {
      const block = listed.get(id)!;
      const written = hashes[id];
      // A block whose children did not all land differs from what was written; it is Visen's unfinished write.
      const complete = this.ids.indexOf(id) < this.record.writtenBlocks;
      const edited =
        written === undefined ? editedSince(block, finished) : complete && (await this.writer.hashOf(block, signal)) !== written;
      if (edited) editedIds.push(id);
    }
    const previous = this.record.previous;
    const toRestore = previous ? previous.ids.slice(0, previous.trashed).filter((id) => !listed.has(id)).length : 0;
    return { present: presentIds.length, edited: editedIds.length, toRestore, editedIds, presentIds };
  }

  /**
   * Deletes the blocks Visen wrote (all, or all but the edited ones), then restores what a replace moved to
   * the trash, each in its old place with its id. Cancelling stops between requests; running it again
   * carries on, since deleted blocks are no longer in the page and restored ones are no longer in the trash.
   */
  async undo(plan: UndoPlan, keepEdited: boolean, signal?: AbortSignal, onProgress?: (progress: UndoProgress) => void): Promise<void> {
    const kept = new Set(keepEdited ? plan.editedIds : []);
    const toDelete = plan.presentIds.filter((id) => !kept.has(id));
    const previous = this.record.previous;
    const toRestore = previous ? previous.ids.slice(0, previous.trashed) : [];
    const total = toDelete.length + toRestore.length;
    let done = 0;
    onProgress?.({ done, total });
    for (const id of toDelete) {
      signal?.throwIfAborted();
      await ignoreGone(this.writer.trash(id, signal));
      onProgress?.({ done: ++done, total });
    }
    for (const id of toRestore) {
      signal?.throwIfAborted();
      await ignoreGone(this.writer.restore(id, signal));
      onProgress?.({ done: ++done, total });
    }
    await this.update({ undoneAt: new Date().toISOString() });
  }
}

/**
 * For records from before Visen kept content hashes: edited since Visen wrote it when someone else edited it
 * last, or it changed after the generation ended (Notion keeps edit times to the minute; a minute of slack keeps
 * Visen's own last writes out). With a personal access token the "someone else" is the person themselves, which
 * is why the hash decides when there is one.
 */
function editedSince(block: BlockObjectResponse, finished: number): boolean {
  if (block.last_edited_by?.id && block.created_by?.id && block.last_edited_by.id !== block.created_by.id) return true;
  return Date.parse(block.last_edited_time) > finished + 60_000;
}

type Proof = NonNullable<GenerationRecord['proof']>;

function proofOf(record: GenerationRecord): Proof {
  return record.proof ?? { hashes: {} };
}

/** The record's proof with the content hashes of blocks it now holds, less the one it no longer does. */
function withHashes(record: GenerationRecord, added: ReadonlyArray<readonly [string, string]>, removed?: string): Proof {
  const hashes: Record<string, string> = { ...proofOf(record).hashes, ...Object.fromEntries(added) };
  if (removed !== undefined) delete hashes[removed];
  return { ...proofOf(record), hashes };
}

/** A block someone already deleted, or emptied from the trash, needs nothing more. */
async function ignoreGone(request: Promise<void>): Promise<void> {
  try {
    await request;
  } catch (error) {
    const problem = error instanceof NotionError ? error : toNotionError(error);
    if (problem.problem === 'notShared') return;
    if (problem.problem === 'validation' && /archived|in_trash|trash/i.test(problem.message)) return;
    throw problem;
  }
}
