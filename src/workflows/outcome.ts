import * as l10n from '@vscode/l10n';
import { EngineError, type EngineKind } from '../services/engines/engine';
import { needsKey, setKeyLabel, type KeyedEngineKind } from '../services/engines/registry';
import { blockCounts, type GenerationRecord } from '../services/generation/generationRecord';
import { offersRetry, offersUndo } from '../services/generation/undoRules';
import type { GenerationOutcome } from '../services/generation/generator';
import { continuationPrompt } from '../services/generation/instructions';
import { NotionError } from '../services/notion/notionErrors';
import { MissingKeyError } from './missingKey';

/** How a run ended, as the generation machinery reports it: what every surface describes with describeOutcome. */
export type { GenerationOutcome };

/** What a person can do next about a generation, as a button. */
export type OutcomeAction =
  | { readonly kind: 'open'; readonly label: string; readonly url: string }
  | { readonly kind: 'undo'; readonly label: string; readonly recordId: string }
  | { readonly kind: 'retryWrite'; readonly label: string; readonly recordId: string }
  /** Generate into the same connection (or page) again, with `prompt`. */
  | { readonly kind: 'generate'; readonly label: string; readonly connectionId?: string; readonly pageId: string; readonly prompt: string }
  | { readonly kind: 'setKey'; readonly label: string; readonly engine: KeyedEngineKind }
  /** Runs a command, e.g. Open Settings to choose another engine, or the one that fixes a missing key. */
  | { readonly kind: 'command'; readonly label: string; readonly command: string; readonly args?: readonly unknown[] }
  | { readonly kind: 'setNotionSecret'; readonly label: string }
  | { readonly kind: 'showLog'; readonly label: string };

/** What a generation's end tells a person: how serious, in what words, and what they can do. */
export interface OutcomeMessage {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly actions: readonly OutcomeAction[];
  /** Something beside the outcome went wrong (the connections database was not updated). */
  readonly warning?: string;
}

/** A generation that ended, and whether the connections database took its row. */
type FinishedGeneration = GenerationOutcome & { readonly syncError?: Error };

/**
 * The one place a finished generation becomes words and buttons, for every surface (the palette's
 * notifications, the connection form, chat, agent tools), so they all say the same thing.
 */
export function describeOutcome(outcome: FinishedGeneration, history: readonly GenerationRecord[] = []): OutcomeMessage {
  const described = describeFinished(outcome, history);
  return outcome.syncError ? { ...described, warning: syncWarning(outcome.syncError) } : described;
}

/** The buttons a finished generation can offer, each used where its outcome calls for it. */
interface FinishedActions {
  readonly open: OutcomeAction;
  /** Empty when the record cannot be undone (offersUndo). */
  readonly undo: OutcomeAction[];
  readonly retry: OutcomeAction;
  readonly showLog: OutcomeAction;
  again(label: string, prompt: string): OutcomeAction;
}

function finishedActions(record: GenerationRecord, history: readonly GenerationRecord[]): FinishedActions {
  return {
    open: { kind: 'open', label: l10n.t('Open in Notion'), url: record.page.url },
    undo: offersUndo(record, history) ? [{ kind: 'undo', label: l10n.t('Undo'), recordId: record.id }] : [],
    retry: { kind: 'retryWrite', label: l10n.t('Retry Write'), recordId: record.id },
    showLog: { kind: 'showLog', label: l10n.t('Show Log') },
    again: (label: string, prompt: string): OutcomeAction => ({
      kind: 'generate',
      label,
      connectionId: record.connectionId,
      pageId: record.page.id,
      prompt,
    }),
  };
}

function describeFinished({ record, error }: GenerationOutcome, history: readonly GenerationRecord[]): OutcomeMessage {
  const actions = finishedActions(record, history);
  const { open, undo, retry } = actions;
  const counts = blockCounts(record);
  const title = record.page.title;
  if (record.status === 'written' && record.stoppedAtLimit) return describeStoppedAtLimit(record, actions);
  switch (record.status) {
    case 'written':
      return {
        level: 'info',
        message:
          counts.written === 1 ? l10n.t('Wrote 1 block to "{0}".', title) : l10n.t('Wrote {0} blocks to "{1}".', counts.written, title),
        actions: [open, ...undo],
      };
    case 'cancelled':
      return {
        level: 'info',
        message: l10n.t(
          'Generation cancelled. {0} blocks had been written to "{1}"; the text generated so far is kept in the connection\'s history.',
          counts.written,
          title,
        ),
        actions: offersRetry(record) ? [retry, ...undo] : undo,
      };
    case 'writeFailed':
    case 'interrupted':
      return describeNotAllWritten(record, error, actions);
    default:
      return describeFailed(record, error, actions);
  }
}

/** Written, but the model stopped at its output limit: offers to generate the rest. */
function describeStoppedAtLimit(record: GenerationRecord, { again, undo, open }: FinishedActions): OutcomeMessage {
  const tokens = record.stoppedAtLimit?.outputTokens;
  const title = record.page.title;
  const written = blockCounts(record).written;
  return {
    level: 'warn',
    message: tokens
      ? l10n.t(
          'The model stopped at its output limit ({0} tokens): "{1}" holds the {2} blocks it wrote.',
          tokens.toLocaleString(),
          title,
          written,
        )
      : l10n.t('The model stopped at its output limit: "{0}" holds the {1} blocks it wrote.', title, written),
    actions: [again(l10n.t('Generate the Rest'), continuationPrompt(record.prompt, record.markdown)), ...undo, open],
  };
}

