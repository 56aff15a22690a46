/**
 * The settings form's fixed markup: the groups, their fields and the footer. The engines' model rows are
 * not here: they come from the host's state (engineModels.ts) and go into `#engine-models`.
 */
// First: the translations, which the constants below already need.
import '../shared/l10n';
import * as l10n from '@vscode/l10n';
import type { FieldName, KeyName, SettingName } from '../../../src/views/settingsProtocol';
import { LIMITS } from '../../../src/views/formLimits';
import { button, byId, h } from '../shared/dom';

export const KEYS: readonly KeyName[] = ['notion', 'gemini', 'openai'];
const KEY_HINTS: Record<KeyName, string> = {
  notion: l10n.t('From notion.so/profile/integrations → your internal integration. Starts with ntn_ or secret_.'),
  gemini: l10n.t('From Google AI Studio (aistudio.google.com/apikey).'),
  openai: l10n.t('From platform.openai.com/api-keys, or the key of your OpenAI-compatible server.'),
};
const KEY_TITLES: Record<KeyName, string> = { notion: l10n.t('Notion integration secret'), gemini: l10n.t('Gemini API key'), openai: l10n.t('OpenAI API key') };
const REMOVE_LABELS: Record<KeyName, string> = {
  notion: l10n.t('Remove the Notion integration secret'),
  gemini: l10n.t('Remove the Gemini API key'),
  openai: l10n.t('Remove the OpenAI API key'),
};

/** Plain text fields, each bound to the setting of the same name. */
export const TEXT_FIELDS = ['connectionsDatabase', 'instructions', 'openaiBaseUrl', 'geminiBaseUrl', 'notionApiBaseUrl'] as const;

/** What the form's buttons do. */
export interface LayoutActions {
  save(): void;
  removeKey(name: KeyName): void;
  createDatabase(): void;
  clearKeys(): void;
  /** The advanced group was opened or closed. */
  toggled(): void;
}

export const errorSlot = (field: FieldName, id = `${field}-error`) => h('div', { id, className: 'field-error', attrs: { role: 'alert' } });

