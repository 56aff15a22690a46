import * as vscode from 'vscode';
import { WALKTHROUGH_ID } from '../constants';

const SHOWN_KEY = 'visen.walkthroughShown';

/** Opens "Get started with Visen" once, the first time Visen runs. */
export function showWalkthroughOnFirstRun(context: vscode.ExtensionContext): void {
  if (context.globalState.get<boolean>(SHOWN_KEY)) return;
  void context.globalState.update(SHOWN_KEY, true);
  void vscode.commands.executeCommand('workbench.action.openWalkthrough', `${context.extension.id}#${WALKTHROUGH_ID}`, false);
}
