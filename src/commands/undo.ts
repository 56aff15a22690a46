import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { GenerationRecord } from '../services/generation/generationRecord';
import { canUndo, undoTarget } from '../services/generation/undoRules';
import type { UndoPlan } from '../services/generation/pageEditor';
import { CommandDeps, guarded } from './deps';
import { connectionFromArg } from './pickers';

/** What Undo may be handed: a generation's id (the completion message, the form), a tree item, a connection. */
export interface UndoArgs {
  readonly recordId?: string;
}

export function registerUndoCommands(deps: CommandDeps): vscode.Disposable {
  return vscode.commands.registerCommand(Commands.undoLastGeneration, guarded(deps, (arg?: unknown) => undoGeneration(deps, arg)));
}

/** The generation an Undo invocation means: the one named, else the newest undoable one of the connection, or of all. */
function recordFromArg(deps: CommandDeps, arg: unknown): GenerationRecord | undefined {
  const named = arg && typeof arg === 'object' ? ((arg as UndoArgs).recordId ?? (arg as { record?: { id?: string } }).record?.id) : undefined;
  if (typeof named === 'string') return deps.generations.get(named);
  return undoTarget(deps.generations.list(), connectionFromArg(deps, arg)?.id);
}

/**
 * The one Undo flow, for the palette, the tree, the completion message and the connection form: read the
 * page, say what goes and what was edited since, then delete exactly the blocks the generation wrote and
 * restore what a replace moved to the trash, with progress and Cancel. Resolves to whether it was undone.
 */
export async function undoGeneration(deps: CommandDeps, arg?: unknown): Promise<boolean> {
  const record = recordFromArg(deps, arg);
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
  const title = record.page.title;
  const plan = await deps.ui.progress(vscode.l10n.t('Visen: reading "{0}"…', title), (_p, signal) => deps.generation.planUndo(record, signal));
  const keepEdited = await confirmUndo(deps, record, plan);
  if (keepEdited === undefined) return false;
  let stoppedAt: { done: number; total: number } | undefined;
  await deps.ui.progress(vscode.l10n.t('Visen: undoing in "{0}"', title), async (progress, signal) => {
    try {
      await deps.generation.undo(record, plan, {
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
    const choice = await deps.ui.warn(vscode.l10n.t('Undo stopped after {0} of {1} blocks in "{2}". Run Undo again to finish.', stoppedAt.done, stoppedAt.total, title), again);
    if (choice === again) return undoGeneration(deps, { recordId: record.id });
    return false;
  }
  const open = vscode.l10n.t('Open in Notion');
  void deps.ui.info(vscode.l10n.t('Undone: "{0}" no longer holds what this generation wrote.', title), open).then((choice) => {
    if (choice === open) void deps.ui.openExternal(record.page.url);
  });
  return true;
}

/** Asks before undoing; resolves to whether edited blocks are kept, or undefined when the user cancels. */
async function confirmUndo(deps: CommandDeps, record: GenerationRecord, plan: UndoPlan): Promise<boolean | undefined> {
  const when = new Date(record.createdAt).toLocaleString();
  const question = vscode.l10n.t('Undo the generation of {0} in "{1}"?', when, record.page.title);
  const parts = [
    plan.toRestore > 0
      ? vscode.l10n.t('Visen deletes the {0} blocks it wrote and puts back the {1} blocks it replaced, with their comments and links.', plan.present, plan.toRestore)
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
