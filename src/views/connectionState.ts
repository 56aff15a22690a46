import * as vscode from 'vscode';
import { modelFor, readConfig } from '../platform/config';
import type { Connection } from '../services/connections/connection';
import type { EngineKind } from '../services/engines/engine';
import { engineKeyReady } from '../workflows/keys';
import { DEFAULT_MODELS, ENGINE_KINDS, ENGINE_LABELS, ENGINES, needsKey, setKeyAction } from '../services/engines/registry';
import { blockCounts, type GenerationRecord, offersRetry, offersUndo } from '../workflows/history';
import type { WorkflowDeps } from '../workflows/deps';
import { blockCount, describeUse, timeAgo } from '../workflows/format';
import { listTemplates } from '../workflows/promptTemplates';
import { undoneMessage } from '../workflows/undo';
import type { CommandAction, ConnectionView, EngineView, FormState, HistoryItem, RunView, WriteMode } from './connectionProtocol';

// What the connection form shows, built from the connection, its history, the keys and the settings.

/**
 * Everything the form shows. Of the keys, only whether each is set: never a value. `running`: a run of
 * this form is in progress (a record still generating is that run, not an interrupted one).
 */
export async function connectionFormState(
  deps: WorkflowDeps,
  connection: Connection | undefined,
  run: RunView | undefined,
  running: boolean,
): Promise<FormState> {
  // Every engine of the registry; one that needs no key counts as having it.
  const [notion, ...keys] = await Promise.all([
    deps.secrets.get('visen.notion.secret'),
    // A keyless OpenAI-compatible server (checked once with an empty key) counts as set.
    ...ENGINE_KINDS.map((kind) => (needsKey(kind) ? engineKeyReady(deps, kind) : true)),
  ]);
  const config = readConfig();
  const engines: EngineView[] = ENGINE_KINDS.map((kind, i) => ({
    kind,
    label: ENGINE_LABELS[kind],
    keySet: !!keys[i],
    defaultModel: modelFor(config, kind),
    suggestedModels: unique([modelFor(config, kind), DEFAULT_MODELS[kind], ...ENGINES[kind].suggestedModels].filter(Boolean)),
    setKey: needsKey(kind) ? setKeyAction(kind) : { command: 'visen.selectModel', label: vscode.l10n.t('Select Model') },
  }));
  return {
    connection: connection && connectionView(connection, config.engine, config.writeMode),
    notionSecretSet: !!notion,
    setNotionSecret: setNotionSecretAction(),
    engines,
    defaultEngine: config.engine,
    defaultWriteMode: config.writeMode,
    history: connection ? history(deps, connection, running) : [],
    run: run && withUndone(deps, run),
  };
}

/** A shown result whose generation was undone since (from here, the tree or a notification) says so. */
function withUndone(deps: WorkflowDeps, run: RunView): RunView {
  const record = run.result?.recordId ? deps.generations.get(run.result.recordId) : undefined;
  if (!run.result || !record?.undoneAt) return run;
  const result = { ...run.result, status: 'undone', message: undoneMessage(record.page.title), canRetry: false, canUndo: false } as const;
  return { ...run, result };
}

export function setNotionSecretAction(): CommandAction {
  return { command: 'visen.setNotionSecret', label: vscode.l10n.t('Set Notion Token') };
}

/** A record of `connectionId`'s: the webview can name no other. */
export function ownRecord(deps: WorkflowDeps, connectionId: string | undefined, recordId: string): GenerationRecord | undefined {
  const record = deps.generations.get(recordId);
  return record && connectionId && record.connectionId === connectionId ? record : undefined;
}

function connectionView(connection: Connection, defaultEngine: EngineKind, defaultMode: WriteMode): ConnectionView {
  const engine = connection.engine ?? defaultEngine;
  return {
    id: connection.id,
    name: connection.name,
    type: connection.type,
    typeLabel: connection.type === 'database' ? vscode.l10n.t('Notion Database') : vscode.l10n.t('Notion Page'),
    target: { title: connection.target.title || connection.name, url: connection.target.url },
    engine,
    model: connection.model ?? modelFor(readConfig(), engine),
    writeMode: connection.writeMode ?? defaultMode,
    lastPrompt: connection.lastPrompt,
    templates: listTemplates(connection).map(({ name, prompt }) => ({ name, prompt })),
    usage: describeUse(connection),
  };
}

function history(deps: WorkflowDeps, connection: Connection, running: boolean): HistoryItem[] {
  const records = deps.generations.forConnection(connection.id);
  const all = deps.generations.list();
  return records.map((record) => ({
    id: record.id,
    prompt: record.prompt,
    createdAt: record.createdAt,
    when: timeAgo(record.createdAt),
    engine: `${ENGINE_LABELS[record.engine] ?? record.engine} · ${record.model}`,
    blocks: blockCounts(record).total,
    writtenBlocks: blockCounts(record).written,
    status: record.status,
    statusLabel: statusLabel(record, running),
    mode: record.mode,
    undone: !!record.undoneAt,
    canUndo: offersUndo(record, all),
    canRetry: offersRetry(record),
  }));
}

function statusLabel(record: GenerationRecord, running: boolean): string {
  const counts = blockCounts(record);
  let label: string;
  switch (record.status) {
    case 'written':
      label = vscode.l10n.t('Written · {0}', blockCount(counts.written));
      break;
    case 'writeFailed':
      label = vscode.l10n.t('Write failed · {0} of {1} blocks written', counts.written, counts.total);
      break;
    case 'cancelled':
      label = vscode.l10n.t('Cancelled · {0} of {1} blocks written', counts.written, counts.total);
      break;
    case 'failed':
      label = record.error ? vscode.l10n.t('Failed: {0}', record.error) : vscode.l10n.t('Failed');
      break;
    case 'interrupted':
      label = vscode.l10n.t('Interrupted · {0} of {1} blocks written', counts.written, counts.total);
      break;
    default:
      label = running ? vscode.l10n.t('Generating…') : vscode.l10n.t('Interrupted');
  }
  return record.undoneAt ? vscode.l10n.t('{0} · undone', label) : label;
}

function unique(values: string[]): string[] {
  return [...new Set(values.filter(Boolean))];
}
