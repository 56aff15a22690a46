import * as vscode from 'vscode';
import type { Client } from '@notionhq/client';
import { modelFor, readConfig } from '../platform/config';
import type { Connection } from '../services/connections/connection';
import type { DatabaseFiller, FillJob, FillSummary, FillTarget } from '../services/generation/databaseFill';
import { type DataSourceInfo, type NotionDatabaseRef, type RowSelection, unknownPlaceholders } from '../services/notion/notionDatabases';
import { FILLABLE_TYPES, PropertySchema } from '../services/notion/propertyValues';
import type { WorkflowDeps } from './deps';
import { engineFor, notionClient } from './keys';
import { systemInstructions } from '../services/generation/instructions';
import { chooseDataSource, databaseConnectionFor } from './databaseEntry';
import { withinBudget } from './budget';
import { modelOrAsk } from './models';

// Fill Database Rows, for every surface (the palette, the connection form, @visen /fill): the database, the
// data source, what to fill, which rows, the template, a preview, then the fill with progress and retries.

type CommandDeps = WorkflowDeps;

export interface FillRequest {
  /** The connection to fill, when the surface knows it (a tree item, the form, a name in the chat). */
  readonly connectionId?: string;
  /** A template handed over (the chat's prompt): used as it is when its placeholders are all properties. */
  readonly template?: string;
}

/** A database connection given, picked, or made from a pasted database link. */
async function chooseDatabaseConnection(deps: CommandDeps, given: Connection | undefined, title: string): Promise<Connection | undefined> {
  if (given?.type === 'database') return given;
  const databases = deps.generation.databases(await notionClient(deps));
  const existing = deps.connections.list().filter((c) => c.type === 'database');
  type Item = vscode.QuickPickItem & { connection?: Connection };
  const paste: Item = { label: `$(link) ${vscode.l10n.t('Paste a Notion database URL…')}`, alwaysShow: true };
  let picked: Item | undefined = paste;
  if (existing.length > 0) {
    picked = await deps.ui.pick(
      [
        ...existing.map((connection) => ({ label: `$(database) ${connection.name}`, description: connection.target.title, connection })),
        paste,
      ],
      { title, placeHolder: vscode.l10n.t('Choose a database connection') },
    );
  }
  if (!picked) return undefined;
  if (picked.connection) return picked.connection;
  const database = await deps.ui.inputChecked<NotionDatabaseRef>({
    title,
    prompt: vscode.l10n.t(
      'Paste the link of a Notion database (open it as a full page → Share → Copy link). With an internal integration, share the database with it first.',
    ),
    placeholder: 'https://www.notion.so/…?v=…',
    checkingMessage: vscode.l10n.t('Checking the database with Notion…'),
    check: async (value) => {
      try {
        return { ok: true, value: await databases.resolve(value) };
      } catch (error) {
        return { ok: false, message: error instanceof Error ? error.message : String(error) };
      }
    },
  });
  return database ? databaseConnectionFor(deps, database) : undefined;
}

const fillable = (p: PropertySchema) => (FILLABLE_TYPES as readonly string[]).includes(p.type);

/**
 * Fill Database Rows; how many rows go at once is the filler's to decide (fewer while the engine rate-limits).
 * Errors are thrown (a missing key as MissingKeyError).
 */
export async function fillDatabase(deps: CommandDeps, request: FillRequest = {}, concurrency?: number): Promise<void> {
  const config = readConfig();
  const client = await notionClient(deps);
  const title = vscode.l10n.t('Visen: Fill Database Rows');
  const connection = await chooseDatabaseConnection(
    deps,
    request.connectionId ? deps.connections.get(request.connectionId) : undefined,
    title,
  );
  if (!connection) return;
  const engineKind = connection.engine ?? config.engine;
  const engine = await engineFor(deps, engineKind);
  const source = await chooseDataSource(deps, connection);
  if (!source) return;

  const target = await chooseTarget(deps, source, title);
  if (!target) return;
  const selection = await chooseRows(deps, source, target, title);
  if (!selection || !(await anyRowIn(deps, client, source, selection))) return;
  // @visen /fill hands its prompt over as the template: used as it is when its placeholders are all properties.
  const given = request.template?.trim() ?? '';
  const template =
    given && unknownPlaceholders(given, source.properties).length === 0 ? given : await askTemplate(deps, source, connection, title, given);
  if (!template) return;
  const allowNewOptions = await chooseNewOptions(deps, target, title);
  if (allowNewOptions === undefined) return;
  await deps.connections.update(connection.id, (c) => ({ ...c, lastPrompt: template }));
  const model = await modelOrAsk(deps, engineKind, connection.model ?? modelFor(config, engineKind));
  if (model === undefined) return;

  const job: FillJob = {
    connectionId: connection.id,
    dataSourceId: source.id,
    selection,
    template,
    target,
    engine: engineKind,
    model,
    instructions: target.kind === 'body' ? systemInstructions(config.instructions) : config.instructions || undefined,
    allowNewOptions,
  };
  const filler = deps.generation.filler({
    client,
    engine,
    concurrency,
    recordUse: async (record) => {
      await deps.connections.recordUse(connection.id, { prompt: record.prompt, usage: record.usage });
    },
  });

  if (!(await previewConfirmed(deps, filler, job, source))) return;
  if (!(await withinBudget(deps))) return;
  await runFill(deps, filler, job, connection, source);
}

