/**
 * The connection's history under step 2: one collapsible entry per generation, its text loaded from the
 * host when it is opened, with Undo, Retry Write and Open in Notion where they apply.
 */
import '../shared/l10n';
import * as l10n from '@vscode/l10n';
import type { HistoryItem, ReplyResults } from '../../../src/views/connectionProtocol';
import { append, button, errorText, h, replaceChildren } from '../shared/dom';
import { renderMarkdown } from '../shared/markdown';
import type { ConnectionForm } from './form';
import { OPEN_IN_NOTION, RETRY_WRITE } from './layout';

export class HistoryList {
  /** The generated text of the entries opened so far, by record id. */
  private readonly contents = new Map<string, string>();

  constructor(private readonly form: ConnectionForm) {}

  render(): void {
    const { el, state } = this.form;
    const connection = state?.connection;
    if (!connection || !state) return;
    el.usage.textContent = connection.usage;
    const items = state.history;
    if (items.length === 0) {
      replaceChildren(
        el.historyList,
        h('p', { className: 'history-empty' }, l10n.t('No generations yet: type a prompt above and press Generate.')),
      );
      return;
    }
    replaceChildren(el.historyList, h('ul', { className: 'history-items' }, ...items.map((item) => this.item(item))));
  }

  async undo(item: Pick<HistoryItem, 'id'>): Promise<void> {
    try {
      await this.form.host.request<ReplyResults['undo']>({ type: 'undo', recordId: item.id });
    } catch (error) {
      const details = this.form.el.historyList.querySelector(`[data-record-id="${CSS.escape(item.id)}"] .actions`);
      if (details) append(details, h('span', { className: 'error' }, errorText(error)));
    }
  }

  /** One entry: its summary, its text (loaded when it is opened) and its actions. */
  private item(item: HistoryItem): HTMLLIElement {
    const { expanded } = this.form;
    if (item.status === 'generating') this.contents.delete(item.id);
    const body = h('div', { className: 'history-content preview' });
    const details = h(
      'details',
      { className: 'history-item', attrs: { 'data-record-id': item.id, 'data-status': item.status, open: expanded.has(item.id) } },
      entrySummary(item),
      body,
      this.actions(item),
    );
    details.addEventListener('toggle', () => {
      if (details.open) {
        expanded.add(item.id);
        void this.fill(item, body);
      } else {
        expanded.delete(item.id);
      }
      this.form.saveDraft();
    });
    if (details.open) void this.fill(item, body);
    return h('li', {}, details);
  }

  /** Undo, Retry Write and Open in Notion, each where it applies. */
  private actions(item: HistoryItem): HTMLDivElement {
    const { host } = this.form;
    return h(
      'div',
      { className: 'actions' },
      item.canUndo ? button(l10n.t('Undo'), `undo-${item.id}`, 'secondary history-undo', () => void this.undo(item)) : null,
      item.canRetry
        ? button(RETRY_WRITE, `retry-${item.id}`, 'secondary history-retry', () => host.post({ type: 'retryWrite', recordId: item.id }))
        : null,
      item.writtenBlocks > 0
        ? button(OPEN_IN_NOTION, `open-${item.id}`, 'secondary', () => host.post({ type: 'openInNotion', recordId: item.id }))
        : null,
    );
  }

  /** Shows the entry's text in `body`, asking the host for it the first time. */
  private async fill(item: HistoryItem, body: HTMLDivElement): Promise<void> {
    if (!this.contents.has(item.id)) {
      replaceChildren(body, h('span', { className: 'hint' }, l10n.t('Loading…')));
      try {
        this.contents.set(
          item.id,
          await this.form.host.request<ReplyResults['historyContent']>({ type: 'historyContent', recordId: item.id }),
        );
      } catch (error) {
        replaceChildren(body, h('span', { className: 'error' }, errorText(error)));
        return;
      }
    }
    const text = this.contents.get(item.id) ?? '';
    replaceChildren(body, text ? renderMarkdown(text) : h('span', { className: 'hint' }, l10n.t('No text was generated.')));
  }
}

/** An entry's summary: its prompt, when, the engine, its status and, for a replace, the mode. */
function entrySummary(item: HistoryItem): HTMLElement {
  return h(
    'summary',
    {},
    h('span', { className: 'history-prompt' }, item.prompt),
    h(
      'span',
      { className: 'history-meta' },
      h('time', { attrs: { datetime: item.createdAt, title: localTime(item.createdAt) } }, item.when),
      ' · ',
      item.engine,
      ' · ',
      h('span', { className: `history-status status-${item.status}` }, item.statusLabel),
      item.mode === 'replace' ? ' · ' : '',
      item.mode === 'replace'
        ? l10n.t({ message: 'replace', comment: ['In a history entry: the generation replaced the page content.'] })
        : '',
    ),
  );
}

/** A moment as VS Code's display language (the page's <html lang>) writes dates and times. */
function localTime(iso: string): string {
  const date = new Date(iso);
  try {
    return date.toLocaleString(document.documentElement.lang || undefined);
  } catch {
    // A language tag Intl does not accept.
    return date.toLocaleString();
  }
}
