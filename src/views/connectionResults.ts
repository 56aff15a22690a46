import * as vscode from 'vscode';
import type { EngineKind } from '../services/engines/engine';
import { blockCounts, type GenerationRecord } from '../workflows/history';
import { setKeyAction } from '../workflows/keys';
import {
  describeError,
  describeNotStarted,
  describeOutcome,
  type GenerationOutcome,
  type NotStartedReason,
  type OutcomeAction,
  type OutcomeMessage,
} from '../workflows/outcome';
import { type CommandAction, FORM_COMMANDS, type FormCommand, type ResultStatus, type ResultView } from './connectionProtocol';

// The connection form's result, in the words the palette shows too (workflows/outcome.ts): the
// description's buttons become the form's command button and its Open, Retry Write and Undo.

/** How a generation (or a retried write) ended. */
export function outcomeResult(
  outcome: GenerationOutcome & { readonly syncError?: Error },
  history: readonly GenerationRecord[],
): ResultView {
  const { record } = outcome;
  const seen = describeOutcome(outcome, history);
  const counts = blockCounts(record);
  const has = (kind: OutcomeAction['kind']) => seen.actions.some((a) => a.kind === kind);
  return {
    status: statusOf(record.status),
    message: seen.message,
    recordId: record.id,
    pageTitle: record.page.title,
    writtenBlocks: counts.written,
    blocks: counts.total,
    // Whatever reached the page can be looked at.
    canOpen: has('open') || counts.written > 0,
    canRetry: has('retryWrite'),
    canUndo: has('undo'),
    action: commandAction(seen),
    warning: seen.warning,
  };
}

/** A generation that threw before or instead of its record: a missing key, a cancel, a failure. `engine`: the one the run used. */
export function errorResult(error: unknown, engine: EngineKind): ResultView {
  const seen = describeError(error, engine);
  return { status: seen.failure, message: seen.message, action: commandAction(seen), canOpen: false, canRetry: false };
}

export function notStartedResult(reason: NotStartedReason): ResultView {
  return { status: 'notStarted', message: describeNotStarted(reason), canOpen: false, canRetry: false };
}

function statusOf(status: string): ResultStatus {
  switch (status) {
    case 'written':
    case 'cancelled':
    case 'writeFailed':
      return status;
    // Written in part and kept: Retry Write finishes it, as after a refused write.
    case 'interrupted':
      return 'writeFailed';
    default:
      return 'failed';
  }
}

/** The first of the description's buttons the form can show as a command (Open, Retry Write and Undo are its own buttons). */
function commandAction(seen: OutcomeMessage): CommandAction | undefined {
  for (const action of seen.actions) {
    const found = toCommand(action);
    if (found) return found;
  }
  return undefined;
}

function toCommand(action: OutcomeAction): CommandAction | undefined {
  switch (action.kind) {
    case 'setNotionSecret':
      return { command: 'visen.setNotionSecret', label: action.label };
    case 'setKey':
      return { command: setKeyAction(action.engine).command, label: action.label };
    case 'showLog':
      return { command: 'visen.showLog', label: action.label };
    case 'command':
      // A base URL the key may not go to: the settings form holds the endpoints.
      if (action.command === 'workbench.action.openSettings')
        return { command: 'visen.openSettings', label: vscode.l10n.t('Open Settings') };
      return (FORM_COMMANDS as readonly string[]).includes(action.command)
        ? { command: action.command as FormCommand, label: action.label }
        : undefined;
    default:
      return undefined;
  }
}
