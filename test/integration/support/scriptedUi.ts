import type * as vscode from 'vscode';
import type { CheckedInputOptions, PickedOrTyped, PickOrTypeOptions, ProgressReporter, Ui } from '../../../src/platform/ui';

export interface ShownMessage {
  readonly level: 'info' | 'warn' | 'error' | 'confirm';
  readonly message: string;
  readonly actions: string[];
  readonly detail?: string;
}

export interface AskedInput {
  readonly title: string;
  readonly prompt?: string;
  readonly password: boolean;
  /** Every message the box showed for the answers typed into it, in order. */
  readonly problems: string[];
}

/**
 * Answers Visen's prompts the way a person would, from scripted answers, and records everything shown.
 * Input boxes run Visen's own validation and checks on each answer; a box whose answers run out was
 * dismissed with Escape.
 */
export class ScriptedUi implements Ui {
  /** Typed into the next input boxes, in order. */
  readonly inputs: string[] = [];
  /** Chooses the item in the next quick picks, in order; a string is typed (or pasted) into a pick that takes text. */
  readonly picks: Array<((item: vscode.QuickPickItem) => boolean) | string> = [];
  /** Decides the button pressed on a message or question; undefined dismisses it. */
  respond: (message: ShownMessage) => string | undefined = () => undefined;

  readonly messages: ShownMessage[] = [];
  readonly asked: AskedInput[] = [];
  readonly pickOffers: vscode.QuickPickItem[][] = [];
  /** The titles of the plain quick picks shown, in order. */
  readonly pickTitles: string[] = [];
  /** Progress titles and reports, in order. */
  readonly progressReports: string[] = [];
  readonly opened: string[] = [];
  /** Called with each progress report; abort the controller to press Cancel. */
  onProgress: (message: string, cancel: () => void) => void = () => undefined;

  async pick<T extends vscode.QuickPickItem>(items: readonly T[], options?: { title: string }): Promise<T | undefined> {
    this.pickOffers.push([...items]);
    this.pickTitles.push(options?.title ?? '');
    const choose = this.picks.shift();
    return typeof choose === 'function' ? items.find((item) => choose(item)) : undefined;
  }

  async pickOrType<T extends vscode.QuickPickItem>(
    items: readonly T[],
    options: PickOrTypeOptions<T>,
  ): Promise<PickedOrTyped<T> | undefined> {
    this.pickOffers.push([...items]);
    const choose = this.picks.shift();
    if (typeof choose === 'string') return choose.trim() ? { typed: choose.trim() } : { picked: options.typedItem };
    const picked = choose ? items.find((item) => choose(item)) : undefined;
    return picked && { picked };
  }

  /** Chooses the items of the next multi-pick: a predicate, or undefined to keep the items offered as checked. */
  readonly multiPicks: Array<((item: vscode.QuickPickItem) => boolean) | undefined> = [];

  async pickMany<T extends vscode.QuickPickItem>(items: readonly T[]): Promise<T[] | undefined> {
    this.pickOffers.push([...items]);
    if (this.multiPicks.length === 0) return undefined;
    const choose = this.multiPicks.shift();
    return items.filter((item) => (choose ? choose(item) : item.picked === true));
  }

  async input(options: vscode.InputBoxOptions & { title: string }): Promise<string | undefined> {
    const asked: AskedInput = { title: options.title, prompt: options.prompt, password: options.password ?? false, problems: [] };
    this.asked.push(asked);
    while (this.inputs.length > 0) {
      const value = this.inputs.shift()!;
      const problem = await options.validateInput?.(value);
      const text = typeof problem === 'string' ? problem : problem?.message;
      if (!text) return value;
      asked.problems.push(text);
    }
    return undefined;
  }

  async inputChecked<T>(options: CheckedInputOptions<T>): Promise<T | undefined> {
    const asked: AskedInput = {
      title: options.title,
      prompt: options.prompt,
      password: options.password ?? false,
      problems: options.problem ? [options.problem] : [],
    };
    this.asked.push(asked);
    while (this.inputs.length > 0) {
      const value = this.inputs.shift()!.trim();
      const invalid = options.validate?.(value);
      if (invalid) {
        asked.problems.push(invalid);
        continue;
      }
      const result = await options.check(value, new AbortController().signal);
      if (result.ok) return result.value;
      asked.problems.push(result.message);
    }
    return undefined;
  }

  info(message: string, ...actions: string[]) {
    return this.show({ level: 'info', message, actions });
  }
  warn(message: string, ...actions: string[]) {
    return this.show({ level: 'warn', message, actions });
  }
  error(message: string, ...actions: string[]) {
    return this.show({ level: 'error', message, actions });
  }
  confirm(message: string, detail: string, ...actions: string[]) {
    return this.show({ level: 'confirm', message, detail, actions });
  }

  async progress<R>(title: string, task: (reporter: ProgressReporter, signal: AbortSignal) => Promise<R>): Promise<R> {
    const controller = new AbortController();
    this.progressReports.push(title);
    return task(
      {
        report: (message) => {
          this.progressReports.push(message);
          this.onProgress(message, () => controller.abort());
        },
      },
      controller.signal,
    );
  }

  readonly documents: string[] = [];

  async showDocument(markdown: string): Promise<void> {
    this.documents.push(markdown);
  }

  async openExternal(url: string): Promise<boolean> {
    this.opened.push(url);
    return true;
  }

  /** The last message shown at a level. */
  last(level: ShownMessage['level']): ShownMessage | undefined {
    return [...this.messages].reverse().find((m) => m.level === level);
  }

  private async show(message: ShownMessage): Promise<string | undefined> {
    this.messages.push(message);
    const choice = this.respond(message);
    return choice && message.actions.includes(choice) ? choice : undefined;
  }
}
