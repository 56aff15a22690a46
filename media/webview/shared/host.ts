/**
 * The webview's side of the messaging with its host: the one `acquireVsCodeApi()` handle, a `ready`
 * handshake, and requests whose `reply` (matched by request id) resolves or rejects the caller's promise.
 * Generic over a webview's protocol, so another form can use it with its own message types; the envelope
 * is the one of src/views/webviewProtocol.ts.
 */
import type { ReplyMessage } from '../../../src/views/webviewProtocol';

interface VsCodeApi<S> {
  postMessage(message: unknown): void;
  getState(): S | undefined;
  setState(state: S): S;
}

declare function acquireVsCodeApi<S>(): VsCodeApi<S>;

/** A union member without its request id (Omit alone would merge the union's members). */
type WithoutId<T> = T extends unknown ? Omit<T, 'requestId'> : never;

export type Reply = ReplyMessage;

/** A request the host refused; `field` names the form field the message belongs next to, when one does. */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export class Host<Outgoing extends { type: string }, Incoming extends { type: string }, State extends object> {
  private readonly api = acquireVsCodeApi<State>();
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextRequestId = 1;

  constructor(private readonly onMessage: (message: Incoming) => void) {
    window.addEventListener('message', (event: MessageEvent<unknown>) => {
      const message = event.data as (Incoming | Reply) | undefined;
      if (!message || typeof message !== 'object' || typeof message.type !== 'string') return;
      if (message.type === 'reply') this.settle(message as Reply);
      else this.onMessage(message as Incoming);
    });
  }

  /** Tells the host the page is listening; it answers with the whole state. */
  ready(): void {
    this.api.postMessage({ type: 'ready' });
  }

  post(message: Outgoing): void {
    this.api.postMessage(message);
  }

  /** Sends a message that carries a request id and waits for its reply. */
  request<R>(message: WithoutId<Extract<Outgoing, { requestId: number }>>): Promise<R> {
    const requestId = this.nextRequestId++;
    return new Promise<R>((resolve, reject) => {
      this.pending.set(requestId, { resolve: resolve as (value: unknown) => void, reject });
      this.api.postMessage({ ...message, requestId });
    });
  }

  /** What the page keeps across reloads (VS Code drops hidden webviews): form input only, never a key. */
  get state(): State | undefined {
    return this.api.getState();
  }

  set state(state: State) {
    this.api.setState(state);
  }

  private settle(reply: Reply): void {
    const waiting = this.pending.get(reply.requestId);
    if (!waiting) return;
    this.pending.delete(reply.requestId);
    if (reply.ok) waiting.resolve(reply.result);
    else waiting.reject(new RequestError(reply.error, reply.field));
  }
}