/** Whether any row is in the selection, known before the prompt is typed; when none, the user is told so. */
async function anyRowIn(deps: CommandDeps, client: Client, source: DataSourceInfo, selection: RowSelection): Promise<boolean> {
  const found = await deps.ui.progress(vscode.l10n.t('Visen: reading the rows of "{0}"…', source.name), async (_p, signal) => {
    for await (const row of deps.generation.databases(client).rows(source.id, selection, signal, [])) return row !== undefined;
    return false;
  });
  if (!found) void deps.ui.info(vscode.l10n.t('No rows of "{0}" match. Nothing to fill.', source.name));
  return found;
}

/** The first rows generated but not written, shown in a document; true when the user then goes on to fill. */
async function previewConfirmed(deps: CommandDeps, filler: DatabaseFiller, job: FillJob, source: DataSourceInfo): Promise<boolean> {
  const preview = await deps.ui.progress(vscode.l10n.t('Visen: previewing the fill on its first rows…'), (_p, signal) =>
    filler.preview(job, 3, signal),
  );
  if (preview.length === 0) {
    void deps.ui.info(vscode.l10n.t('Every row of "{0}" that matches was filled by this same fill already. Nothing to fill.', source.name));
    return false;
  }
  await deps.ui.showDocument(previewDocument(source, job.target, preview));
  const run = vscode.l10n.t('Fill Rows');
  const choice = await deps.ui.confirm(
    vscode.l10n.t('Fill the rows of "{0}" as in the preview?', source.name),
    vscode.l10n.t(
      'The preview shows the first {0} rows; nothing was written yet. Rows already filled by this same fill are skipped.',
      preview.length,
    ),
    run,
  );
  return choice === run;
}

/** For a select property: whether the engine may add options; false for any other target, undefined when dismissed. */
async function chooseNewOptions(deps: CommandDeps, target: FillTarget, title: string): Promise<boolean | undefined> {
  if (target.kind !== 'property' || (target.property.type !== 'select' && target.property.type !== 'multi_select')) return false;
  const choice = await deps.ui.pick(
    [
      { label: vscode.l10n.t('Only existing options'), description: target.property.options?.join(', '), allow: false },
      {
        label: vscode.l10n.t('Allow new options'),
        description: vscode.l10n.t('Notion adds the options the engine comes up with'),
        allow: true,
      },
    ],
    { title, placeHolder: vscode.l10n.t('Values of {0} must be…', target.property.name) },
  );
  return choice?.allow;
}

async function runFill(
  deps: CommandDeps,
  filler: DatabaseFiller,
  job: FillJob,
  connection: Connection,
  source: DataSourceInfo,
  onlyRows?: string[],
): Promise<void> {
  const summary: FillSummary = await deps.ui.progress(vscode.l10n.t('Visen: filling "{0}"', source.name), (progress, signal) =>
    filler.run(job, {
      signal,
      onlyRows,
      onProgress: (p) =>
        progress.report(vscode.l10n.t('{0} / {1} rows', p.finished, p.total) + (p.failed ? vscode.l10n.t(' ({0} failed)', p.failed) : '')),
    }),
  );
  await deps.sync
    .push(deps.connections.get(connection.id) ?? connection)
    .catch((error: unknown) => deps.log.warn(`Connections database not updated: ${String(error)}`));
  const parts = [vscode.l10n.t('Filled {0} rows of "{1}".', summary.done, source.name)];
  if (summary.skipped) parts.push(vscode.l10n.t('{0} were already done.', summary.skipped));
  if (summary.cancelled) parts.push(vscode.l10n.t('Cancelled: run the same fill again to go on where it stopped.'));
  if (summary.stoppedBy) parts.push(vscode.l10n.t('Stopped: {0}', summary.stoppedBy));
  if (summary.failed.length === 0) {
    void deps.ui.info(parts.join(' '));
    return;
  }
  parts.push(vscode.l10n.t('{0} failed.', summary.failed.length));
  const show = vscode.l10n.t('Show Failed Rows');
  deps.log.warn(`Fill: failed rows: ${summary.failed.map((f) => `"${f.row.title}": ${f.error}`).join('; ')}`);
  if ((await deps.ui.warn(parts.join(' '), show)) !== show) return;
  const all = { label: `$(refresh) ${vscode.l10n.t('Retry all failed rows')}`, ids: summary.failed.map((f) => f.row.id) };
  const picked = await deps.ui.pick(
    [
      all,
      ...summary.failed.map((f) => ({ label: `$(error) ${f.row.title || vscode.l10n.t('Untitled')}`, detail: f.error, ids: [f.row.id] })),
    ],
    {
      title: vscode.l10n.t('Visen: failed rows'),
      placeHolder: vscode.l10n.t('Choose a row to retry it alone, or retry them all'),
      matchOnDetail: true,
    },
  );
  if (picked) await runFill(deps, filler, job, connection, source, picked.ids);
}

