import type { KeyValueStore } from '../keyValueStore';
import type { NotionPageRef } from './notionPages';

const KEY = 'visen.recentPages';
const MAX = 10;

export interface RecentPage extends NotionPageRef {
  readonly usedAt: string;
}

/** Pages generated into lately, most recent first, offered before "Paste a Notion page URL…". */
export class RecentPages {
  constructor(private readonly store: KeyValueStore) {}

  list(): RecentPage[] {
    const pages = this.store.get<unknown>(KEY);
    if (!Array.isArray(pages)) return [];
    return pages.filter((p): p is RecentPage => typeof p?.id === 'string' && typeof p?.title === 'string' && typeof p?.url === 'string');
  }

  async touch(page: NotionPageRef): Promise<void> {
    const entry: RecentPage = { id: page.id, title: page.title, url: page.url, usedAt: new Date().toISOString() };
    await this.store.update(KEY, [entry, ...this.list().filter((p) => p.id !== page.id)].slice(0, MAX));
  }

  async forget(id: string): Promise<void> {
    await this.store.update(KEY, this.list().filter((p) => p.id !== id));
  }
}
