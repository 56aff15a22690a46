import * as vscode from 'vscode';
import type { WorkflowDeps } from '../workflows/deps';
import { MissingKeyError } from '../workflows/deps';

export { MissingKeyError } from '../workflows/deps';
export { engineFor } from '../workflows/keys';

/** What command modules receive from the composition root: the workflows' deps. */
export type CommandDeps = WorkflowDeps;

const SHOW_LOG = () => vscode.l10n.t('Show Log');

/**
 * Shows an error that says what happened and what to do, with the action that fixes it (when there
 * is one) and "Show Log". Runs the chosen action.
 */
export async function showError(
  deps: CommandDeps,
  message: string,
  fix?: { label: string; command: string; args?: unknown[] },
): Promise<void> {
  deps.log.error(message);
  const actions = fix ? [fix.label, SHOW_LOG()] : [SHOW_LOG()];
  const choice = await deps.ui.error(message, ...actions);
  if (choice === SHOW_LOG()) deps.log.show();
  else if (fix && choice === fix.label) await vscode.commands.executeCommand(fix.command, ...(fix.args ?? []));
}

/** Runs a command body, turning a missing key or an unexpected failure into a helpful message. */
export function guarded<A extends unknown[]>(deps: CommandDeps, body: (...args: A) => Promise<unknown>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await body(...args);
    } catch (error) {
      if (error instanceof MissingKeyError) {
        await showError(deps, error.message, {
          label: error.action,
          command: error.command,
          args: error.args ? [...error.args] : undefined,
        });
      } else {
        await showError(deps, error instanceof Error ? error.message : String(error));
      }
    }
  };
}
