import type { KeyValueStore } from '../keyValueStore';

/** Where damaged entries go: out of the way of the code that reads them, never deleted. */
export const SET_ASIDE_KEY = 'visen.setAside';

export interface SetAsideEntry {
  /** The key it was stored under. */
  readonly from: string;
  readonly problem: string;
  readonly setAsideAt: string;
  /** The entry exactly as it was stored. */
  readonly value: unknown;
}

/**
 * Moves damaged entries under `SET_ASIDE_KEY`, appending to what is there. An entry already there (the
 * same key and value, e.g. a start-up stopped between the two writes) is not added twice.
 */
export async function setAside(
  store: KeyValueStore,
  from: string,
  entries: readonly { readonly value: unknown; readonly problem: string }[],
): Promise<void> {
  if (entries.length === 0) return;
  const stored = store.get<unknown>(SET_ASIDE_KEY);
  const existing: unknown[] = Array.isArray(stored)
    ? [...stored]
    : stored === undefined
      ? []
      : [{ from: SET_ASIDE_KEY, problem: 'not a list', setAsideAt: new Date().toISOString(), value: stored }];
  const known = new Set(existing.map((e) => fingerprint((e as Partial<SetAsideEntry>)?.from, (e as Partial<SetAsideEntry>)?.value)));
  const at = new Date().toISOString();
  for (const entry of entries) {
    const key = fingerprint(from, entry.value);
    if (known.has(key)) continue;
    known.add(key);
    existing.push({ from, problem: entry.problem, setAsideAt: at, value: entry.value } satisfies SetAsideEntry);
  }
  await store.update(SET_ASIDE_KEY, existing);
}

/** Everything set aside so far. */
export function setAsideEntries(store: KeyValueStore): SetAsideEntry[] {
  const stored = store.get<unknown>(SET_ASIDE_KEY);
  return Array.isArray(stored) ? (stored as SetAsideEntry[]) : [];
}

function fingerprint(from: unknown, value: unknown): string {
  return `${String(from)}\u0000${JSON.stringify(value) ?? 'undefined'}`;
}
