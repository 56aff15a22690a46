import * as vscode from 'vscode';
import type { PreviewDocuments } from './previewDocuments';

export type CheckResult<T> = { ok: true; value: T } | { ok: false; message: string };

export interface CheckedInputOptions<T> {
  readonly title: string;
  readonly prompt: string;
  readonly placeholder?: string;
  readonly password?: boolean;
  readonly value?: string;
  /** A problem with `value` to show when the box opens (a value typed elsewhere that did not pass). */
  readonly problem?: string;
  /** Shown while `check` runs. */
  readonly checkingMessage: string;
  /** Synchronous validation while typing (e.g. empty). */
  readonly validate?: (value: string) => string | undefined;
  /** Runs on Enter; a failure keeps the box open with its message, so the user can correct the value. */
  readonly check: (value: string, signal: AbortSignal) => Promise<CheckResult<T>>;
}

/** What a quick pick that also takes typed text resolves to: an item, or the text typed or pasted into it. */
export type PickedOrTyped<T> = { readonly picked: T; readonly typed?: undefined } | { readonly typed: string; readonly picked?: undefined };

export interface PickOrTypeOptions<T> extends vscode.QuickPickOptions {
  readonly title: string;
  /** The item that stands for "use what I typed" (e.g. "Paste a Notion page URL…"). */
  readonly typedItem: T;
  /** Its label while the box holds text. */
  readonly typedLabel: string;
}

export interface ProgressReporter {
  report(message: string, increment?: number): void;
}

/**
 * The slice of VS Code's UI Visen's commands use. A thin adapter, so extension-host tests can answer
 * prompts in place of a person without touching `vscode.window` itself.
 */
export interface Ui {
  pick<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions & { title: string }): Thenable<T | undefined>;
  /**
   * A quick pick that also takes what is typed or pasted into it: Enter on `typedItem` (or on no item)
   * with text in the box resolves to that text, so a pasted link is used as it is, not asked for again.
   */
  pickOrType<T extends vscode.QuickPickItem>(items: readonly T[], options: PickOrTypeOptions<T>): Promise<PickedOrTyped<T> | undefined>;
  /** A quick pick with check boxes; items with `picked` start checked. */
  pickMany<T extends vscode.QuickPickItem>(
    items: readonly T[],
    options: vscode.QuickPickOptions & { title: string },
  ): Thenable<T[] | undefined>;
  input(options: vscode.InputBoxOptions & { title: string }): Thenable<string | undefined>;
  inputChecked<T>(options: CheckedInputOptions<T>): Promise<T | undefined>;
  info(message: string, ...actions: string[]): Thenable<string | undefined>;
  warn(message: string, ...actions: string[]): Thenable<string | undefined>;
  error(message: string, ...actions: string[]): Thenable<string | undefined>;
  /** A modal question; resolves to the chosen action, or undefined for Cancel. */
  confirm(message: string, detail: string, ...actions: string[]): Thenable<string | undefined>;
  progress<R>(title: string, task: (reporter: ProgressReporter, signal: AbortSignal) => Promise<R>): Thenable<R>;
  openExternal(url: string): Thenable<boolean>;
  /** Opens markdown rendered, from a read-only document (closing it never asks to save). */
  showDocument(markdown: string): Thenable<void>;
}

/**
 * Whether one of Visen's input boxes, quick picks or modal questions is open, so that something which would
 * take the keyboard (the walkthrough focuses its first step when it opens) can wait until the user is done.
 */
export class InputActivity {
  private open = 0;
  private lastChange = Date.now();

  track<T>(shown: Thenable<T>): Promise<T> {
    this.open++;
    this.lastChange = Date.now();
    return Promise.resolve(shown).finally(() => {
      this.open--;
      this.lastChange = Date.now();
    });
  }

