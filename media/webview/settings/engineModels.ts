/**
 * The settings form's model rows: one per engine the host lists (the engine registry's), each with its
 * model field, the models to suggest, "Choose…" to list those its key (or VS Code) offers, a hint and an
 * error. Nothing here names an engine: a new one in the registry gets its row from the state.
 *
 * Stable hooks for UI tests, per engine kind: #model-<kind>  #choose-model-<kind>  #model-list-<kind> (select)
 *   #model-<kind>-hint  #model-<kind>-error;  the row: .engine-model[data-engine="<kind>"]
 */
// First: the translations, which the strings below need.
import '../shared/l10n';
import * as l10n from '@vscode/l10n';
import type {
  EngineChoice,
  EngineKind,
  ModelList,
  PersistedSettingsDraft,
  SettingsHostMessage,
  SettingsState,
  SettingsWebviewMessage,
} from '../../../src/views/settingsProtocol';
import { LIMITS, tooLongMessage } from '../../../src/views/formLimits';
import { button, byId, errorText, h, refuseLongPaste, replaceChildren } from '../shared/dom';
import type { Host } from '../shared/host';

/** What the rows need from the rest of the form. */
export interface ModelRowsForm {
  readonly host: Host<SettingsWebviewMessage, SettingsHostMessage, PersistedSettingsDraft>;
  /** The model the row shows: the user's unsaved change, else the saved one. */
  model(engine: EngineChoice): string;
  /** The user typed or chose a model. */
  change(kind: EngineKind, model: string): void;
  error(kind: EngineKind): string | undefined;
  setError(kind: EngineKind, message: string | undefined): void;
}

const field = (kind: EngineKind) => `model-${kind}`;

export class EngineModels {
  private state: SettingsState | undefined;
  private engines: readonly EngineChoice[] = [];
  private readonly lists = new Map<EngineKind, ModelList>();
  private listing: EngineKind | undefined;

  constructor(
    private readonly container: HTMLElement,
    private readonly form: ModelRowsForm,
  ) {}

  /** Builds the rows when the host's engine list changes, then shows each row's model, list, hint and error. */
  render(state: SettingsState): void {
    if (this.engines.map((e) => e.kind).join() !== state.engines.map((e) => e.kind).join()) {
      replaceChildren(this.container, ...state.engines.map((engine) => this.row(engine)));
    }
    this.state = state;
    this.engines = state.engines;
    for (const engine of this.engines) this.renderRow(engine, state);
    this.renderErrors();
  }

  /** Shows each row's error (after a Save, or when one is cleared). */
  renderErrors(): void {
    for (const engine of this.engines) {
      const error = this.form.error(engine.kind);
      replaceChildren(byId(`${field(engine.kind)}-error`), error ?? '');
      byId(field(engine.kind)).setAttribute('aria-invalid', String(!!error));
    }
  }

  private row(engine: EngineChoice): HTMLElement {
    const id = field(engine.kind);
    const keyless = engine.keyName === undefined;
    const input = h('input', {
      id,
      className: 'input',
      attrs: {
        type: 'text',
        list: `models-${engine.kind}`,
        autocomplete: 'off',
        spellcheck: 'false',
        maxlength: LIMITS.model,
        'aria-describedby': `${id}-hint ${id}-error`,
      },
      on: { input: () => this.form.change(engine.kind, input.value) },
    });
    const list = h('select', {
      id: `model-list-${engine.kind}`,
      className: 'select model-list',
      attrs: { 'aria-label': keyless ? l10n.t('Models VS Code offers') : l10n.t('Models your key can use'), hidden: true },
      on: {
        change: () => {
          if (!list.value) return;
          input.value = list.value;
          this.form.change(engine.kind, list.value);
        },
      },
    });
    // A paste longer than a model name may be is refused with a message, not cut.
    refuseLongPaste(input, (length) => this.form.setError(engine.kind, tooLongMessage('model', length)));
    return h(
      'div',
      { className: 'field engine-model', attrs: { 'data-engine': engine.kind } },
      h('label', { attrs: { for: id } }, l10n.t('Model for {0}', engine.label)),
      h(
        'div',
        { className: 'row' },
        input,
        button(l10n.t('Choose…'), `choose-model-${engine.kind}`, 'secondary', () => void this.choose(engine.kind), {
          title: keyless ? l10n.t('List the language models VS Code offers') : l10n.t('List the models your stored key can use'),
        }),
      ),
      h('datalist', { id: `models-${engine.kind}` }, ...engine.suggestedModels.map((m) => h('option', { attrs: { value: m } }))),
      list,
      h('div', { id: `${id}-hint`, className: 'hint' }),
      h('div', { id: `${id}-error`, className: 'field-error', attrs: { role: 'alert' } }),
    );
  }

