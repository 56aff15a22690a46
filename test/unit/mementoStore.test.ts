import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { mementoStore } from '../../src/platform/mementoStore';

/**
 * A Memento that behaves as VS Code's extension-host one does under load: `update` sets the value at once,
 * and the main process's echo of an earlier state can replace every key's value afterwards.
 */
class EchoingMemento implements vscode.Memento {
  values: Record<string, unknown> = {};
  keys(): readonly string[] {
    return Object.keys(this.values);
  }
  get<T>(key: string): T | undefined {
    return this.values[key] as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.values = { ...this.values, [key]: value };
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  /** An echo of an earlier state, as new objects. */
  echo(state: Record<string, unknown>): void {
    this.values = JSON.parse(JSON.stringify(state)) as Record<string, unknown>;
  }
}

describe('Global state through mementoStore', () => {
  it('a count made while an echo of an earlier state comes back is not lost', async () => {
    const memento = new EchoingMemento();
    const store = mementoStore(memento);
    await store.update('visen.connections', [{ id: 'a', prompts: 1 }]);
    const before = JSON.parse(JSON.stringify(memento.values)) as Record<string, unknown>;
    await store.update('visen.connections', [{ id: 'a', prompts: 2 }]);
    // The echo of the first write arrives after the second was made.
    memento.echo(before);
    assert.deepEqual(store.get('visen.connections'), [{ id: 'a', prompts: 2 }], 'this window reads what it wrote');
    await store.update('visen.usage', { prompts: 2 });
    assert.deepEqual(memento.get('visen.connections'), [{ id: 'a', prompts: 2 }], 'the write the echo took away is stored again');
  });

  it('reads what other windows wrote once its own write is stored and a moment has passed', async () => {
    const memento = new EchoingMemento();
    const store = mementoStore(memento);
    await store.update('visen.generations', ['mine']);
    memento.values = { 'visen.generations': ['theirs', 'mine'] };
    await new Promise((resolve) => setTimeout(resolve, 2100));
    assert.deepEqual(store.get('visen.generations'), ['theirs', 'mine']);
  });

  it('checks a long history cheaply, by its length and its ends', async () => {
    const memento = new EchoingMemento();
    const store = mementoStore(memento);
    const history = Array.from({ length: 500 }, (_, i) => ({ id: `r${i}` }));
    await store.update('visen.generations', history);
    memento.echo({ 'visen.generations': history.slice(1) });
    await store.update('visen.usage', {});
    assert.equal((memento.get('visen.generations') as unknown[]).length, 500, 'the lost newest record is stored again');
  });
});
