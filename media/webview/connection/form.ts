/**
 * What the parts of the connection form share: the host, the page's elements, the last state and run the
 * host sent, and what the user typed (kept with vscode.setState, so it survives a hidden tab or a reload).
 */
import type { FormState, HostMessage, PersistedFormState, RunView, WebviewMessage } from '../../../src/views/connectionProtocol';
import type { Host } from '../shared/host';
import type { ConnectionElements } from './layout';

export type ConnectionHost = Host<WebviewMessage, HostMessage, PersistedFormState>;

type MutableRun = { -readonly [K in keyof RunView]: RunView[K] };

export interface ConnectionForm {
  readonly host: ConnectionHost;
  readonly el: ConnectionElements;
  state?: FormState;
  /** The generation in progress, or the last one's result. */
  run?: MutableRun;
  /** History entries the user opened. */
  readonly expanded: Set<string>;
  /** Keeps what the user typed, with `change` on top. */
  saveDraft(change?: Partial<PersistedFormState>): void;
}
