import assert from 'node:assert/strict';
import type { GenerationRecord } from '../../src/services/generation/generationRecord';
import { offersRetry, offersUndo, replacedBy, undoTarget } from '../../src/services/generation/undoRules';

const PAGE = { id: 'p1', title: 'Notes', url: 'https://www.notion.so/p1' };

function run(over: Partial<GenerationRecord> & { id: string; createdAt: string }): GenerationRecord {
  return {
    connectionId: 'c1',
    page: PAGE,
    prompt: over.id,
    engine: 'gemini',
    model: 'm',
    mode: 'append',
    status: 'written',
    markdown: 'Text.',
    blocks: 1,
    writtenBlocks: 1,
    blockIds: [`${over.id}-b`],
    timings: {},
    ...over,
  };
}

describe('One Undo order and one Retry rule for every surface', () => {
  const original = run({ id: 'first', createdAt: '2026-01-01T10:00:00.000Z', mode: 'replace', previous: { ids: ['user'], trashed: 1 } });
  const second = run({ id: 'second', createdAt: '2026-01-01T10:05:00.000Z', mode: 'replace', previous: { ids: ['first-b'], trashed: 1 } });
  const third = run({ id: 'third', createdAt: '2026-01-01T10:09:00.000Z', mode: 'replace', previous: { ids: ['second-b'], trashed: 1 } });
  const appended = run({ id: 'appended', createdAt: '2026-01-01T10:10:00.000Z' });

  it('a run a later replace covered is not offered, and names the later runs newest first', () => {
    const history = [appended, third, second, original];
    assert.equal(offersUndo(original, history), false);
    assert.equal(offersUndo(second, history), false);
    assert.equal(offersUndo(third, history), true);
    assert.equal(offersUndo(appended, history), true, 'an unrelated later append does not cover it');
    assert.deepEqual(
      replacedBy(original, history).map((r) => r.id),
      ['third', 'second'],
    );
  });

  it('once the later run is undone, the earlier one is offered again', () => {
    const history = [{ ...second, undoneAt: '2026-01-01T11:00:00.000Z' }, original];
    assert.equal(offersUndo(original, history), true);
    assert.equal(undoTarget(history)?.id, 'first');
  });

  it('a run on another page never covers it', () => {
    const elsewhere = { ...second, page: { ...PAGE, id: 'p2' } };
    assert.equal(offersUndo(original, [elsewhere, original]), true);
  });

  it('Retry Write is offered for text not all in Notion, the same on every surface', () => {
    assert.equal(offersRetry(run({ id: 'w', createdAt: '2026-01-01T10:00:00.000Z', status: 'writeFailed', writtenBlocks: 0 })), true);
    assert.equal(
      offersRetry(run({ id: 'i', createdAt: '2026-01-01T10:00:00.000Z', status: 'interrupted', blocks: 3, writtenBlocks: 1 })),
      true,
    );
    assert.equal(
      offersRetry(run({ id: 'c', createdAt: '2026-01-01T10:00:00.000Z', status: 'cancelled', blocks: 3, writtenBlocks: 1 })),
      true,
    );
    assert.equal(
      offersRetry(run({ id: 'd', createdAt: '2026-01-01T10:00:00.000Z', status: 'cancelled' })),
      false,
      'all of it is in Notion',
    );
    assert.equal(offersRetry(run({ id: 'l', createdAt: '2026-01-01T10:00:00.000Z', status: 'writeFailed', legacy: true })), false);
    assert.equal(offersRetry(run({ id: 'w', createdAt: '2026-01-01T10:00:00.000Z', status: 'written' })), false);
  });

  it('an interrupted run with no finished block left to write offers no Retry Write; its text is kept and Undo stays', () => {
    // Cut short in the middle of its third block: the two finished ones are in Notion, the rest is half a block.
    const cut = run({
      id: 'cut',
      createdAt: '2026-01-01T10:00:00.000Z',
      status: 'interrupted',
      markdown: 'One.\n\nTwo.\n\nThr',
      blocks: 2,
      writtenBlocks: 2,
      blockIds: ['cut-1', 'cut-2'],
    });
    assert.equal(offersRetry(cut), false);
    assert.equal(offersUndo(cut, [cut]), true);
    assert.equal(offersRetry({ ...cut, writtenBlocks: 1, blockIds: ['cut-1'] }), true, 'a finished block not yet written');
  });
});