  /**
   * Resolves once nothing has been open for `quietMs`, counted from the last box closing or from when
   * this was made (a command that activated Visen opens its first box within moments of activation).
   */
  async whenQuiet(quietMs: number, pollMs = 200): Promise<void> {
    while (this.open > 0 || Date.now() - this.lastChange < quietMs) {
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }
}

export function createUi(activity: InputActivity, previews: PreviewDocuments): Ui {
  return {
    pick: (items, options) => activity.track(vscode.window.showQuickPick(items, { ignoreFocusOut: true, ...options })),
    pickOrType: (items, options) => activity.track(pickOrType(items, options)),
    pickMany: (items, options) =>
      activity.track(vscode.window.showQuickPick(items, { ignoreFocusOut: true, ...options, canPickMany: true })),
    input: (options) => activity.track(vscode.window.showInputBox({ ignoreFocusOut: true, ...options })),
    inputChecked: (options) => activity.track(inputChecked(options)),
    info: (message, ...actions) => vscode.window.showInformationMessage(message, ...actions),
    warn: (message, ...actions) => vscode.window.showWarningMessage(message, ...actions),
    error: (message, ...actions) => vscode.window.showErrorMessage(message, ...actions),
    confirm: (message, detail, ...actions) =>
      activity.track(vscode.window.showWarningMessage(message, { modal: true, detail }, ...actions)),
    progress: (title, task) =>
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
        const controller = new AbortController();
        const subscription = token.onCancellationRequested(() => controller.abort());
        return task({ report: (message, increment) => progress.report({ message, increment }) }, controller.signal).finally(() =>
          subscription.dispose(),
        );
      }),
    openExternal: (url) => vscode.env.openExternal(vscode.Uri.parse(url)),
    showDocument: (markdown) => previews.show(markdown),
  };
}

function pickOrType<T extends vscode.QuickPickItem>(
  items: readonly T[],
  options: PickOrTypeOptions<T>,
): Promise<PickedOrTyped<T> | undefined> {
  return new Promise((resolve) => {
    const pick = vscode.window.createQuickPick<T>();
    pick.title = options.title;
    pick.placeholder = options.placeHolder;
    pick.matchOnDescription = options.matchOnDescription ?? false;
    pick.matchOnDetail = options.matchOnDetail ?? false;
    pick.ignoreFocusOut = true;
    const typedItem = options.typedItem;
    const relabeled: T = { ...typedItem, label: options.typedLabel, alwaysShow: true };
    let hasText = false;
    const showItems = (text: boolean) => {
      hasText = text;
      pick.items = items.map((item) => (item === typedItem && text ? relabeled : item));
    };
    showItems(false);
    let done = false;
    const finish = (value: PickedOrTyped<T> | undefined) => {
      if (done) return;
      done = true;
      resolve(value);
      pick.dispose();
    };
    pick.onDidChangeValue((value) => {
      if (!!value.trim() !== hasText) showItems(!!value.trim());
    });
    pick.onDidAccept(() => {
      const typed = pick.value.trim();
      const chosen = pick.selectedItems[0] ?? pick.activeItems[0];
      if (typed && (!chosen || chosen === relabeled || chosen === typedItem)) finish({ typed });
      else if (chosen) finish({ picked: chosen === relabeled ? typedItem : chosen });
    });
    pick.onDidHide(() => finish(undefined));
    pick.show();
  });
}

/** An input box that checks its value on Enter and stays open, busy, until the check passes or the user leaves. */
function inputChecked<T>(options: CheckedInputOptions<T>): Promise<T | undefined> {
  return new Promise((resolve) => {
    const box = vscode.window.createInputBox();
    box.title = options.title;
    box.prompt = options.prompt;
    box.placeholder = options.placeholder;
    box.password = options.password ?? false;
    box.value = options.value ?? '';
    box.ignoreFocusOut = true;
    if (options.problem) box.validationMessage = { message: options.problem, severity: vscode.InputBoxValidationSeverity.Error };
    let checking: AbortController | undefined;
    let done = false;
    const finish = (value: T | undefined) => {
      if (done) return;
      done = true;
      checking?.abort();
      resolve(value);
      box.dispose();
    };
    const subscriptions = [
      box.onDidChangeValue((value) => {
        checking?.abort();
        box.busy = false;
        box.enabled = true;
        box.validationMessage = value ? options.validate?.(value) : undefined;
      }),
      box.onDidAccept(async () => {
        const value = box.value.trim();
        const invalid = options.validate?.(value);
        if (invalid) {
          box.validationMessage = invalid;
          return;
        }
        checking?.abort();
        const controller = new AbortController();
        checking = controller;
        box.busy = true;
        box.enabled = false;
        box.validationMessage = undefined;
        box.prompt = options.checkingMessage;
        const result = await options.check(value, controller.signal).catch((error: unknown): CheckResult<T> => ({
          ok: false,
          message: error instanceof Error ? error.message : String(error),
        }));
        if (controller.signal.aborted || done) return;
        box.busy = false;
        box.enabled = true;
        box.prompt = options.prompt;
        if (result.ok) finish(result.value);
        else box.validationMessage = { message: result.message, severity: vscode.InputBoxValidationSeverity.Error };
      }),
      box.onDidHide(() => finish(undefined)),
    ];
    box.onDidHide(() => subscriptions.forEach((s) => s.dispose()));
    box.show();
  });
}