  private renderRow(engine: EngineChoice, state: SettingsState): void {
    const id = field(engine.kind);
    const input = byId<HTMLInputElement>(id);
    const model = this.form.model(engine);
    if (input.value !== model) input.value = model;
    input.placeholder = engine.defaultModel || l10n.t('The first model VS Code offers');
    const choose = byId<HTMLButtonElement>(`choose-model-${engine.kind}`);
    choose.disabled = this.listing !== undefined;
    replaceChildren(choose, this.listing === engine.kind ? l10n.t('Listing…') : l10n.t('Choose…'));

    const select = byId<HTMLSelectElement>(`model-list-${engine.kind}`);
    const list = this.lists.get(engine.kind);
    if (list && list.models.length > 0) {
      replaceChildren(
        select,
        h(
          'option',
          { attrs: { value: '' } },
          engine.keyName === undefined
            ? l10n.t('{0} models VS Code offers…', list.models.length)
            : l10n.t('{0} models your {1} key can use…', list.models.length, engine.keyName),
        ),
        ...list.models.map((m) => h('option', { attrs: { value: m.id } }, m.label && m.label !== m.id ? `${m.id} — ${m.label}` : m.id)),
      );
      select.value = list.models.some((m) => m.id === input.value) ? input.value : '';
      select.hidden = false;
    } else {
      select.hidden = true;
    }
    replaceChildren(byId(`${id}-hint`), this.hint(engine, state, list));
  }

  private hint(engine: EngineChoice, state: SettingsState, list: ModelList | undefined): string {
    const none = list !== undefined && list.models.length === 0;
    if (engine.keyName === undefined) {
      return none
        ? l10n.t('VS Code offers no language model: install or sign in to a provider such as GitHub Copilot.')
        : l10n.t('A model family or id of the language models VS Code offers (e.g. gpt-4o); empty = the first one. Choose… lists them.');
    }
    if (none) return l10n.t('Your key cannot use any text model.');
    return state.keys.find((k) => k.name === engine.kind)?.set
      ? l10n.t('The {0} model Visen generates with. Choose… lists those your key can use, current ones first.', engine.label)
      : l10n.t('The {0} model Visen generates with. Save your {1} key to list the models it can use.', engine.label, engine.keyName);
  }

  /** Asks the host for the models `kind` can use and shows them under its field. */
  private async choose(kind: EngineKind): Promise<void> {
    if (this.listing) return;
    this.listing = kind;
    this.form.setError(kind, undefined);
    this.refresh();
    try {
      const list = await this.form.host.request<ModelList>({ type: 'listModels', engine: kind });
      this.lists.set(list.engine, list);
    } catch (error) {
      this.form.setError(kind, errorText(error));
    } finally {
      this.listing = undefined;
      this.refresh();
      const select = byId<HTMLSelectElement>(`model-list-${kind}`);
      if (!select.hidden) select.focus();
    }
  }

  /** Renders again with the last state. */
  private refresh(): void {
    if (this.state) this.render(this.state);
  }
}
