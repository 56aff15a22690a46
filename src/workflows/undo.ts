import * as vscode from 'vscode';
import type { GenerationRecord } from '../services/generation/generationRecord';
import type { UndoPlan } from '../services/generation/pageEditor';
import { canUndo, replacedBy } from '../services/generation/undoRules';
import type { WorkflowDeps } from './deps';

/**
 * The one Undo flow, for the palette, the tree, the completion message, the connection form and chat: read
 * the page, say what goes and what was edited since, then delete exactly the blocks the generation wrote and
 * restore what a replace moved to the trash, with progress and Cancel. A run whose blocks a later run
 * replaced is not undone alone: Visen names the later run and offers to undo both, newest first, so the
 * page never holds a mixture. Resolves to whether it was undone.
 */
export async function undoGeneration(deps: WorkflowDeps, recordId: string): Promise<boolean> {
  const record = deps.generations.get(recordId);
  if (!record) {
    void deps.ui.info(vscode.l10n.t('There is no generation to undo.'));
    return false;
  }
  if (record.undoneAt) {
    void deps.ui.info(vscode.l10n.t('This generation in "{0}" is already undone.', record.page.title));
    return false;
  }
  if (!canUndo(record) && !record.legacy) {
    void deps.ui.info(vscode.l10n.t('This generation wrote nothing to "{0}", so there is nothing to undo.', record.page.title));
    return false;
  }
  const later = replacedBy(record, deps.generations.list());
  if (later.length > 0) {
    const both = later.length === 1 ? vscode.l10n.t('Undo Both') : vscode.l10n.t('Undo All {0}', later.length + 1);
    const newest = later[0];
    const choice = await deps.ui.warn(
      vscode.l10n.t(
        'A later generation in "{0}" replaced what this one wrote: "{1}" ({2}). Undoing this one alone would mix the two versions. Undo the later one first, or both now, newest first.',
        record.page.title,
        newest.prompt.slice(0, 80),
        new Date(newest.createdAt).toLocaleString(),
      ),
      both,
    );
    if (choice !== both) return false;
    for (const run of later) {
      if (!(await undoOne(deps, run))) return false;
    }
  }
  return undoOne(deps, deps.generations.get(record.id) ?? record);
}

async function undoOne(deps: WorkflowDeps, record: GenerationRecord): Promise<boolean> {
  const title = record.page.title;
  const plan = await deps.ui.progress(vscode.l10n.t('Visen: reading "{0}"…', title), (_p, signal) =>
    deps.generation.service.planUndo(record, signal),
  );
  const keepEdited = await confirmUndo(deps, record, plan);
  if (keepEdited === undefined) return false;
  let stoppedAt: { done: number; total: number } | undefined;
  await deps.ui.progress(vscode.l10n.t('Visen: undoing in "{0}"', title), async (progress, signal) => {
    try {
      await deps.generation.service.undo(record, plan, {
        keepEdited,
        signal,
        onProgress: (p) => {
          stoppedAt = p;
          progress.report(vscode.l10n.t('{0} of {1} blocks', p.done, p.total));
        },
      });
      stoppedAt = undefined;
    } catch (error) {
      if (!signal.aborted) throw error;
    }
  });
  if (stoppedAt) {
    const again = vscode.l10n.t('Undo Again');
    const choice = await deps.ui.warn(
      vscode.l10n.t('Undo stopped after {0} of {1} blocks in "{2}". Run Undo again to finish.', stoppedAt.done, stoppedAt.total, title),
      again,
    );
    if (choice === again) return undoGeneration(deps, record.id);
    return false;
  }
  const open = vscode.l10n.t('Open in Notion');
  void deps.ui.info(undoneMessage(title), open).then((choice) => {
    if (choice === open) void deps.ui.openExternal(record.page.url);
  });
  return true;
}

/** Asks before undoing; resolves to whether edited blocks are kept, or undefined when the user cancels. */
async function confirmUndo(deps: WorkflowDeps, record: GenerationRecord, plan: UndoPlan): Promise<boolean | undefined> {
  const when = new Date(record.createdAt).toLocaleString();
  const question = vscode.l10n.t('Undo the generation of {0} in "{1}"?', when, record.page.title);
  const parts = [
    plan.toRestore > 0
      ? vscode.l10n.t(
          'Visen deletes the {0} blocks it wrote and puts back the {1} blocks it replaced, with their comments and links.',
          plan.present,
          plan.toRestore,
        )
      : vscode.l10n.t('Visen deletes the {0} blocks it wrote.', plan.present),
    vscode.l10n.t('Everything else on the page stays as it is.'),
    vscode.l10n.t('Prompt: "{0}"', record.prompt.slice(0, 200)),
  ];
  if (plan.edited === 0) {
    const undo = vscode.l10n.t('Undo');
    return (await deps.ui.confirm(question, parts.join(' '), undo)) === undo ? false : undefined;
  }
  const deleteAll = vscode.l10n.t('Delete Them Too');
  const keep = vscode.l10n.t('Keep the Edited Ones');
  const edited = vscode.l10n.t('{0} of the {1} blocks were edited since — delete them too?', plan.edited, plan.present);
  const choice = await deps.ui.confirm(question, `${edited} ${parts.join(' ')}`, deleteAll, keep);
  return choice === deleteAll ? false : choice === keep ? true : undefined;
}

/** What every surface says of a generation that was undone. */
export function undoneMessage(pageTitle: string): string {
  return vscode.l10n.t('Undone: "{0}" no longer holds what this generation wrote.', pageTitle);
}
