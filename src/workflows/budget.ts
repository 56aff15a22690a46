import * as vscode from 'vscode';
import { readConfig } from '../platform/config';
import type { WorkflowDeps } from './deps';

/** Asks before a prompt goes past the monthly budget (visen.promptBudget; 0 = unlimited). */
export async function withinBudget(deps: WorkflowDeps, prompts = 1): Promise<boolean> {
  const budget = readConfig().promptBudget;
  if (!deps.usage.wouldExceed(budget, prompts)) return true;
  const go = vscode.l10n.t('Generate Anyway');
  const choice = await deps.ui.confirm(
    vscode.l10n.t('This prompt goes past your monthly budget of {0} prompts.', budget),
    vscode.l10n.t('{0} prompts used this month. Change the budget with the visen.promptBudget setting.', deps.usage.thisMonth().prompts),
    go,
  );
  return choice === go;
}