const textField = (name: SettingName, label: string, hint: string, attrs: Record<string, string | number> = {}) =>
  h('div', { className: 'field' },
    h('label', { attrs: { for: name } }, label),
    h('input', { id: name, className: 'input', attrs: { type: 'text', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': `${name}-hint ${name}-error`, ...attrs } }),
    h('div', { id: `${name}-hint`, className: 'hint' }, hint),
    errorSlot(name),
  );

const keyField = (name: KeyName, actions: LayoutActions) =>
  h('div', { className: 'field key-field', attrs: { 'data-key': name } },
    h('div', { className: 'key-label' },
      h('label', { attrs: { for: `key-${name}` } }, KEY_TITLES[name]),
      h('span', { id: `key-${name}-status`, className: 'key-status', attrs: { 'aria-live': 'polite' } }),
    ),
    h('div', { className: 'row' },
      h('input', {
        id: `key-${name}`,
        className: 'input',
        attrs: { type: 'password', autocomplete: 'off', spellcheck: 'false', maxlength: LIMITS.key, 'aria-describedby': `key-${name}-status key-${name}-hint key-${name}-error` },
      }),
      button(l10n.t('Remove'), `remove-${name}`, 'secondary', () => actions.removeKey(name), { 'aria-label': REMOVE_LABELS[name] }),
    ),
    h('div', { id: `key-${name}-hint`, className: 'hint' }, KEY_HINTS[name]),
    errorSlot(name, `key-${name}-error`),
  );

/** Builds the form into the page's body and returns its elements. */
export function buildSettingsForm(actions: LayoutActions) {
  document.body.append(
    h('form', { id: 'settings', className: 'form settings', attrs: { novalidate: true, 'aria-labelledby': 'heading' }, on: { submit: (e) => { e.preventDefault(); actions.save(); } } },
      h('header', { className: 'header' },
        h('h1', { id: 'heading' }, l10n.t('Visen Settings')),
        h('span', { className: 'hint' }, l10n.t('Saved on this machine: keys in VS Code\'s secret storage, the rest in your user settings.')),
      ),

      h('section', { className: 'group', attrs: { 'aria-labelledby': 'notion-heading' } },
        h('h2', { id: 'notion-heading' }, l10n.t('Notion')),
        h('div', { className: 'field' },
          h('label', { attrs: { for: 'connectionsDatabase' } }, l10n.t('Connections database')),
          h('div', { className: 'row' },
            h('input', { id: 'connectionsDatabase', className: 'input', attrs: { type: 'url', autocomplete: 'off', spellcheck: 'false', maxlength: LIMITS.url, placeholder: l10n.t({ message: 'https://www.notion.so/…?v=…', comment: ['An example address, shown in the empty field.'] }), 'aria-describedby': 'connectionsDatabase-hint connectionsDatabase-error' } }),
            button(l10n.t('Create…'), 'create-database', 'secondary', () => actions.createDatabase(), { title: l10n.t('Create a connections database in a Notion page your integration can see') }),
          ),
          h('div', { id: 'connectionsDatabase-hint', className: 'hint' }, l10n.t('Where Visen mirrors your connections. The link of a database shared with your integration; Save checks it with Notion.')),
          errorSlot('connectionsDatabase'),
        ),
        keyField('notion', actions),
      ),

      h('section', { className: 'group', attrs: { 'aria-labelledby': 'engine-heading' } },
        h('h2', { id: 'engine-heading' }, l10n.t('Engine')),
        h('div', { className: 'field' },
          h('label', { attrs: { for: 'engine' } }, l10n.t('Engine')),
          h('select', { id: 'engine', className: 'select' }),
        ),
        h('div', { id: 'engine-models', className: 'engine-models', attrs: { role: 'group', 'aria-label': l10n.t('Models') } }),
        keyField('gemini', actions),
        keyField('openai', actions),
      ),

      h('section', { className: 'group', attrs: { 'aria-labelledby': 'writing-heading' } },
        h('h2', { id: 'writing-heading' }, l10n.t('Writing')),
        h('fieldset', { className: 'field mode' },
          h('legend', {}, l10n.t('Write mode')),
          h('label', { className: 'radio' }, h('input', { id: 'writeMode-append', attrs: { type: 'radio', name: 'writeMode', value: 'append' } }), l10n.t('Append to the page')),
          h('label', { className: 'radio' }, h('input', { id: 'writeMode-replace', attrs: { type: 'radio', name: 'writeMode', value: 'replace' } }), l10n.t('Replace its content (undoable)')),
          h('label', { className: 'radio' }, h('input', { id: 'writeMode-afterHeading', attrs: { type: 'radio', name: 'writeMode', value: 'afterHeading' } }), l10n.t('After a heading (chosen when the run starts)')),
        ),
        h('div', { className: 'field' },
          h('label', { attrs: { for: 'instructions' } }, l10n.t('Instructions')),
          h('textarea', { id: 'instructions', className: 'textarea', attrs: { rows: 4, maxlength: LIMITS.instructions, placeholder: l10n.t('Tone, language, audience…'), 'aria-describedby': 'instructions-hint instructions-error' } }),
          h('div', { id: 'instructions-hint', className: 'hint' }, l10n.t('Sent with every prompt, after Visen\'s own instructions.')),
          errorSlot('instructions'),
        ),
        h('div', { className: 'field narrow' },
          h('label', { attrs: { for: 'promptBudget' } }, l10n.t('Prompt budget')),
          h('input', { id: 'promptBudget', className: 'input', attrs: { type: 'number', min: 0, step: 1, inputmode: 'numeric', 'aria-describedby': 'promptBudget-hint promptBudget-error' } }),
          h('div', { id: 'promptBudget-hint', className: 'hint' }, l10n.t('Prompts per month before Visen asks first. 0: no limit.')),
          errorSlot('promptBudget'),
        ),
      ),

      h('details', { id: 'advanced', className: 'group advanced', on: { toggle: () => actions.toggled() } },
        h('summary', {}, h('span', { className: 'summary-title' }, l10n.t('Advanced: endpoints'))),
        h('p', { className: 'intro' }, l10n.t('Leave empty for the official services. Keys are sent to the addresses set here.')),
        textField('openaiBaseUrl', l10n.t('OpenAI base URL'), l10n.t('Any OpenAI-compatible server: Azure, Ollama (http://localhost:11434/v1), LM Studio, a proxy.'), {
          maxlength: LIMITS.baseUrl,
          placeholder: l10n.t({ message: 'https://api.openai.com/v1', comment: ['An example address, shown in the empty field.'] }),
        }),
        textField('geminiBaseUrl', l10n.t('Gemini base URL'), l10n.t('A proxy or gateway for Gemini.'), {
          maxlength: LIMITS.baseUrl,
          placeholder: l10n.t({ message: 'https://generativelanguage.googleapis.com', comment: ['An example address, shown in the empty field.'] }),
        }),
        textField('notionApiBaseUrl', l10n.t('Notion API base URL'), l10n.t('A proxy for the Notion API.'), {
          maxlength: LIMITS.baseUrl,
          placeholder: l10n.t({ message: 'https://api.notion.com', comment: ['An example address, shown in the empty field.'] }),
        }),
      ),

      h('footer', { className: 'footer' },
        h('div', { className: 'actions' },
          h('button', { id: 'save', className: 'button primary', attrs: { type: 'submit' } }, l10n.t('Save')),
          button(l10n.t('Clear Keys…'), 'clear-keys', 'secondary', () => actions.clearKeys(), { title: l10n.t('Remove every key Visen stored, after a confirmation') }),
          h('span', { id: 'status', className: 'status', attrs: { role: 'status', 'aria-live': 'polite' } }),
        ),
      ),
    ),
  );

  return {
    form: byId<HTMLFormElement>('settings'),
    connectionsDatabase: byId<HTMLInputElement>('connectionsDatabase'),
    engine: byId<HTMLSelectElement>('engine'),
    engineModels: byId<HTMLDivElement>('engine-models'),
    writeAppend: byId<HTMLInputElement>('writeMode-append'),
    writeReplace: byId<HTMLInputElement>('writeMode-replace'),
    writeAfterHeading: byId<HTMLInputElement>('writeMode-afterHeading'),
    instructions: byId<HTMLTextAreaElement>('instructions'),
    promptBudget: byId<HTMLInputElement>('promptBudget'),
    advanced: byId<HTMLDetailsElement>('advanced'),
    openaiBaseUrl: byId<HTMLInputElement>('openaiBaseUrl'),
    geminiBaseUrl: byId<HTMLInputElement>('geminiBaseUrl'),
    notionApiBaseUrl: byId<HTMLInputElement>('notionApiBaseUrl'),
    save: byId<HTMLButtonElement>('save'),
    clearKeys: byId<HTMLButtonElement>('clear-keys'),
    status: byId<HTMLSpanElement>('status'),
  };
}

export type SettingsElements = ReturnType<typeof buildSettingsForm>;

export const keyInput = (name: KeyName) => byId<HTMLInputElement>(`key-${name}`);
