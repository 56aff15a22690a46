import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { Connection } from '../services/connections/connection';
import type { FormPanels } from '../workflows/panels';
import { CommandDeps, guarded, showError } from './deps';
import { connectionFromArg, pickConnection } from './pickers';

/** New, open, rename, delete, refresh and open-in-Notion for connections. */
export function registerConnectionCommands(deps: CommandDeps, panels: FormPanels, refreshTree: () => void): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(
      Commands.newConnection,
      guarded(deps, async () => {
        panels.openConnection();
      }),
    ),
    vscode.commands.registerCommand(
      Commands.openConnection,
      guarded(deps, async (arg?: unknown) => {
        const connection = await resolveConnection(deps, arg, vscode.l10n.t('Visen: Open Connection'), true);
        if (connection) panels.openConnection(connection);
      }),
    ),
    vscode.commands.registerCommand(
      Commands.renameConnection,
      guarded(deps, (arg?: unknown) => renameConnection(deps, arg)),
    ),
    vscode.commands.registerCommand(
      Commands.deleteConnection,
      guarded(deps, (arg?: unknown) => deleteConnection(deps, arg)),
    ),
    vscode.commands.registerCommand(
      Commands.refreshConnections,
      guarded(deps, () => refreshConnections(deps, refreshTree)),
    ),
    vscode.commands.registerCommand(
      Commands.openInNotion,
      guarded(deps, async (arg?: unknown) => {
        const connection = await resolveConnection(deps, arg, vscode.l10n.t('Visen: Open in Notion'));
        if (connection) await deps.ui.openExternal(connection.target.url);
      }),
    ),
  );
}

/** The connection a tree item or argument names, or the one the user picks. */
async function resolveConnection(deps: CommandDeps, arg: unknown, title: string, offerNew = false): Promise<Connection | undefined> {
  const given = connectionFromArg(deps, arg);
  if (given) return given;
  const choice = await pickConnection(deps, { title, placeHolder: vscode.l10n.t('Choose a connection'), offerNew });
  if (choice?.kind === 'new') {
    await vscode.commands.executeCommand(Commands.newConnection);
    return undefined;
  }
  return choice?.kind === 'connection' ? choice.connection : undefined;
}

async function renameConnection(deps: CommandDeps, arg?: unknown): Promise<void> {
  const connection = await resolveConnection(deps, arg, vscode.l10n.t('Visen: Rename Connection'));
  if (!connection) return;
  const name = await deps.ui.input({
    title: vscode.l10n.t('Visen: Rename "{0}"', connection.name),
    value: connection.name,
    prompt: vscode.l10n.t("The connection's name in Visen and in the connections database. The Notion page keeps its title."),
    validateInput: (value) =>
      !value.trim() ? vscode.l10n.t('Type a name.') : value.length > 200 ? vscode.l10n.t('Keep it under 200 characters.') : undefined,
  });
  if (!name?.trim() || name.trim() === connection.name) return;
  const renamed = await deps.connections.rename(connection.id, name);
  if (renamed) await pushOrWarn(deps, renamed);
}

async function deleteConnection(deps: CommandDeps, arg?: unknown): Promise<void> {
  const connection = await resolveConnection(deps, arg, vscode.l10n.t('Visen: Delete Connection'));
  if (!connection) return;
  const remove = vscode.l10n.t('Delete');
  const detail =
    deps.sync.enabled && connection.rowId
      ? vscode.l10n.t(
          'Its history is removed from this machine and its row in the connections database is moved to Notion\'s trash. The Notion page "{0}" itself is not changed.',
          connection.target.title,
        )
      : vscode.l10n.t('Its history is removed from this machine. The Notion page "{0}" itself is not changed.', connection.target.title);
  const choice = await deps.ui.confirm(vscode.l10n.t('Delete the connection "{0}"?', connection.name), detail, remove);
  if (choice !== remove) return;
  try {
    await deps.sync.remove(connection);
  } catch (error) {
    const deleteAnyway = vscode.l10n.t('Delete Here Only');
    const message = vscode.l10n.t(
      'Its row in the connections database could not be trashed: {0}',
      error instanceof Error ? error.message : String(error),
    );
    deps.log.warn(message);
    if ((await deps.ui.warn(message, deleteAnyway)) !== deleteAnyway) return;
  }
  await deps.connections.delete(connection.id);
  await deps.generations.deleteForConnection(connection.id);
  void deps.ui.info(vscode.l10n.t('Deleted the connection "{0}".', connection.name));
}

async function refreshConnections(deps: CommandDeps, refreshTree: () => void): Promise<void> {
  refreshTree();
  if (!deps.sync.enabled) {
    const set = vscode.l10n.t('Set Connections Database');
    const create = vscode.l10n.t('Create Connections Database');
    const choice = await deps.ui.info(
      vscode.l10n.t('No connections database is set, so connections stay on this machine. Link one to see your connections everywhere.'),
      set,
      create,
    );
    if (choice === set) await vscode.commands.executeCommand(Commands.setConnectionsDatabase);
    if (choice === create) await vscode.commands.executeCommand(Commands.createConnectionsDatabase);
    return;
  }
  const result = await deps.ui.progress(vscode.l10n.t('Visen: refreshing connections from Notion…'), () => deps.sync.pull());
  void deps.ui.info(
    vscode.l10n.t('Connections refreshed from Notion: {0} added, {1} updated, {2} removed.', result.added, result.updated, result.removed),
  );
}

/** Mirrors a change to the connections database, warning (not failing) when Notion refuses. */
async function pushOrWarn(deps: CommandDeps, connection: Connection): Promise<void> {
  try {
    await deps.sync.push(connection);
  } catch (error) {
    await showError(
      deps,
      vscode.l10n.t('The connections database in Notion was not updated: {0}', error instanceof Error ? error.message : String(error)),
    );
  }
}
