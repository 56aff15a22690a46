import type { TokenUsage } from '../engines/engine';
import type { KeyValueStore } from '../keyValueStore';

const KEY = 'visen.usage.monthly';

export interface MonthUsage {
  readonly prompts: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
}

const EMPTY: MonthUsage = { prompts: 0, inputTokens: 0, outputTokens: 0 };

/** Prompts and tokens per calendar month, for the status bar and the prompt budget. */
export class UsageTracker {
  private readonly listeners = new Set<() => void>();

  constructor(private readonly store: KeyValueStore, private readonly now: () => Date = () => new Date()) {}

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  thisMonth(): MonthUsage {
    return this.all()[monthKey(this.now())] ?? EMPTY;
  }

  /** Whether `prompts` more would go past a monthly budget (0 = unlimited). */
  wouldExceed(budget: number, prompts = 1): boolean {
    return budget > 0 && this.thisMonth().prompts + prompts > budget;
  }

  async add(usage: TokenUsage | undefined): Promise<void> {
    const all = this.all();
    const key = monthKey(this.now());
    const current = all[key] ?? EMPTY;
    all[key] = {
      prompts: current.prompts + 1,
      inputTokens: current.inputTokens + (usage?.inputTokens ?? 0),
      outputTokens: current.outputTokens + (usage?.outputTokens ?? 0),
    };
    // A year of months is plenty of history.
    const kept = Object.fromEntries(Object.entries(all).sort(([a], [b]) => b.localeCompare(a)).slice(0, 12));
    await this.store.update(KEY, kept);
    for (const listener of this.listeners) listener();
  }

  private all(): Record<string, MonthUsage> {
    const stored = this.store.get<Record<string, MonthUsage>>(KEY);
    return stored && typeof stored === 'object' ? { ...stored } : {};
  }
}

function monthKey(date: Date): string {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}`;
}
