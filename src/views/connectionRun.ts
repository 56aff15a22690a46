import type { HostMessage, ProgressView, ResultView, RunView } from './connectionProtocol';

/** Streamed text is gathered for this long before it is posted, so a fast model does not flood the webview. */
const TEXT_FLUSH_MS = 40;

type MutableRun = { -readonly [K in keyof RunView]: RunView[K] };

/**
 * The connection form's run (a generation or a retried write) as its webview sees it: `runStarted`, the
 * text and progress gathered and posted in small batches, then the `result`; the last one is kept for a
 * webview that (re)loads. One run at a time; Cancel aborts its signal.
 */
export class FormRun {
  private run: MutableRun | undefined;
  private abort: AbortController | undefined;
  private runCounter = 0;
  private pendingText = '';
  private pendingProgress: ProgressView | undefined;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;

  /** `ready`: whether the webview is there to post to. */
  constructor(
    private readonly post: (message: HostMessage) => unknown,
    private readonly ready: () => boolean,
  ) {}

  get running(): boolean {
    return this.run?.running ?? false;
  }

  /** The run for the form's state. Text still waiting to be flushed goes out as a `text` message after it: left out here. */
  view(): RunView | undefined {
    return this.run && { ...this.run, text: this.run.text.slice(0, this.run.text.length - this.pendingText.length) };
  }

  /** Starts a run; its id names its messages, its signal is aborted by Cancel. */
  start(kind: RunView['kind'], prompt: string, text: string): { runId: number; signal: AbortSignal } {
    const runId = ++this.runCounter;
    this.run = { runId, kind, running: true, prompt, text };
    this.pendingText = '';
    this.pendingProgress = undefined;
    this.abort = new AbortController();
    if (this.ready()) this.post({ type: 'runStarted', run: { ...this.run } });
    return { runId, signal: this.abort.signal };
  }

  text(runId: number, text: string): void {
    if (this.run?.runId !== runId) return;
    this.run.text += text;
    this.pendingText += text;
    this.scheduleFlush(runId);
  }

  progress(runId: number, progress: ProgressView): void {
    if (this.run?.runId !== runId) return;
    this.pendingProgress = progress;
    this.run.progress = progress;
    this.scheduleFlush(runId);
  }

  /** Ends the run with its result; false when another run took its place meanwhile. */
  finish(runId: number, result: ResultView): boolean {
    this.flush(runId);
    if (this.run?.runId !== runId) return false;
    this.run.running = false;
    this.run.result = result;
    this.abort = undefined;
    if (this.ready()) this.post({ type: 'result', runId, result });
    return true;
  }

  /** Stops the run in progress; its text so far stays in the history. */
  cancel(): void {
    this.abort?.abort();
  }

  dispose(): void {
    this.abort?.abort();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }

  private scheduleFlush(runId: number): void {
    this.flushTimer ??= setTimeout(() => this.flush(runId), TEXT_FLUSH_MS);
  }

  private flush(runId: number): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.run?.runId !== runId) return;
    if (this.ready() && this.pendingText) this.post({ type: 'text', runId, text: this.pendingText });
    if (this.ready() && this.pendingProgress) this.post({ type: 'progress', runId, progress: this.pendingProgress });
    this.pendingText = '';
    this.pendingProgress = undefined;
  }
}
