import * as vscode from 'vscode';
import { Commands } from '../constants';
import { modelFor, readConfig } from '../platform/config';
import { pickModel } from '../workflows/models';
import type { FormPanels } from '../workflows/panels';
import { CommandDeps, guarded } from './deps';

/** The log, feedback, settings and model choice. */
export function registerGeneralCommands(deps: CommandDeps, panels: FormPanels): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(Commands.showLog, () => deps.log.show()),
    vscode.commands.registerCommand(Commands.feedback, () => deps.ui.openExternal(deps.issuesUrl)),
    vscode.commands.registerCommand(
      Commands.openSettings,
      guarded(deps, async () => {
        panels.openSettings();
      }),
    ),
    vscode.commands.registerCommand(
      Commands.selectModel,
      guarded(deps, () => selectModel(deps)),
    ),
  );
}

async function selectModel(deps: CommandDeps): Promise<void> {
  const config = readConfig();
  await pickModel(deps, config.engine, modelFor(config));
}
