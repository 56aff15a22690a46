import * as vscode from 'vscode';
import type { InputActivity } from '../platform/ui';
import type { Logger } from '../services/logger';

/** The walkthrough's id in package.json's `contributes.walkthroughs`. */
const WALKTHROUGH = 'visen.getStarted';
const OPENED_KEY = 'visen.walkthrough.opened';

interface WalkthroughManifest {
  contributes?: { walkthroughs?: Array<{ id: string; steps: Array<{ id: string; completionEvents?: string[] }> }> };
}

/**
 * Keeps the walkthrough's check marks in step with what is really set up.
 *
 * The steps complete on context keys (`onContext:` completion events), but VS Code's walkthrough service only
 * ticks a step when it sees the key change while it is loaded: a key that was already true when the service
 * loaded (the walkthrough opened after the secret was stored in the same window, say) leaves its step
 * unticked for good. So each change of a key that completes a step is also told to the service directly,
 * with its "mark step complete / incomplete" commands — which also unticks a step whose key went false
 * (keys cleared, database unset), so the walkthrough never claims a set-up that is gone.
 *
 * The steps and their keys are read from the manifest, so package.json stays the one place they are listed.
 */
export class WalkthroughProgress {
  /** Context key → the fully qualified ids of the steps it completes. */
  private readonly steps = new Map<string, string[]>();

  constructor(
    extension: vscode.Extension<unknown>,
    private readonly log: Logger,
  ) {
    const manifest = extension.packageJSON as WalkthroughManifest;
    for (const walkthrough of manifest.contributes?.walkthroughs ?? []) {
      for (const step of walkthrough.steps) {
        for (const event of step.completionEvents ?? []) {
          const key = /^onContext:([\w.]+)$/.exec(event)?.[1];
          if (!key) continue;
          const ids = this.steps.get(key) ?? [];
          ids.push(`${extension.id}#${walkthrough.id}#${step.id}`);
          this.steps.set(key, ids);
        }
      }
    }
  }

  /** The context keys that complete a step, each with its steps' ids. */
  get keys(): ReadonlyMap<string, readonly string[]> {
    return this.steps;
  }

  /** Ticks (or unticks) the steps this context key completes. Never throws: the check marks are a courtesy. */
  async mark(key: string, value: boolean): Promise<void> {
    const command = value ? 'welcome.markStepComplete' : 'welcome.markStepIncomplete';
    for (const step of this.steps.get(key) ?? []) {
      try {
        await vscode.commands.executeCommand(command, step);
      } catch (error) {
        // An editor without the walkthrough service's commands, or one that has not read Visen's
        // walkthrough yet (the mark is stored all the same).
        this.log.debug(`walkthrough: ${command} ${step}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

/**
 * Opens "Get started with Visen" the first time Visen runs without a Notion secret. VS Code opens it by
 * itself only when Visen is installed in the open window (from the Marketplace or a .vsix); installed any
 * other way (the command line, a profile, a synced list) it would never show.
 *
 * The walkthrough puts the keyboard on its first step as it opens, so it waits until none of Visen's input
 * boxes is open (the command that started Visen is usually asking for something), then opens as an
 * inactive editor.
 */
export async function openWalkthroughOnFirstRun(
  context: vscode.ExtensionContext,
  hasNotionSecret: boolean,
  inputs: InputActivity,
  log: Logger,
): Promise<void> {
  if (context.globalState.get<boolean>(OPENED_KEY) || hasNotionSecret) return;
  await context.globalState.update(OPENED_KEY, true);
  await inputs.whenQuiet(1500);
  try {
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${context.extension.id}#${WALKTHROUGH}`, {
      toSide: false,
      inactive: true,
    });
  } catch (error) {
    log.debug(`walkthrough: could not open it: ${error instanceof Error ? error.message : String(error)}`);
  }
}
