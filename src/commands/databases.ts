import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../constants';
import { CommandDeps, guarded } from './deps';
import { connectionFromArg } from './pickers';

type FillModule = typeof import('../workflows/fillBundle');
let fill: FillModule | undefined;

/** Fill Database Rows' workflow, required when the command first runs (a bundle of its own: activation does not parse it). */
function loadFill(): FillModule {
  fill ??= require(path.join(__dirname, 'fill.js')) as FillModule;
  return fill;
}

export function registerDatabaseCommands(deps: CommandDeps): vscode.Disposable {
  return vscode.commands.registerCommand(
    Commands.fillDatabase,
    guarded(deps, (arg?: unknown) =>
      loadFill().fillDatabase(deps, {
        connectionId: connectionFromArg(deps, arg)?.id,
        // @visen /fill and other extensions may hand over a template.
        template:
          arg && typeof arg === 'object' && typeof (arg as { template?: unknown }).template === 'string'
            ? (arg as { template: string }).template
            : undefined,
      }),
    ),
  );
}
