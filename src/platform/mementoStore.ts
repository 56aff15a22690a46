import type * as vscode from 'vscode';
import type { KeyValueStore } from '../services/keyValueStore';

/**
 * Services keep state in VS Code's global state through this narrow interface.
 *
 * While a write is on its way to VS Code's storage, the extension host's Memento can briefly go back to an
 * older value: the main process echoes each stored value back, and the echo of an earlier write replaces the
 * whole state after a later write was made locally (see extHostMemento's onDidChangeStorage). A read then
 * would lose the later write, e.g. a count made by one of three rows filled at once. So the value this window
 * last wrote is served until its write has completed; after that the Memento is read again, with what other
 * windows wrote.
 */
export function mementoStore(memento: vscode.Memento): KeyValueStore {
  const pending = new Map<string, { value: unknown; writes: number }>();
  return {
    get: <T>(key: string) => (pending.has(key) ? (pending.get(key)!.value as T) : memento.get<T>(key)),
    update: async (key, value) => {
      const entry = pending.get(key) ?? { value, writes: 0 };
      entry.value = value;
      entry.writes++;
      pending.set(key, entry);
      try {
        await memento.update(key, value);
      } finally {
        if (--entry.writes === 0 && pending.get(key) === entry) pending.delete(key);
      }
    },
  };
}
