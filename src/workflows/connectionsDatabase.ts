import * as vscode from 'vscode';
import { updateConnectionsDatabase } from '../platform/config';
import type { CheckResult } from '../platform/ui';
import { ConnectionsDatabase, type ConnectionsDatabaseInfo } from '../services/notion/connectionsDatabase';
import type { WorkflowDeps } from './deps';
import { notionClient } from './keys';

export type { ConnectionsDatabase, ConnectionsDatabaseInfo };

/** The connections database as the Notion token in use sees it. */
export async function openConnectionsDatabase(deps: WorkflowDeps): Promise<ConnectionsDatabase> {
  return new ConnectionsDatabase(await notionClient(deps));
}

/** Checks a database link with Notion (ConnectionsDatabase.inspect); a failure's message says what to do. */
export async function checkConnectionsDatabase(database: ConnectionsDatabase, url: string): Promise<CheckResult<ConnectionsDatabaseInfo>> {
  try {
    return { ok: true, value: await database.inspect(url) };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Offers to add the properties Visen writes that the database lacks, and warns about those of another
 * type; returns the database as it now is.
 */
export async function offerMissingProperties(
  deps: WorkflowDeps,
  database: ConnectionsDatabase,
  info: ConnectionsDatabaseInfo,
): Promise<ConnectionsDatabaseInfo> {
  if (info.missing.length > 0) {
    const add = vscode.l10n.t('Add Properties');
    const choice = await deps.ui.confirm(
      vscode.l10n.t('"{0}" lacks properties Visen writes: {1}.', info.title, info.missing.join(', ')),
      vscode.l10n.t('Visen can add them to the database now. Without them, those columns stay empty.'),
      add,
    );
    if (choice === add) {
      await deps.ui.progress(vscode.l10n.t('Visen: adding properties…'), () => database.addMissing(info));
      info = { ...info, missing: [] };
    }
  }
  if (info.wrongType.length > 0) {
    void deps.ui.warn(
      vscode.l10n.t(
        'These properties of "{0}" have another type than Visen expects and are left alone: {1}.',
        info.title,
        info.wrongType.join(', '),
      ),
    );
  }
  return info;
}

/** Writes the database to the settings and pulls its rows; returns what to tell the user. */
export async function linkConnectionsDatabase(deps: WorkflowDeps, info: ConnectionsDatabaseInfo): Promise<string> {
  await updateConnectionsDatabase(info.url);
  deps.sync.invalidate();
  const result = await deps.ui.progress(vscode.l10n.t('Visen: syncing connections with "{0}"…', info.title), () => deps.sync.pull());
  return vscode.l10n.t('Connections database set to "{0}" ({1} connections pulled from it).', info.title, result.added);
}
