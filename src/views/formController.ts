import * as vscode from 'vscode';
import { onDidChange as onDidChangeConfig } from '../platform/config';
import type { WorkflowDeps } from '../workflows/deps';
import type { ParsedMessage, ReadyMessage, Refusal, RequestOf, StateMessage } from './webviewProtocol';

/** Key and setting changes often come in bursts (Save writes several settings, a generation saves several times). */
const REFRESH_DEBOUNCE_MS = 50;

export type { StateMessage } from './webviewProtocol';
type Request<M> = RequestOf<M>;
/** A webview message that is neither `ready` nor a request: what a form acts on. */
export type FormAction<M> = Exclude<M, Request<M> | ReadyMessage>;

export interface FormControllerOptions<M> {
  /** How the log names the form: "Settings form", "Connection form". */
  readonly name: string;
  /** Validates one message from the webview. */
  readonly parse: (raw: unknown) => ParsedMessage<M>;
}

/**
 * What the settings and connection forms' controllers share, without their panels: validating and
 * logging the webview's messages, the `ready` handshake, a state refresh debounced over bursts of key
 * and setting changes, and disposal. A form supplies its state, its actions and its answers to requests.
 *
 * `M` is the form's webview → host messages, `H` its host → webview messages, `S` its state.
 */
export abstract class FormController<M extends { type: string }, H extends { type: string }, S> implements vscode.Disposable {
  /** The webview said `ready` and has not been hidden since: what is posted would reach it. */
  protected ready = false;
  protected disposed = false;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  protected readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    protected readonly deps: WorkflowDeps,
    protected readonly post: (message: H | StateMessage<S> | Refusal) => unknown,
    private readonly form: FormControllerOptions<M>,
  ) {
    this.subscriptions.push(
      this.deps.secrets.onDidChange(() => this.scheduleRefresh()),
      onDidChangeConfig(() => this.scheduleRefresh()),
    );
  }

  /**
   * Handles one message from the webview. An invalid one is logged (by type, never with its values) and
   * refused: a request gets its error `reply` (so the page never waits for ever), anything else a
   * `rejected`, each with what to show next to the field.
   */
  async handle(raw: unknown): Promise<void> {
    if (this.disposed) return;
    const parsed = this.form.parse(raw);
    if (!parsed.ok) {
      const rawType = raw && typeof raw === 'object' ? (raw as { type?: unknown }).type : undefined;
      const type = typeof rawType === 'string' ? `"${rawType.slice(0, 40)}"` : 'without a type';
      this.deps.log.warn(`${this.form.name}: refused an invalid message ${type} (${parsed.problem}).`);
      const requestId = raw && typeof raw === 'object' ? (raw as { requestId?: unknown }).requestId : undefined;
      const field = parsed.field ? { field: parsed.field } : {};
      if (typeof requestId === 'number' && Number.isSafeInteger(requestId) && requestId >= 0) {
        this.post({ type: 'reply', requestId, ok: false, error: parsed.error, ...field });
      } else if (typeof rawType === 'string') {
        this.post({ type: 'rejected', messageType: rawType.slice(0, 40), error: parsed.error, ...field });
      }
      return;
    }
    const message = parsed.message;
    if ('requestId' in message) {
      await this.answer(message as Request<M>);
      return;
    }
    try {
      if (message.type === 'ready') {
        this.ready = true;
        await this.refresh();
      } else {
        await this.act(message as FormAction<M>);
      }
    } catch (error) {
      this.deps.log.error(`${this.form.name}: ${message.type} failed: ${errorMessage(error)}`);
    }
  }

  /** The webview is gone (hidden, so VS Code dropped its page): nothing reaches it until it is ready again. */
  detach(): void {
    this.ready = false;
  }

  /** Sends the whole state now (when the webview is there). */
  async refresh(): Promise<void> {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    if (!this.ready || this.disposed) return;
    const state = await this.state();
    if (this.ready && !this.disposed) this.post({ type: 'state', state });
  }

  dispose(): void {
    this.disposed = true;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.subscriptions.forEach((s) => s.dispose());
  }

  /** A refresh soon, once for a burst of changes. */
  protected scheduleRefresh(): void {
    if (this.disposed || this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      void this.refresh();
    }, REFRESH_DEBOUNCE_MS);
  }

  /** Everything the form shows. */
  protected abstract state(): Promise<S>;

  /** A message that is not a request; a failure is logged. */
  protected abstract act(message: FormAction<M>): Promise<void>;

  /** A request: exactly one `reply` with its request id, whatever happens. */
  protected abstract answer(request: Request<M>): Promise<void>;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