async function chooseTarget(deps: CommandDeps, source: DataSourceInfo, title: string): Promise<FillTarget | undefined> {
  const items: Array<vscode.QuickPickItem & { target: FillTarget }> = [
    ...source.properties.filter(fillable).map((property) => ({
      label: `$(symbol-property) ${property.name}`,
      description: property.type.replace('_', ' '),
      target: { kind: 'property', property } as FillTarget,
    })),
    {
      label: `$(file) ${vscode.l10n.t('Page body: append')}`,
      description: vscode.l10n.t("each row's page"),
      target: { kind: 'body', mode: 'append' },
    },
    {
      label: `$(file) ${vscode.l10n.t('Page body: replace')}`,
      description: vscode.l10n.t("each row's page"),
      target: { kind: 'body', mode: 'replace' },
    },
  ];
  const picked = await deps.ui.pick(items, { title, placeHolder: vscode.l10n.t('What should the engine fill in each row?') });
  return picked?.target;
}

async function chooseRows(deps: CommandDeps, source: DataSourceInfo, target: FillTarget, title: string): Promise<RowSelection | undefined> {
  type RowItem = vscode.QuickPickItem & { rows: 'all' | 'emptyTarget' | 'equals' };
  const items: RowItem[] = [{ label: vscode.l10n.t('All rows'), rows: 'all' }];
  if (target.kind === 'property')
    items.push({ label: vscode.l10n.t('Rows where {0} is empty', target.property.name), rows: 'emptyTarget' });
  items.push({ label: vscode.l10n.t('Rows where a property has a value…'), rows: 'equals' });
  const picked = await deps.ui.pick(items, { title, placeHolder: vscode.l10n.t('Which rows?') });
  if (!picked) return undefined;
  if (picked.rows === 'all') return { kind: 'all' };
  if (picked.rows === 'emptyTarget' && target.kind === 'property') return { kind: 'emptyTarget', property: target.property.name };
  const property = await deps.ui.pick(
    source.properties.map((p) => ({ label: p.name, description: p.type.replace('_', ' '), property: p })),
    { title, placeHolder: vscode.l10n.t('Filter on which property?') },
  );
  if (!property) return undefined;
  const value = await deps.ui.input({
    title,
    prompt: vscode.l10n.t('Rows whose {0} is (not case-sensitive):', property.property.name),
    validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Type the value to match.')),
  });
  return value?.trim() ? { kind: 'equals', property: property.property.name, value: value.trim() } : undefined;
}

async function askTemplate(
  deps: CommandDeps,
  source: DataSourceInfo,
  connection: Connection,
  title: string,
  given?: string,
): Promise<string | undefined> {
  const names = source.properties.map((p) => `{{${p.name}}}`);
  const template = await deps.ui.input({
    title,
    value: given || connection.lastPrompt,
    prompt: vscode.l10n.t(
      "The prompt for each row. Placeholders: {0} and {{page}} for the row's page content.",
      names.slice(0, 8).join(', '),
    ),
    placeHolder: vscode.l10n.t('e.g. Write a two-sentence summary of the book "{{Name}}" by {{Author}}.'),
    validateInput: (value) => {
      if (!value.trim()) return vscode.l10n.t('Type the prompt for each row.');
      const unknown = unknownPlaceholders(value, source.properties);
      return unknown.length
        ? vscode.l10n.t('No property named {0} in "{1}".', unknown.map((n) => `"${n}"`).join(', '), source.name)
        : undefined;
    },
  });
  return template?.trim() || undefined;
}

function previewDocument(source: DataSourceInfo, target: FillTarget, preview: Awaited<ReturnType<DatabaseFiller['preview']>>): string {
  const heading =
    target.kind === 'property'
      ? vscode.l10n.t('{0} → property "{1}"', source.name, target.property.name)
      : target.mode === 'replace'
        ? vscode.l10n.t('{0} → page body (replace)', source.name)
        : vscode.l10n.t('{0} → page body (append)', source.name);
  // The tab says "Preview" already (VS Code's Markdown preview names it so): the heading names the fill.
  const lines = [`# ${heading}`, '', `*${vscode.l10n.t('A preview: nothing has been written yet.')}*`, ''];
  for (const result of preview) {
    lines.push(`## ${result.row.title || vscode.l10n.t('Untitled')}`, '');
    if (result.prompt) lines.push(`> ${result.prompt.replace(/\n/g, '\n> ')}`, '');
    lines.push(result.status === 'failed' ? `**${vscode.l10n.t('Would fail:')}** ${result.error}` : (result.output ?? ''), '');
  }
  return lines.join('\n');
}
