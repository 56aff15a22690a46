import * as v from 'valibot';
import type { TokenUsage } from '../engines/engine';
import type { KeyValueStore } from '../keyValueStore';
import { type Logger, silentLogger } from '../logger';
import { setAside } from '../storage/setAside';
import { count, readEntry, type StoredFormat, toStored } from '../storage/storedEntry';

const KEY = 'visen.usage.monthly';
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export interface MonthUsage {
  readonly prompts: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
}

const MONTH_USAGE_FORMAT: StoredFormat<MonthUsage> = {
  version: 1,
  migrations: {},
  schema: v.object({ prompts: count, inputTokens: count, outputTokens: count }),
};

const EMPTY: MonthUsage = { prompts: 0, inputTokens: 0, outputTokens: 0 };

interface Read {
  readonly months: Record<string, MonthUsage>;
  /** Months this version does not read, kept as they are until start-up sets the damaged ones aside. */
  readonly kept: Record<string, unknown>;
  readonly damaged: { readonly value: unknown; readonly problem: string }[];
}

/**
 * Prompts and tokens per calendar month, for the status bar and the prompt budget. Every month is
 * validated on load: a damaged one counts as nothing (so the budget keeps counting from there instead of
 * comparing against garbage) and is set aside at start-up, never deleted.
 */
export class UsageTracker {
  private readonly listeners = new Set<() => void>();
  private readonly reported = new Set<string>();

  constructor(
    private readonly store: KeyValueStore,
    private readonly now: () => Date = () => new Date(),
    private readonly logger: Logger = silentLogger,
  ) {}

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  thisMonth(): MonthUsage {
    return this.read().months[monthKey(this.now())] ?? EMPTY;
  }

  /** Whether `prompts` more would go past a monthly budget (0 = unlimited). */
  wouldExceed(budget: number, prompts = 1): boolean {
    return budget > 0 && this.thisMonth().prompts + prompts > budget;
  }

  async add(usage: TokenUsage | undefined): Promise<void> {
    const read = this.read();
    const key = monthKey(this.now());
    const current = read.months[key] ?? EMPTY;
    const months = {
      ...read.months,
      [key]: {
        prompts: current.prompts + 1,
        inputTokens: current.inputTokens + whole(usage?.inputTokens),
        outputTokens: current.outputTokens + whole(usage?.outputTokens),
      },
    };
    await this.write({ ...read, months });
    for (const listener of this.listeners) listener();
  }

  /** At start-up: damaged months move to the set-aside key. Returns how many. */
  async recover(): Promise<number> {
    const read = this.read();
    if (read.damaged.length === 0) return 0;
    await this.write(read);
    return read.damaged.length;
  }

  private read(): Read {
    const stored = this.store.get<unknown>(KEY);
    const read: Read = { months: {}, kept: {}, damaged: [] };
    if (stored === undefined) return read;
    if (!stored || typeof stored !== 'object' || Array.isArray(stored)) {
      read.damaged.push({ value: stored, problem: 'usage is not a table of months' });
      this.report(
        'whole',
        'The stored usage is damaged (not a table of months): counting starts again from zero; the old value is kept aside.',
      );
      return read;
    }
    for (const [month, value] of Object.entries(stored)) {
      const entry = readEntry(MONTH_USAGE_FORMAT, value);
      if (entry.kind === 'valid' && MONTH.test(month)) {
        read.months[month] = entry.value;
        continue;
      }
      read.kept[month] = value;
      if (entry.kind === 'newer') continue;
      const problem = entry.kind === 'damaged' ? `${month}: ${entry.problem}` : `${month}: not a month`;
      read.damaged.push({ value: { [month]: value }, problem });
      this.report(problem, `The stored usage of ${month} is damaged (${problem}) and counts as none; it is kept aside, not deleted.`);
    }
    return read;
  }

  private async write(read: Read): Promise<void> {
    let kept = read.kept;
    if (read.damaged.length) {
      await setAside(this.store, KEY, read.damaged);
      const damagedMonths = new Set(read.damaged.flatMap((d) => (d.value && typeof d.value === 'object' ? Object.keys(d.value) : [])));
      kept = Object.fromEntries(Object.entries(kept).filter(([month]) => !damagedMonths.has(month)));
    }
    // A year of months is plenty of history.
    const months = Object.entries(read.months)
      .sort(([a], [b]) => b.localeCompare(a))
      .slice(0, 12);
    await this.store.update(KEY, {
      ...kept,
      ...Object.fromEntries(months.map(([month, usage]) => [month, toStored(MONTH_USAGE_FORMAT, usage)])),
    });
  }

  private report(key: string, message: string): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.logger.warn(message);
  }
}

function whole(tokens: number | undefined): number {
  return typeof tokens === 'number' && Number.isFinite(tokens) && tokens > 0 ? Math.round(tokens) : 0;
}

function monthKey(date: Date): string {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}`;
}
