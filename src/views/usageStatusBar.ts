import * as vscode from 'vscode';
import { Views } from '../constants';
import { onDidChange } from '../platform/config';
import type { WorkflowDeps } from '../workflows/deps';
import { formatTokens } from '../workflows/format';

/** "✦ 12" in the status bar: prompts this month; the tooltip has the tokens; a click shows the Connections view. */
export function registerUsageStatusBar(usage: WorkflowDeps['usage'], budget: () => number): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('visen.usage', vscode.StatusBarAlignment.Right, 100);
  item.name = vscode.l10n.t('Visen Usage');
  item.command = `${Views.connections}.focus`;
  const update = () => {
    const month = usage.thisMonth();
    const limit = budget();
    item.text = `$(sparkle) ${month.prompts}${limit > 0 ? `/${limit}` : ''}`;
    item.tooltip = vscode.l10n.t(
      'Visen this month: {0} prompts, {1} tokens in, {2} tokens out',
      month.prompts,
      formatTokens(month.inputTokens),
      formatTokens(month.outputTokens),
    );
    item.backgroundColor = limit > 0 && month.prompts >= limit ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    item.show();
  };
  // Number formatting loads Intl's data (~20 ms in a fresh host): after activation, not during it.
  const first = setTimeout(update, 0);
  const subscription = usage.onDidChange(update);
  return vscode.Disposable.from(
    item,
    new vscode.Disposable(() => clearTimeout(first)),
    new vscode.Disposable(() => subscription.dispose()),
    onDidChange((change) => {
      if (change.affects('visen.promptBudget')) update();
    }),
  );
}
