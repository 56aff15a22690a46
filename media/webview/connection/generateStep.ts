/**
 * Step 2 of the connection form: the target, the prompt, the engine, model and write mode chosen for the
 * connection, what is missing before it can generate (a key), and Generate.
 */
import '../shared/l10n';
import * as l10n from '@vscode/l10n';
import type { ConnectionView, EngineKind, FormState, ReplyResults, WriteMode } from '../../../src/views/connectionProtocol';
import { tooLongMessage } from '../../../src/views/formLimits';
import { h, onModEnter, refuseLongPaste, replaceChildren, show } from '../shared/dom';
import type { ConnectionForm } from './form';
import { commandButton } from './layout';

export class GenerateStep {
  constructor(private readonly form: ConnectionForm) {
    const { el, host } = form;
    refuseLongPaste(el.prompt, (length) => this.showPromptError(tooLongMessage('prompt', length)));
    el.prompt.addEventListener('input', () => {
      el.prompt.removeAttribute('aria-invalid');
      el.promptError.textContent = '';
      form.saveDraft();
    });
    onModEnter(el.prompt, () => this.generate());
    el.engine.addEventListener('change', () => {
      host.post({ type: 'settings', engine: el.engine.value as EngineKind });
      this.renderEngine();
    });
    el.model.addEventListener('change', () => {
      const model = el.model.value.trim();
      if (model) host.post({ type: 'settings', model });
    });
    for (const radio of [el.modeAppend, el.modeReplace, el.modeHeading]) {
      radio.addEventListener('change', () => {
        host.post({ type: 'settings', writeMode: this.currentMode() });
        void this.renderHeadings();
      });
    }
  }

  generate(): void {
    const { el, host, state, run } = this.form;
    if (!state?.connection || run?.running) return;
    const prompt = el.prompt.value.trim();
    if (!prompt) {
      el.prompt.focus();
      el.prompt.setAttribute('aria-invalid', 'true');
      return;
    }
    const model = el.model.value.trim() || this.currentEngine()?.defaultModel || '';
    const heading = this.currentMode() === 'afterHeading' && el.writeHeading.value ? el.writeHeading.value : undefined;
    host.post({ type: 'generate', prompt, engine: el.engine.value as EngineKind, model, writeMode: this.currentMode(), heading });
  }

  showPromptError(message: string): void {
    this.form.el.promptError.textContent = message;
    this.form.el.prompt.setAttribute('aria-invalid', String(!!message));
  }

  /** The target and the prompt's options as the connection has them. */
  render(state: FormState, connection: ConnectionView): void {
    const { el, host } = this.form;
    el.targetType.textContent = connection.typeLabel;
    el.targetTitle.textContent = connection.target.title;
    el.targetTitle.title = connection.target.url;
    const isDatabase = connection.type === 'database';
    show(el.databaseNotice, isDatabase);
    // A new entry is a new page: there is nothing to append to or replace.
    show(el.writeMode, !isDatabase);
    if (isDatabase) {
      replaceChildren(
        el.databaseNotice,
        h(
          'span',
          {},
          l10n.t(
            'Generate adds a new entry to this database: its title, the properties you map and its page body. To fill existing rows from a prompt template, use',
          ),
        ),
        commandButton(host, { command: 'visen.fillDatabase', label: l10n.t('Fill Database Rows') }),
      );
    }
    el.prompt.placeholder = connection.lastPrompt ?? l10n.t('e.g. A one-page project brief for a weekend hackathon');

    if (el.engine.options.length !== state.engines.length) {
      replaceChildren(el.engine, ...state.engines.map((e) => h('option', { attrs: { value: e.kind } }, e.label)));
    }
    if (document.activeElement !== el.engine) el.engine.value = connection.engine;
    if (document.activeElement !== el.model) el.model.value = connection.model;
    el.modeAppend.checked = connection.writeMode === 'append';
    el.modeReplace.checked = connection.writeMode === 'replace';
    el.modeHeading.checked = connection.writeMode === 'afterHeading';
    this.renderEngine();
    void this.renderHeadings();
  }

  /** After a heading: the page's headings to choose from, read when the mode is chosen (a page without any says so). */
  private async renderHeadings(): Promise<void> {
    const { el, host } = this.form;
    const on = this.currentMode() === 'afterHeading' && this.form.state?.connection?.type === 'page';
    show(el.writeHeading, on && el.writeHeading.options.length > 0);
    show(el.headingNote, on);
    if (!on || this.headingsLoaded) return;
    this.headingsLoaded = true;
    el.headingNote.textContent = l10n.t('Reading the headings of the page…');
    try {
      const headings = await host.request<ReplyResults['headings']>({ type: 'headings' });
      replaceChildren(el.writeHeading, ...headings.map((x) => h('option', { attrs: { value: x.id } }, `${'#'.repeat(x.level)} ${x.text}`)));
      el.headingNote.textContent = headings.length
        ? ''
        : l10n.t('This page has no headings: Generate offers to append at the end instead.');
      show(el.writeHeading, headings.length > 0);
    } catch (error) {
      this.headingsLoaded = false;
      el.headingNote.textContent = error instanceof Error ? error.message : String(error);
    }
  }

  private headingsLoaded = false;

  /** The chosen engine's model suggestions, and the key it still needs, if any. */
  private renderEngine(): void {
    const { el, host, state } = this.form;
    const engine = this.currentEngine();
    if (!engine || !state) return;
    replaceChildren(el.models, ...engine.suggestedModels.map((m) => h('option', { attrs: { value: m } })));
    const missing = !state.notionSecretSet
      ? { text: l10n.t('Visen needs your Notion token to write to the page.'), action: state.setNotionSecret }
      : !engine.keySet
        ? {
            text: l10n.t("Visen needs your {0} API key to generate with it. It is kept in VS Code's secret storage.", engine.label),
            action: engine.setKey,
          }
        : undefined;
    show(el.keyNotice, !!missing);
    if (missing) replaceChildren(el.keyNotice, h('span', {}, missing.text), commandButton(host, missing.action));
  }

  private currentEngine() {
    return this.form.state?.engines.find((e) => e.kind === this.form.el.engine.value);
  }

  private currentMode(): WriteMode {
    const { el } = this.form;
    return el.modeReplace.checked ? 'replace' : el.modeHeading.checked ? 'afterHeading' : 'append';
  }
}
