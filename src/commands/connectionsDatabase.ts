import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { CheckResult } from '../platform/ui';
import { ConnectionsDatabase, ConnectionsDatabaseInfo } from '../services/notion/connectionsDatabase';
import { CommandDeps, guarded, notionClient } from './deps';

/** Linking or creating the Notion database that mirrors the connections. */
export function registerConnectionsDatabaseCommands(deps: CommandDeps): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(Commands.setConnectionsDatabase, guarded(deps, (url?: string) => setConnectionsDatabase(deps, url))),
    vscode.commands.registerCommand(Commands.createConnectionsDatabase, guarded(deps, () => createConnectionsDatabase(deps))),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('visen.connectionsDatabase')) deps.sync.invalidate();
    }),
  );
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
export async function offerMissingProperties(deps: CommandDeps, database: ConnectionsDatabase, info: ConnectionsDatabaseInfo): Promise<ConnectionsDatabaseInfo> {
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
    void deps.ui.warn(vscode.l10n.t('These properties of "{0}" have another type than Visen expects and are left alone: {1}.', info.title, info.wrongType.join(', ')));
  }
  return info;
}

async function setConnectionsDatabase(deps: CommandDeps, given?: string): Promise<void> {
  const database = new ConnectionsDatabase(await notionClient(deps));
  const check = (value: string) => checkConnectionsDatabase(database, value);
  let info: ConnectionsDatabaseInfo | undefined;
  if (given) {
    const result = await deps.ui.progress(vscode.l10n.t('Visen: checking the database…'), () => check(given));
    if (!result.ok) throw new Error(result.message);
    info = result.value;
  } else {
    info = await deps.ui.inputChecked({
      title: vscode.l10n.t('Visen: Set Connections Database'),
      prompt: vscode.l10n.t('Paste the link of a Notion database shared with your integration (open it as a full page → Share → Copy link).'),
      placeholder: 'https://www.notion.so/…?v=…',
      value: vscode.workspace.getConfiguration('visen').get<string>('connectionsDatabase') ?? '',
      checkingMessage: vscode.l10n.t('Checking the database with Notion…'),
      check,
    });
  }
  if (!info) return;
  info = await offerMissingProperties(deps, database, info);
  await link(deps, info);
}

async function createConnectionsDatabase(deps: CommandDeps): Promise<void> {
  const database = new ConnectionsDatabase(await notionClient(deps));
  const pages = await deps.ui.progress(vscode.l10n.t('Visen: finding pages your integration can see…'), () => database.searchPages(''));
  if (pages.length === 0) {
    void deps.ui.warn(vscode.l10n.t('Your integration cannot see any page yet. In Notion, open the page that should hold the database → ••• → Connections → add your integration, then try again.'));
    return;
  }
  const parent = await deps.ui.pick(
    pages.map((page) => ({ label: `$(file) ${page.title}`, description: page.url, page })),
    { title: vscode.l10n.t('Visen: Create Connections Database'), placeHolder: vscode.l10n.t('Choose the page to create the database in'), matchOnDescription: true },
  );
  if (!parent) return;
  const info = await deps.ui.progress(vscode.l10n.t('Visen: creating the connections database…'), () => database.create(parent.page.id));
  await link(deps, info);
}

/** Saves the database in the settings and mirrors the local connections to it. */
async function link(deps: CommandDeps, info: ConnectionsDatabaseInfo): Promise<void> {
  const message = await linkConnectionsDatabase(deps, info);
  const open = vscode.l10n.t('Open in Notion');
  const choice = await deps.ui.info(message, open);
  if (choice === open) await deps.ui.openExternal(info.url);
}

/** Writes the database to the settings and pulls its rows; returns what to tell the user. */
export async function linkConnectionsDatabase(deps: CommandDeps, info: ConnectionsDatabaseInfo): Promise<string> {
  await vscode.workspace.getConfiguration('visen').update('connectionsDatabase', info.url, vscode.ConfigurationTarget.Global);
  deps.sync.invalidate();
  const result = await deps.ui.progress(vscode.l10n.t('Visen: syncing connections with "{0}"…', info.title), () => deps.sync.pull());
  return vscode.l10n.t('Connections database set to "{0}" ({1} connections pulled from it).', info.title, result.added);
}
