import * as vscode from 'vscode';
import { Commands } from '../constants';
import { isSafelyInNotion } from '../workflows/history';
import { CommandDeps, guarded } from './deps';

/** Clear History. */
export function registerHistoryCommands(deps: CommandDeps): vscode.Disposable {
  return vscode.commands.registerCommand(
    Commands.clearHistory,
    guarded(deps, () => clearHistory(deps)),
  );
}

/**
 * Clears the generations whose text is all in Notion after one question, and those whose text is not
 * (failed writes, interrupted or cancelled runs) only after a second: their text exists nowhere else.
 */
async function clearHistory(deps: CommandDeps): Promise<void> {
  const records = deps.generations.list().filter((r) => r.status !== 'generating');
  if (records.length === 0) {
    void deps.ui.info(vscode.l10n.t('There is no history of generations to clear.'));
    return;
  }
  const inNotion = records.filter(isSafelyInNotion).length;
  const unwritten = records.length - inNotion;
  const clear = vscode.l10n.t('Clear History');
  const question =
    records.length === 1
      ? vscode.l10n.t('Clear the history of 1 generation?')
      : vscode.l10n.t('Clear the history of {0} generations?', records.length);
  const detail =
    unwritten === 0
      ? vscode.l10n.t('What they wrote stays in Notion. Visen forgets their prompts and text on this machine and can no longer undo them.')
      : vscode.l10n.t(
          '{0} are fully in Notion: what they wrote stays there, and Visen forgets them and can no longer undo them. {1} are not fully written to Notion (failed writes, interrupted or cancelled runs): they are kept unless you also clear them in the next question.',
          inNotion,
          unwritten,
        );
  if ((await deps.ui.confirm(question, detail, clear)) !== clear) return;

  let alsoUnwritten = false;
  if (unwritten > 0) {
    const clearToo = vscode.l10n.t('Clear Them Too');
    const keep = vscode.l10n.t('Keep Them');
    const choice = await deps.ui.confirm(
      vscode.l10n.t('Also clear {0} generations not fully written to Notion?', unwritten),
      vscode.l10n.t(
        'Their text is not all in Notion and exists nowhere else: once cleared it cannot be written again with Retry Write, and what they did write cannot be undone.',
      ),
      clearToo,
      keep,
    );
    alsoUnwritten = choice === clearToo;
  }
  const removed = await deps.generations.clear({ unwritten: alsoUnwritten });
  const kept = deps.generations.list().filter((r) => !isSafelyInNotion(r)).length;
  void deps.ui.info(
    kept > 0
      ? vscode.l10n.t('Cleared {0} generations from the history; kept {1} not fully written to Notion.', removed, kept)
      : vscode.l10n.t('Cleared {0} generations from the history.', removed),
  );
}

/**
 * Said once a session when generations whose text is not all in Notion keep the history over
 * `visen.history.maxSizeMB`: Visen never deletes them by itself, so it offers Clear History.
 */
export async function offerClearHistory(deps: CommandDeps, full: { readonly sizeMB: number; readonly limitMB: number }): Promise<void> {
  const clear = vscode.l10n.t('Clear History');
  const choice = await deps.ui.warn(
    vscode.l10n.t(
      'The history of generations is {0} MB, over its limit of {1} MB (visen.history.maxSizeMB), with generations not fully written to Notion. Visen keeps them: write them again, or clear them.',
      full.sizeMB,
      full.limitMB,
    ),
    clear,
  );
  if (choice === clear) await clearHistory(deps);
}

/**
 * At start-up: checks what Visen keeps on this machine. Runs a reload or a crash cut short become
 * interrupted; damaged entries are set aside (never deleted) and named in one notification. Nothing
 * here may stop activation.
 */
export async function recoverStoredState(deps: Pick<CommandDeps, 'generations' | 'connections' | 'usage' | 'ui' | 'log'>): Promise<void> {
  const parts: string[] = [];
  try {
    // One after another: each may append to the set-aside key.
    const history = await deps.generations.recover();
    const connections = await deps.connections.recover();
    const usage = await deps.usage.recover();
    if (history.setAside)
      parts.push(history.setAside === 1 ? vscode.l10n.t('1 generation record') : vscode.l10n.t('{0} generation records', history.setAside));
    if (connections) parts.push(connections === 1 ? vscode.l10n.t('1 connection') : vscode.l10n.t('{0} connections', connections));
    if (usage) parts.push(usage === 1 ? vscode.l10n.t('1 month of usage counts') : vscode.l10n.t('{0} months of usage counts', usage));
  } catch (error) {
    deps.log.error(`Checking the state Visen keeps on this machine failed: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  if (parts.length === 0) return;
  const showLog = vscode.l10n.t('Show Log');
  const choice = await deps.ui.warn(
    vscode.l10n.t(
      'Visen could not read {0} stored on this machine and set them aside: they are kept, not deleted, and everything else is as it was. The log says what was wrong.',
      parts.join(', '),
    ),
    showLog,
  );
  if (choice === showLog) deps.log.show();
}
