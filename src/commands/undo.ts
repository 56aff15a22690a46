import * as vscode from 'vscode';
import { Commands } from '../constants';
import { type GenerationRecord, undoTarget } from '../workflows/history';
import { undoGeneration } from '../workflows/undo';
import { CommandDeps, guarded } from './deps';
import { connectionFromArg } from './pickers';

/** What Undo may be handed: a generation's id (the completion message, the form), a tree item, a connection. */
interface UndoArgs {
  readonly recordId?: string;
}

export function registerUndoCommands(deps: CommandDeps): vscode.Disposable {
  return vscode.commands.registerCommand(
    Commands.undoLastGeneration,
    guarded(deps, (arg?: unknown) => undoFromArg(deps, arg)),
  );
}

async function undoFromArg(deps: CommandDeps, arg: unknown): Promise<boolean> {
  const record = recordFromArg(deps, arg);
  if (!record) {
    void deps.ui.info(vscode.l10n.t('There is no generation to undo.'));
    return false;
  }
  return undoGeneration(deps, record.id);
}

/** The generation an Undo invocation means: the one named, else the newest undoable one of the connection, or of all. */
function recordFromArg(deps: CommandDeps, arg: unknown): GenerationRecord | undefined {
  const named =
    arg && typeof arg === 'object' ? ((arg as UndoArgs).recordId ?? (arg as { record?: { id?: string } }).record?.id) : undefined;
  if (typeof named === 'string') return deps.generations.get(named);
  return undoTarget(deps.generations.list(), connectionFromArg(deps, arg)?.id);
}
