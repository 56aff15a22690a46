import * as vscode from 'vscode';
import type { Connection } from '../services/connections/connection';
import type { PreviewValue } from '../services/generation/entryValues';
import type { DataSourceInfo } from '../services/notion/notionDatabases';
import { NotionError } from '../services/notion/notionErrors';
import { NotionPages, type NotionPageRef } from '../services/notion/notionPages';
import { FILLABLE_TYPES, PropertySchema } from '../services/notion/propertyValues';
import type { WorkflowDeps } from './deps';
import { notionClient } from './keys';

// A new entry in a database connection, for every surface (the palette, the connection form): the data
// source, the properties the engine fills, the values shown before they are written.

export type { NotionPageRef };

/** A pasted link or id: a page to write into, or a database to add an entry to. */
export type NotionTarget =
  { readonly kind: 'page'; readonly ref: NotionPageRef } | { readonly kind: 'database'; readonly ref: NotionPageRef };

/** Resolves a pasted link to a page, or, when it names a database, to that database (never "not a page"). */
export async function resolveTarget(deps: WorkflowDeps, input: string): Promise<NotionTarget> {
  try {
    return { kind: 'page', ref: await deps.generation.service.resolvePage(input) };
  } catch (error) {
    if (!(error instanceof NotionError) || error.problem !== 'isDatabase') throw error;
    return { kind: 'database', ref: await resolveDatabase(deps, input) };
  }
}

/** Resolves a pasted link or id to the database it names. */
export async function resolveDatabase(deps: WorkflowDeps, input: string): Promise<NotionPageRef> {
  return new NotionPages(await notionClient(deps)).resolveDatabase(input);
}

/** The connection for a resolved link: the existing one of its page or database, or a new one mirrored quietly. */
export async function connectionForTarget(deps: WorkflowDeps, target: NotionTarget, name?: string): Promise<Connection> {
  return target.kind === 'page' ? deps.generation.service.connectionFor(target.ref, name) : databaseConnectionFor(deps, target.ref, name);
}

/** The connection of a database, created (named after it) when there is none; mirrored without failing. */
export async function databaseConnectionFor(deps: WorkflowDeps, database: NotionPageRef, name?: string): Promise<Connection> {
  const found = deps.connections.findByTarget(database.id);
  if (found) return found;
  const created = await deps.connections.create({
    name: name || database.title,
    type: 'database',
    target: { id: database.id, url: database.url, title: database.title },
  });
  await deps.sync
    .push(created)
    .catch((error: unknown) => deps.log.warn(`Connections database not updated for "${created.name}": ${String(error)}`));
  return deps.connections.get(created.id) ?? created;
}

const fillable = (p: PropertySchema) => (FILLABLE_TYPES as readonly string[]).includes(p.type);

/** The connection's data source, asked for (and remembered) when its database has several. */
export async function chooseDataSource(deps: WorkflowDeps, connection: Connection): Promise<DataSourceInfo | undefined> {
  const databases = deps.generation.databases(await notionClient(deps));
  let dataSourceId = connection.dataSourceId;
  if (!dataSourceId) {
    const database = await deps.ui.progress(vscode.l10n.t('Visen: reading "{0}"…', connection.name), () =>
      databases.resolve(connection.target.id),
    );
    if (database.dataSources.length === 0) throw new Error(vscode.l10n.t('"{0}" has no data source to write to.', database.title));
    if (database.dataSources.length === 1) dataSourceId = database.dataSources[0].id;
    else {
      const picked = await deps.ui.pick(
        database.dataSources.map((s) => ({ label: `$(table) ${s.name}`, id: s.id })),
        {
          title: vscode.l10n.t('Visen: "{0}" has several data sources', database.title),
          placeHolder: vscode.l10n.t('Choose the data source'),
        },
      );
      if (!picked) return undefined;
      dataSourceId = picked.id;
    }
    await deps.connections.update(connection.id, (c) => ({ ...c, dataSourceId }));
  }
  return deps.ui.progress(vscode.l10n.t('Visen: reading "{0}"…', connection.name), () => databases.dataSource(dataSourceId!));
}

/** Asks for the properties a new entry gets from the engine, and whether to preview them; remembered. */
export async function chooseMapping(deps: WorkflowDeps, connection: Connection, source: DataSourceInfo): Promise<Connection | undefined> {
  const previewItem = {
    label: `$(eye) ${vscode.l10n.t('Show the values before writing them')}`,
    picked: connection.previewValues ?? false,
    property: undefined as string | undefined,
  };
  const newOptionsItem = {
    label: `$(add) ${vscode.l10n.t('Allow new select options')}`,
    picked: connection.allowNewOptions ?? false,
    property: undefined as string | undefined,
  };
  const picked = await deps.ui.pickMany(
    [
      ...source.properties
        .filter((p) => fillable(p) && p.type !== 'title')
        .map((p) => ({
          label: p.name,
          description: p.type.replace('_', ' '),
          picked: connection.mappedProperties?.includes(p.name) ?? false,
          property: p.name as string | undefined,
        })),
      previewItem,
      newOptionsItem,
    ],
    {
      title: vscode.l10n.t('Visen: new entry in "{0}"', source.name),
      placeHolder: vscode.l10n.t('Which properties should the engine fill? (The title always is.)'),
    },
  );
  if (!picked) return undefined;
  return deps.connections.update(connection.id, (c) => ({
    ...c,
    mappedProperties: picked.map((p) => p.property).filter((p): p is string => !!p),
    previewValues: picked.includes(previewItem),
    allowNewOptions: picked.includes(newOptionsItem),
  }));
}

/** The modal that shows a new entry's values before they are written. */
export async function confirmValues(deps: WorkflowDeps, values: PreviewValue[]): Promise<boolean> {
  const write = vscode.l10n.t('Write Entry');
  const choice = await deps.ui.confirm(
    vscode.l10n.t('Write this new entry?'),
    values.map((v) => `${v.property}: ${v.value || '—'}`).join('\n'),
    write,
  );
  return choice === write;
}
