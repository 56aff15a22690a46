import * as vscode from 'vscode';
import { Commands } from '../constants';
import { modelFor, readConfig, updateModel } from '../platform/config';
import { EngineError } from '../services/engines/engine';
import { ENGINE_LABELS } from '../services/engines/engineLoader';
import { needsKey, setKeyAction } from '../services/engines/registry';
import type { FormPanels } from '../workflows/panels';
import { CommandDeps, engineFor, guarded, MissingKeyError } from './deps';

/** The log, feedback, settings and model choice. */
export function registerGeneralCommands(deps: CommandDeps, panels: FormPanels): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(Commands.showLog, () => deps.log.show()),
    vscode.commands.registerCommand(Commands.feedback, () => deps.ui.openExternal(deps.issuesUrl)),
    vscode.commands.registerCommand(Commands.openSettings, guarded(deps, async () => { panels.openSettings(); })),
    vscode.commands.registerCommand(Commands.selectModel, guarded(deps, () => selectModel(deps))),
  );
}

async function selectModel(deps: CommandDeps): Promise<void> {
  const config = readConfig();
  const engine = await engineFor(deps, config.engine);
  const current = modelFor(config);
  const kind = engine.kind;
  const models = await deps.ui.progress(vscode.l10n.t('Visen: listing {0} models…', ENGINE_LABELS[kind]), (_p, signal) => engine.listModels(signal)).then(undefined, (error: unknown) => {
    // A rejected key (or a server that wants one where none was sent) is fixed by setting the key.
    if (error instanceof EngineError && error.kind === 'auth' && needsKey(kind)) throw new MissingKeyError(error.message, setKeyAction(kind).command, setKeyAction(kind).label);
    throw error;
  });
  if (models.length === 0) {
    void deps.ui.warn(vscode.l10n.t('Your {0} key cannot use any text model.', ENGINE_LABELS[engine.kind]));
    return;
  }
  const picked = await deps.ui.pick(
    models.map((m) => ({ label: m.id, description: m.id === current ? vscode.l10n.t('current') : m.displayName })),
    { title: vscode.l10n.t('Visen: {0} model', ENGINE_LABELS[engine.kind]), placeHolder: vscode.l10n.t('Models your key can use, newest first') },
  );
  if (!picked) return;
  await updateModel(engine.kind, picked.label);
  void deps.ui.info(vscode.l10n.t('Visen now generates with {0}.', picked.label));
}
