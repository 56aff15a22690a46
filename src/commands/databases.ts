import * as vscode from 'vscode';
import { Commands } from '../constants';
import { fillDatabase } from '../workflows/fill';
import { CommandDeps, guarded } from './deps';
import { connectionFromArg } from './pickers';

export function registerDatabaseCommands(deps: CommandDeps): vscode.Disposable {
  return vscode.commands.registerCommand(Commands.fillDatabase, guarded(deps, (arg?: unknown) => fillDatabase(deps, {
    connectionId: connectionFromArg(deps, arg)?.id,
    // @visen /fill and other extensions may hand over a template.
    template: arg && typeof arg === 'object' && typeof (arg as { template?: unknown }).template === 'string' ? (arg as { template: string }).template : undefined,
  })));
}
