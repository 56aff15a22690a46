import * as vscode from 'vscode';
import { Commands } from '../constants';
import { ENGINES, KEYED_ENGINE_KINDS, type KeyedEngineKind } from '../services/engines/registry';
import { askEngineKey, askNotionSecret, clearKeys } from '../workflows/keys';
import { CommandDeps, guarded } from './deps';

/** Set, check and clear the keys. A value is stored only once the service behind it has accepted it. */
export function registerKeyCommands(deps: CommandDeps): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(
      Commands.setNotionSecret,
      guarded(deps, () => setNotionSecret(deps)),
    ),
    // One set-key command per engine that needs a key, as the engine registry names them.
    ...KEYED_ENGINE_KINDS.map((kind) =>
      vscode.commands.registerCommand(
        ENGINES[kind].key.setKeyCommand,
        guarded(deps, () => setEngineKey(deps, kind)),
      ),
    ),
    vscode.commands.registerCommand(
      Commands.clearKeys,
      guarded(deps, () => clearKeys(deps)),
    ),
  );
}

async function setNotionSecret(deps: CommandDeps): Promise<boolean> {
  return (await askNotionSecret(deps)) !== undefined;
}

async function setEngineKey(deps: CommandDeps, kind: KeyedEngineKind): Promise<boolean> {
  return (await askEngineKey(deps, kind)) !== undefined;
}
