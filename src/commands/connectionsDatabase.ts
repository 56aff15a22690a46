import * as vscode from 'vscode';
import { Commands } from '../constants';
import { onDidChange, readConfig } from '../platform/config';
import {
  checkConnectionsDatabase,
  type ConnectionsDatabaseInfo,
  linkConnectionsDatabase,
  offerMissingProperties,
  openConnectionsDatabase,
} from '../workflows/connectionsDatabase';
import { CommandDeps, guarded } from './deps';

/** Linking or creating the Notion database that mirrors the connections. */
export function registerConnectionsDatabaseCommands(deps: CommandDeps): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(
      Commands.setConnectionsDatabase,
      guarded(deps, (url?: string) => setConnectionsDatabase(deps, url)),
    ),
    vscode.commands.registerCommand(
      Commands.createConnectionsDatabase,
      guarded(deps, () => createConnectionsDatabase(deps)),
    ),
    onDidChange((change) => {
      if (change.affects('visen.connectionsDatabase')) deps.sync.invalidate();
    }),
  );
}

async function setConnectionsDatabase(deps: CommandDeps, given?: string): Promise<void> {
  const database = await openConnectionsDatabase(deps);
  const check = (value: string) => checkConnectionsDatabase(database, value);
  let info: ConnectionsDatabaseInfo | undefined;
  if (given) {
    const result = await deps.ui.progress(vscode.l10n.t('Visen: checking the database…'), () => check(given));
    if (!result.ok) throw new Error(result.message);
    info = result.value;
  } else {
    info = await deps.ui.inputChecked({
      title: vscode.l10n.t('Visen: Set Connections Database'),
      prompt: vscode.l10n.t(
        'Paste the link of a Notion database (open it as a full page → Share → Copy link). With an internal integration, share the database with it first.',
      ),
      placeholder: 'https://www.notion.so/…?v=…',
      value: readConfig().connectionsDatabase,
      checkingMessage: vscode.l10n.t('Checking the database with Notion…'),
      check,
    });
  }
  if (!info) return;
  info = await offerMissingProperties(deps, database, info);
  await link(deps, info);
}

async function createConnectionsDatabase(deps: CommandDeps): Promise<void> {
  const database = await openConnectionsDatabase(deps);
  const pages = await deps.ui.progress(vscode.l10n.t('Visen: finding the pages your Notion token can see…'), () =>
    database.searchPages(''),
  );
  if (pages.length === 0) {
    void deps.ui.warn(
      vscode.l10n.t(
        'Your integration cannot see any page yet. In Notion, open the page that should hold the database → ••• → Connections → add your integration, then try again.',
      ),
    );
    return;
  }
  const parent = await deps.ui.pick(
    pages.map((page) => ({ label: `$(file) ${page.title}`, description: page.url, page })),
    {
      title: vscode.l10n.t('Visen: Create Connections Database'),
      placeHolder: vscode.l10n.t('Choose the page to create the database in'),
      matchOnDescription: true,
    },
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
