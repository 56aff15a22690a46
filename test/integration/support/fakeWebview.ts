import * as assert from 'assert';

/** The host side of a form, as a webview reaches it. */
interface FormHost {
  handle(raw: unknown): Promise<void>;
  dispose(): void;
}

type Reply =
  { type: 'reply'; requestId: number; ok: true; result: unknown } | { type: 'reply'; requestId: number; ok: false; error: string };

/**
 * Plays a form's webview: sends protocol messages into its controller, awaits replies, and keeps
 * everything the host posted, both parsed and exactly as postMessage would carry it (JSON text).
 * `Message` is the form's host → webview messages, `State` what its `state` message carries. A form's
 * suite extends it with helpers in that form's terms.
 */
export class FakeWebview<Message extends { type: string }, State, Controller extends FormHost> {
  readonly posted: Message[] = [];
  /** Exactly what postMessage would carry, as text: searched for keys at the end. */
  readonly wire: string[] = [];
  readonly controller: Controller;
  private nextRequestId = 1;

  /** `create` makes the controller with the `post` to give it. */
  constructor(create: (post: (message: Message) => void) => Controller) {
    this.controller = create((message) => {
      // What postMessage would carry: a JSON-safe copy.
      const json = JSON.stringify(message);
      this.wire.push(json);
      this.posted.push(JSON.parse(json) as Message);
    });
  }

  send(message: unknown): Promise<void> {
    return this.controller.handle(message);
  }

  /** Sends a request and returns its reply, whether it succeeded or not. */
  async reply(message: Record<string, unknown>): Promise<Reply> {
    const requestId = this.nextRequestId++;
    await this.send({ ...message, requestId });
    const reply = (this.posted as Array<{ type: string }>).find(
      (m): m is Reply => m.type === 'reply' && (m as Reply).requestId === requestId,
    );
    assert.ok(reply, `a reply to request ${requestId} (${String(message.type)})`);
    return reply;
  }

  /** Sends a request and returns its reply's result; fails the test on an error reply. */
  async request<T>(message: Record<string, unknown>): Promise<T> {
    const reply = await this.reply(message);
    assert.ok(reply.ok, `request ${String(message.type)} failed: ${reply.ok ? '' : reply.error}`);
    return reply.result as T;
  }

  of<T extends Message['type']>(type: T): Array<Extract<Message, { type: T }>> {
    return this.posted.filter((m): m is Extract<Message, { type: T }> => m.type === type);
  }

  /** Every state the host sent, oldest first. */
  get states(): State[] {
    return this.posted.filter((m) => m.type === 'state').map((m) => (m as unknown as { state: State }).state);
  }

  /** The latest state the host sent. */
  get state(): State {
    const states = this.states;
    assert.ok(states.length > 0, 'the host sent a state');
    return states[states.length - 1];
  }

  async waitFor(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
