/**
 * Step 1 of the connection form: the name, the type and the Notion URL, checked with the host as it is
 * typed; Next creates the connection (or opens the one that exists) and the host answers with step 2.
 */
import '../shared/l10n';
import * as l10n from '@vscode/l10n';
import type { ConnectionType, FormState, ReplyResults, ValidationResult } from '../../../src/views/connectionProtocol';
import { tooLongMessage } from '../../../src/views/formLimits';
import { append, errorText, h, refuseLongPaste, replaceChildren } from '../shared/dom';
import type { ConnectionForm } from './form';
import { commandButton, NAME_PLACEHOLDER, NEXT } from './layout';

const VALIDATE_DELAY_MS = 400;

interface Validation {
  key: string;
  checking: boolean;
  result?: ValidationResult;
  error?: string;
}

export class ConnectStep {
  private validateTimer: ReturnType<typeof setTimeout> | undefined;
  private validateSeq = 0;
  private validation: Validation = { key: '', checking: false };
  private creating = false;

  constructor(private readonly form: ConnectionForm) {
    const { el } = form;
    refuseLongPaste(el.url, (length) => this.showError(tooLongMessage('url', length)));
    el.name.addEventListener('input', () => form.saveDraft());
    el.url.addEventListener('input', () => {
      form.saveDraft();
      this.scheduleValidation();
    });
    el.url.addEventListener('blur', () => void this.validateNow());
    el.type.addEventListener('change', () => {
      form.saveDraft();
      void this.validateNow();
    });
    for (const input of [el.name, el.url]) {
      input.addEventListener('keydown', (event) => {
        if (event.key === 'Enter') {
          event.preventDefault();
          void this.next();
        }
      });
    }
  }

  /** Says what is wrong with the URL, next to it (a refused paste, or the host's answer). */
  showError(message: string): void {
    this.validation = { key: this.key(), checking: false, error: message };
    this.render();
  }

  /** A new state is coming: a Notion secret set (or replaced) since the URL was checked means checking it again. */
  beforeState(previous: FormState | undefined, next: FormState): void {
    if (previous && previous.notionSecretSet !== next.notionSecretSet && !this.validation.result?.ok)
      this.validation = { key: '', checking: false };
  }

  /** Step 1 as the state has it: asks for the Notion secret first, else shows the URL's check. */
  renderStep(state: FormState): void {
    const { el, host } = this.form;
    if (!state.notionSecretSet && !this.validation.result && !this.validation.checking) {
      el.validation.className = 'validation is-error';
      replaceChildren(
        el.validation,
        h('span', { className: 'message' }, l10n.t('Visen needs your Notion token first.')),
        commandButton(host, state.setNotionSecret),
      );
    } else {
      this.render();
    }
    if (el.url.value.trim() && !this.validation.key) void this.validateNow();
  }

  private key(): string {
    return `${this.form.el.type.value}|${this.form.el.url.value.trim()}`;
  }

  private isValid(): boolean {
    return this.validation.key === this.key() && this.validation.result?.ok === true;
  }

  private scheduleValidation(): void {
    if (this.validateTimer) clearTimeout(this.validateTimer);
    if (this.validation.key !== this.key()) {
      this.validation = { key: '', checking: false };
      this.render();
    }
    this.validateTimer = setTimeout(() => void this.validateNow(), VALIDATE_DELAY_MS);
  }

  private async validateNow(): Promise<void> {
    const { el, host } = this.form;
    if (this.validateTimer) clearTimeout(this.validateTimer);
    this.validateTimer = undefined;
    const key = this.key();
    const url = el.url.value.trim();
    if (!url) {
      this.validation = { key: '', checking: false };
      this.render();
      return;
    }
    if (this.validation.key === key && (this.validation.checking || this.validation.result)) return;
    const seq = ++this.validateSeq;
    this.validation = { key, checking: true };
    this.render();
    try {
      const result = await host.request<ReplyResults['validate']>({
        type: 'validate',
        connectionType: el.type.value as ConnectionType,
        url,
      });
      if (seq === this.validateSeq) this.validation = { key, checking: false, result };
    } catch (error) {
      if (seq === this.validateSeq) this.validation = { key, checking: false, error: errorText(error) };
    }
    if (seq === this.validateSeq) this.render();
  }

  /** The URL's check: checking, its title, or what is wrong and what to do. */
  render(): void {
    const { el, host } = this.form;
    const { validation } = this;
    const box = el.validation;
    box.className = 'validation';
    replaceChildren(box);
    const result = validation.key === this.key() ? validation.result : undefined;
    if (validation.checking) {
      box.classList.add('is-checking');
      append(
        box,
        h('span', { className: 'spinner', attrs: { 'aria-hidden': 'true' } }),
        h('span', { className: 'message' }, l10n.t('Checking with Notion…')),
      );
    } else if (validation.error) {
      box.classList.add('is-error');
      append(
        box,
        h('span', { className: 'mark', attrs: { 'aria-hidden': 'true' } }, '✗'),
        h('span', { className: 'message' }, validation.error),
      );
    } else if (result?.ok) {
      box.classList.add('is-ok');
      append(box, h('span', { className: 'mark', attrs: { 'aria-hidden': 'true' } }, '✓'), h('strong', {}, result.title));
      if (result.existingConnection)
        append(
          box,
          h('span', { className: 'hint-inline' }, l10n.t(' — already connected as “{0}”: Next opens it.', result.existingConnection)),
        );
    } else if (result && !result.ok && result.problem !== 'empty') {
      box.classList.add('is-error');
      append(
        box,
        h('span', { className: 'mark', attrs: { 'aria-hidden': 'true' } }, '✗'),
        h('span', { className: 'message' }, result.message),
      );
      if (result.action) append(box, commandButton(host, result.action));
    }
    el.name.placeholder = result?.ok ? result.title : NAME_PLACEHOLDER;
    el.url.setAttribute('aria-invalid', String(!!result && !result.ok && result.problem !== 'empty'));
    el.next.disabled = !this.isValid() || this.creating;
  }

  async next(): Promise<void> {
    const { el, host } = this.form;
    if (this.creating) return;
    if (!this.isValid()) {
      await this.validateNow();
      if (!this.isValid()) return;
    }
    this.creating = true;
    el.next.disabled = true;
    el.next.textContent = l10n.t('Connecting…');
    try {
      await host.request<ReplyResults['create']>({
        type: 'create',
        name: el.name.value.trim(),
        connectionType: el.type.value as ConnectionType,
        url: el.url.value.trim(),
      });
      // The host follows with a state that shows the connection: step 2.
    } catch (error) {
      this.validation = { key: this.key(), checking: false, error: errorText(error) };
    } finally {
      this.creating = false;
      el.next.textContent = NEXT;
      this.render();
    }
  }
}
