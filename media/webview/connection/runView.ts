/**
 * The run under the prompt: the text as it streams (a markdown preview), the progress line, and the
 * result with what can be done next (open, retry the write, undo, a command).
 */
import '../shared/l10n';
import * as l10n from '@vscode/l10n';
import type { HostMessage, ResultView } from '../../../src/views/connectionProtocol';
import { replaceChildren, show } from '../shared/dom';
import { renderMarkdown } from '../shared/markdown';
import type { ConnectionForm } from './form';
import { commandButton } from './layout';

type RunMessage = Extract<HostMessage, { type: 'runStarted' | 'text' | 'progress' | 'result' }>;

export class RunPanel {
  private outputFrame = 0;

  constructor(private readonly form: ConnectionForm) {}

  /** A message about the run; one about an older run is ignored. */
  receive(message: RunMessage): void {
    const { form } = this;
    if (message.type === 'runStarted') {
      form.run = { ...message.run };
      this.render(true);
      return;
    }
    const run = form.run;
    if (run?.runId !== message.runId) return;
    switch (message.type) {
      case 'text':
        run.text += message.text;
        this.scheduleOutput();
        return;
      case 'progress':
        run.progress = message.progress;
        this.renderProgress();
        return;
      case 'result':
        run.running = false;
        run.result = message.result;
        if (message.result.status === 'written') {
          form.el.prompt.value = '';
          form.saveDraft();
        }
        this.render(false);
        form.el.result.querySelector<HTMLButtonElement>('button:not([hidden])')?.focus();
        return;
    }
  }

  /** The run and the controls it locks while it runs; `fresh` scrolls the output back to its top. */
  render(fresh: boolean): void {
    const { el, run, state } = this.form;
    const running = !!run?.running;
    // A database connection generates too: a new entry with its mapped properties and a body.
    el.generate.disabled = running || !state?.connection;
    show(el.cancel, running);
    el.prompt.readOnly = running;
    el.engine.disabled = running;
    el.model.readOnly = running;
    el.modeAppend.disabled = running;
    el.modeReplace.disabled = running;
    show(el.run, !!run);
    if (!run) return;
    if (fresh) el.output.scrollTop = 0;
    this.renderOutput();
    this.renderProgress();
    this.renderResult(run.result);
  }

  private scheduleOutput(): void {
    if (this.outputFrame) return;
    this.outputFrame = requestAnimationFrame(() => {
      this.outputFrame = 0;
      this.renderOutput();
    });
  }

  private renderOutput(): void {
    const { el, run } = this.form;
    const stick = el.output.scrollHeight - el.output.scrollTop - el.output.clientHeight < 40;
    replaceChildren(el.output, renderMarkdown(run?.text ?? ''));
    show(el.output, !!run?.text);
    if (stick) el.output.scrollTop = el.output.scrollHeight;
  }

  private renderProgress(): void {
    const { el, run } = this.form;
    const label = run?.progress?.label ?? (run?.kind === 'retryWrite' ? l10n.t('Writing to Notion…') : l10n.t('Starting…'));
    el.progressLabel.textContent = label;
    show(el.progress, !!run?.running);
  }

  private renderResult(result: ResultView | undefined): void {
    const { el, run, state, host } = this.form;
    show(el.result, !!result && !run?.running);
    if (!result) return;
    el.result.className = `result is-${result.status}`;
    el.resultMessage.textContent = result.message;
    el.resultWarning.textContent = result.warning ?? '';
    show(el.resultWarning, !!result.warning);
    show(el.openInNotion, result.canOpen);
    show(el.retryWrite, result.canRetry);
    const item = state?.history.find((entry) => entry.id === result.recordId);
    show(el.undoResult, !!result.canUndo && (item ? item.canUndo : true));
    replaceChildren(el.resultAction, result.action ? commandButton(host, result.action) : null);
  }
}
