import type * as vscode from 'vscode';
import type { KeyValueStore } from '../services/keyValueStore';

/** Services keep state in VS Code's global state through this narrow interface. */
export function mementoStore(memento: vscode.Memento): KeyValueStore {
  return {
    get: <T>(key: string) => memento.get<T>(key),
    update: (key, value) => Promise.resolve(memento.update(key, value)),
  };
}