/** Generated, but Notion did not take all of it. */
function describeNotAllWritten(
  record: GenerationRecord,
  error: Error | undefined,
  { open, retry, showLog }: FinishedActions,
): OutcomeMessage {
  const counts = blockCounts(record);
  // Where the fix is elsewhere (a new secret, sharing the page), that comes first; Retry Write follows.
  const problem = error instanceof NotionError ? error.problem : undefined;
  const fix: OutcomeAction[] =
    problem === 'unauthorized'
      ? [{ kind: 'setNotionSecret', label: l10n.t('Set Notion Token') }]
      : problem === 'notShared' || problem === 'restricted'
        ? [open]
        : [];
  return {
    level: 'error',
    message: l10n.t(
      'The text was generated but Notion did not take all of it ({0} of {1} blocks written). {2} Retry writes the rest without generating again.',
      counts.written,
      counts.total,
      error?.message ?? record.error ?? '',
    ),
    actions: [...fix, ...(offersRetry(record) ? [retry] : []), showLog],
  };
}

/** The generation failed: the engine's fix when there is one; whatever stopped it, blocks it did write can be taken back. */
function describeFailed(record: GenerationRecord, error: Error | undefined, { again, undo, showLog }: FinishedActions): OutcomeMessage {
  const fix = engineFix(error, record.engine);
  if (fix) return { level: 'error', message: (error as EngineError).message, actions: fix };
  const written = blockCounts(record).written;
  if (error instanceof EngineError && error.kind === 'cut') {
    return {
      level: 'error',
      message:
        written > 0
          ? l10n.t('{0} "{1}" holds the {2} blocks the model finished before that.', error.message, record.page.title, written)
          : error.message,
      actions: [again(l10n.t('Generate Again'), record.prompt), ...undo],
    };
  }
  return { level: 'error', message: error?.message ?? record.error ?? l10n.t('Generation failed.'), actions: [...undo, showLog] };
}

/** What stopped a generation that threw instead of ending with a record: a missing key, a cancel, or a failure. */
type GenerationFailure = 'missingKey' | 'cancelled' | 'failed';

export interface ErrorMessage extends OutcomeMessage {
  readonly failure: GenerationFailure;
}

/**
 * The one place an error thrown by a generation (before or instead of its record) becomes words and
 * buttons, for every surface. `engine`: the engine the run used, whose key a rejected-key error offers to set.
 */
export function describeError(error: unknown, engine?: EngineKind): ErrorMessage {
  const showLog: OutcomeAction = { kind: 'showLog', label: l10n.t('Show Log') };
  if (error instanceof MissingKeyError) {
    return {
      failure: 'missingKey',
      level: 'error',
      message: error.message,
      actions: [{ kind: 'command', label: error.action, command: error.command, args: error.args }, showLog],
    };
  }
  if (error instanceof EngineError && error.kind === 'cancelled') {
    return { failure: 'cancelled', level: 'info', message: l10n.t('Generation cancelled.'), actions: [] };
  }
  const fix = engine ? engineFix(error, engine) : undefined;
  if (fix) return { failure: 'failed', level: 'error', message: (error as EngineError).message, actions: fix };
  if (error instanceof NotionError && error.problem === 'unauthorized') {
    return {
      failure: 'failed',
      level: 'error',
      message: error.message,
      actions: [{ kind: 'setNotionSecret', label: l10n.t('Set Notion Token') }, showLog],
    };
  }
  return { failure: 'failed', level: 'error', message: error instanceof Error ? error.message : String(error), actions: [showLog] };
}

/** Why a generation did not start: the budget was not raised, a question was dismissed, the new entry's values declined. */
export type NotStartedReason = 'budget' | 'dismissed' | 'declined';

/** What a surface that shows a result (the connection form) says about a generation that did not start. */
export function describeNotStarted(reason: NotStartedReason): string {
  return reason === 'budget' ? l10n.t('Not generated: the prompt would go past your monthly budget.') : l10n.t('Nothing was written.');
}

/** The connections database could not be updated after a generation that itself went fine. */
function syncWarning(error: Error): string {
  return l10n.t('The connections database in Notion was not updated: {0}', error.message);
}

/** The buttons for an engine's own failures: a rejected key (set the key of `engine`), no model to use. */
function engineFix(error: unknown, engine: EngineKind): OutcomeAction[] | undefined {
  if (!(error instanceof EngineError)) return undefined;
  const showLog: OutcomeAction = { kind: 'showLog', label: l10n.t('Show Log') };
  if (error.kind === 'auth') return needsKey(engine) ? [{ kind: 'setKey', label: setKeyLabel(engine), engine }, showLog] : [showLog];
  // No model to generate with: choose another engine, or another model of this one.
  if (error.kind === 'unavailable') {
    return [
      { kind: 'command', label: l10n.t('Choose Engine'), command: 'visen.openSettings' },
      { kind: 'command', label: l10n.t('Select Model'), command: 'visen.selectModel' },
    ];
  }
  // The model asked for is retired or unknown to the provider: choose another.
  if (error.kind === 'modelGone') return [{ kind: 'command', label: l10n.t('Select Model'), command: 'visen.selectModel' }, showLog];
  return undefined;
}
