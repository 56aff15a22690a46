/**
 * The small persistent store services keep state in (VS Code's global state in the extension). As with
 * VS Code's Memento, `update` keeps a copy of the value, and `get` returns that copy, the same object
 * until the next `update`: readers can tell whether anyone wrote since they last looked.
 */
export interface KeyValueStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Promise<void>;
}

import { MemoryFolder } from './storage/recordFolder';

/** An in-memory store for tests and for running the services outside VS Code; it behaves like a Memento. */
export class MemoryStore implements KeyValueStore {
  private readonly values = new Map<string, unknown>();
  /** Where a history kept with this store puts its records when given no folder of its own. */
  readonly folder = new MemoryFolder();

  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }

  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, structuredClone(value));
  }
}
