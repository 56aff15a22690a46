import type * as vscode from 'vscode';
import type { KeyValueStore } from '../services/keyValueStore';

/** How long after its last write a window keeps reading its own value of a key, before the Memento's again. */
const OWN_VALUE_MS = 2000;

/**
 * Services keep state in VS Code's global state through this narrow interface.
 *
 * VS Code's extension-host Memento can briefly go back to an older state: the main process echoes each
 * stored state back, and an echo of an earlier write replaces the whole state (every key) after later writes
 * were made locally (extHostMemento's onDidChangeStorage). Reading then would lose the later write (a count
 * made by one of three rows filled at once), and the next write would even store the older state of other
 * keys. So this window reads back the value it last wrote until that write is stored and a moment has
 * passed, and after each write it checks the Memento holds it, writing it once more if an echo took it away.
 * Past that moment it reads the Memento again, with what other windows wrote.
 */
export function mementoStore(memento: vscode.Memento): KeyValueStore {
  const own = new Map<string, { value: unknown; writes: number; until: number }>();
  const current = (key: string) => {
    const entry = own.get(key);
    if (entry && (entry.writes > 0 || Date.now() < entry.until)) return entry;
    own.delete(key);
    return undefined;
  };
  return {
    get: <T>(key: string) => {
      const entry = current(key);
      return entry ? (entry.value as T) : memento.get<T>(key);
    },
    update: async (key, value) => {
      const entry = current(key) ?? { value, writes: 0, until: 0 };
      entry.value = value;
      entry.writes++;
      own.set(key, entry);
      try {
        await memento.update(key, value);
      } finally {
        entry.writes--;
        entry.until = Date.now() + OWN_VALUE_MS;
      }
      // An echo of an earlier state may have taken away this value, or another one this window wrote
      // moments ago: store those again.
      for (const [ownKey, mine] of own) {
        if (mine.writes > 0 || !current(ownKey)) continue;
        const stored = memento.get(ownKey);
        if (stored !== mine.value && !sameValue(stored, mine.value)) await memento.update(ownKey, mine.value);
      }
    },
  };
}

/** Past this many entries, a list is compared by its length and its ends, so a check stays cheap on a long history. */
const SAMPLED_LIST = 100;

/**
 * Whether the Memento holds what this window wrote. An echo brings the same content as new objects, so
 * content is compared; a long list by its length and its first and last entries, where a lost write shows
 * (the history keeps its newest record first).
 */
function sameValue(stored: unknown, written: unknown): boolean {
  if (Array.isArray(stored) && Array.isArray(written) && written.length > SAMPLED_LIST) {
    return (
      stored.length === written.length &&
      JSON.stringify(stored[0]) === JSON.stringify(written[0]) &&
      JSON.stringify(stored[stored.length - 1]) === JSON.stringify(written[written.length - 1])
    );
  }
  return JSON.stringify(stored) === JSON.stringify(written);
}
