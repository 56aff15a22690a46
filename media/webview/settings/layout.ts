/**
 * The settings form's fixed markup: the groups, their fields and the footer. What each engine brings is not
 * here: its model row, key field and base URL field come from the host's state (engineModels.ts,
 * engineFields.ts) and go into `#engine-models`, `#engine-keys` and `#engine-endpoints`.
 */
// First: the translations, which the constants below already need.
import '../shared/l10n';
import * as l10n from '@vscode/l10n';
import type { FieldName, KeyField, KeyName, SettingName } from '../../../src/views/settingsProtocol';
import { LIMITS } from '../../../src/views/formLimits';
import { button, byId, h } from '../shared/dom';

/** Notion's key field; each engine's comes with the engine (engineFields.ts). */
const NOTION_KEY: KeyField = {
  title: l10n.t('Notion token'),
  hint: l10n.t(
    "A personal access token (notion.so/developers/tokens) or an internal integration's secret (notion.so/profile/integrations).",
  ),
  removeLabel: l10n.t('Remove the Notion token'),
};

/** The fixed plain text fields, each bound to the setting of the same name (the engines' base URLs are engineFields.ts's). */
export const TEXT_FIELDS = ['connectionsDatabase', 'instructions', 'notionApiBaseUrl'] as const;

/** What the form's buttons do. */
export interface LayoutActions {
  save(): void;
  removeKey(name: KeyName): void;
  createDatabase(): void;
  clearKeys(): void;
  /** The advanced group was opened or closed. */
  toggled(): void;
}

const errorSlot = (field: FieldName, id = `${field}-error`) => h('div', { id, className: 'field-error', attrs: { role: 'alert' } });

export const textField = (name: SettingName, label: string, hint: string, attrs: Record<string, string | number> = {}) =>
  h(
    'div',
    { className: 'field' },
    h('label', { attrs: { for: name } }, label),
    h('input', {
      id: name,
      className: 'input',
      attrs: { type: 'text', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': `${name}-hint ${name}-error`, ...attrs },
    }),
    h('div', { id: `${name}-hint`, className: 'hint' }, hint),
    errorSlot(name),
  );

/** A key's field: a password input, its status (set or not), Remove, a hint and an error. */
export const keyField = (name: KeyName, key: KeyField, remove: (name: KeyName) => void) =>
  h(
    'div',
    { className: 'field key-field', attrs: { 'data-key': name } },
    h(
      'div',
      { className: 'key-label' },
      h('label', { attrs: { for: `key-${name}` } }, key.title),
      h('span', { id: `key-${name}-status`, className: 'key-status', attrs: { 'aria-live': 'polite' } }),
    ),
    h(
      'div',
      { className: 'row' },
      h('input', {
        id: `key-${name}`,
        className: 'input',
        attrs: {
          type: 'password',
          autocomplete: 'off',
          spellcheck: 'false',
          maxlength: LIMITS.key,
          'aria-describedby': `key-${name}-status key-${name}-hint key-${name}-error`,
        },
      }),
      button(l10n.t('Remove'), `remove-${name}`, 'secondary', () => remove(name), { 'aria-label': key.removeLabel }),
    ),
    h('div', { id: `key-${name}-hint`, className: 'hint' }, key.hint),
    errorSlot(name, `key-${name}-error`),
  );

/** Builds the form into the page's body and returns its elements. */
export function buildSettingsForm(actions: LayoutActions) {
  document.body.append(
    h(
      'form',
      {
        id: 'settings',
        className: 'form settings',
        attrs: { novalidate: true, 'aria-labelledby': 'heading' },
        on: {
          submit: (e) => {
            e.preventDefault();
            actions.save();
          },
        },
      },
      formHeader(),
      notionGroup(actions),
      engineGroup(),
      writingGroup(),
      advancedGroup(actions),
      formFooter(actions),
    ),
  );
  return settingsElements();
}

/** The heading and where the settings are kept. */
function formHeader(): HTMLElement {
  return h(
    'header',
    { className: 'header' },
    h('h1', { id: 'heading' }, l10n.t('Visen Settings')),
    h('span', { className: 'hint' }, l10n.t("Saved on this machine: keys in VS Code's secret storage, the rest in your user settings.")),
  );
}

/** Notion: the connections database and the Notion token. */
function notionGroup(actions: LayoutActions): HTMLElement {
  return h(
    'section',
    { className: 'group', attrs: { 'aria-labelledby': 'notion-heading' } },
    h('h2', { id: 'notion-heading' }, l10n.t('Notion')),
    connectionsDatabaseField(actions),
    keyField('notion', NOTION_KEY, actions.removeKey),
  );
}

/** The connections database's link, Create… beside it, its hint and its error. */
function connectionsDatabaseField(actions: LayoutActions): HTMLElement {
  return h(
    'div',
    { className: 'field' },
    h('label', { attrs: { for: 'connectionsDatabase' } }, l10n.t('Connections database')),
    h(
      'div',
      { className: 'row' },
      h('input', {
        id: 'connectionsDatabase',
        className: 'input',
        attrs: {
          type: 'url',
          autocomplete: 'off',
          spellcheck: 'false',
          maxlength: LIMITS.url,
          placeholder: l10n.t({ message: 'https://www.notion.so/…?v=…', comment: ['An example address, shown in the empty field.'] }),
          'aria-describedby': 'connectionsDatabase-hint connectionsDatabase-error',
        },
      }),
      button(l10n.t('Create…'), 'create-database', 'secondary', () => actions.createDatabase(), {
        title: l10n.t('Create a connections database in a Notion page your integration can see'),
      }),
    ),
    h(
      'div',
      { id: 'connectionsDatabase-hint', className: 'hint' },
      l10n.t('Where Visen mirrors your connections. The link of a database your token can open; Save checks it with Notion.'),
    ),
    errorSlot('connectionsDatabase'),
  );
}

/** The engine, with the places its models and keys go. */
function engineGroup(): HTMLElement {
  return h(
    'section',
    { className: 'group', attrs: { 'aria-labelledby': 'engine-heading' } },
    h('h2', { id: 'engine-heading' }, l10n.t('Engine')),
    h(
      'div',
      { className: 'field' },
      h('label', { attrs: { for: 'engine' } }, l10n.t('Engine')),
      h('select', { id: 'engine', className: 'select' }),
    ),
    h('div', { id: 'engine-models', className: 'engine-models', attrs: { role: 'group', 'aria-label': l10n.t('Models') } }),
    h('div', { id: 'engine-keys', className: 'engine-keys' }),
  );
}

/** Writing: the write mode, the instructions and the prompt budget. */
function writingGroup(): HTMLElement {
  return h(
    'section',
    { className: 'group', attrs: { 'aria-labelledby': 'writing-heading' } },
    h('h2', { id: 'writing-heading' }, l10n.t('Writing')),
    writeModeField(),
    instructionsField(),
    promptBudgetField(),
  );
}

/** The default write mode: append, replace or after a heading. */
function writeModeField(): HTMLElement {
  return h(
    'fieldset',
    { className: 'field mode' },
    h('legend', {}, l10n.t('Write mode')),
    h(
      'label',
      { className: 'radio' },
      h('input', { id: 'writeMode-append', attrs: { type: 'radio', name: 'writeMode', value: 'append' } }),
      l10n.t('Append to the page'),
    ),
    h(
      'label',
      { className: 'radio' },
      h('input', { id: 'writeMode-replace', attrs: { type: 'radio', name: 'writeMode', value: 'replace' } }),
      l10n.t('Replace its content (undoable)'),
    ),
    h(
      'label',
      { className: 'radio' },
      h('input', { id: 'writeMode-afterHeading', attrs: { type: 'radio', name: 'writeMode', value: 'afterHeading' } }),
      l10n.t('After a heading (chosen when the run starts)'),
    ),
  );
}

/** The instructions sent with every prompt, their hint and their error. */
function instructionsField(): HTMLElement {
  return h(
    'div',
    { className: 'field' },
    h('label', { attrs: { for: 'instructions' } }, l10n.t('Instructions')),
    h('textarea', {
      id: 'instructions',
      className: 'textarea',
      attrs: {
        rows: 4,
        maxlength: LIMITS.instructions,
        placeholder: l10n.t('Tone, language, audience…'),
        'aria-describedby': 'instructions-hint instructions-error',
      },
    }),
    h('div', { id: 'instructions-hint', className: 'hint' }, l10n.t("Sent with every prompt, after Visen's own instructions.")),
    errorSlot('instructions'),
  );
}

/** The prompts a month before Visen asks, its hint and its error. */
function promptBudgetField(): HTMLElement {
  return h(
    'div',
    { className: 'field narrow' },
    h('label', { attrs: { for: 'promptBudget' } }, l10n.t('Prompt budget')),
    h('input', {
      id: 'promptBudget',
      className: 'input',
      attrs: { type: 'number', min: 0, step: 1, inputmode: 'numeric', 'aria-describedby': 'promptBudget-hint promptBudget-error' },
    }),
    h('div', { id: 'promptBudget-hint', className: 'hint' }, l10n.t('Prompts per month before Visen asks first. 0: no limit.')),
    errorSlot('promptBudget'),
  );
}

/** Advanced, closed at first: the engines' base URLs and Notion's. */
function advancedGroup(actions: LayoutActions): HTMLElement {
  return h(
    'details',
    { id: 'advanced', className: 'group advanced', on: { toggle: () => actions.toggled() } },
    h('summary', {}, h('span', { className: 'summary-title' }, l10n.t('Advanced: endpoints'))),
    h('p', { className: 'intro' }, l10n.t('Leave empty for the official services. Keys are sent to the addresses set here.')),
    h('div', { id: 'engine-endpoints', className: 'engine-endpoints' }),
    textField('notionApiBaseUrl', l10n.t('Notion API base URL'), l10n.t('A proxy for the Notion API.'), {
      maxlength: LIMITS.baseUrl,
      placeholder: l10n.t({ message: 'https://api.notion.com', comment: ['An example address, shown in the empty field.'] }),
    }),
  );
}

/** Save, Clear Keys… and the status line. */
function formFooter(actions: LayoutActions): HTMLElement {
  return h(
    'footer',
    { className: 'footer' },
    h(
      'div',
      { className: 'actions' },
      h('button', { id: 'save', className: 'button primary', attrs: { type: 'submit' } }, l10n.t('Save')),
      button(l10n.t('Clear Keys…'), 'clear-keys', 'secondary', () => actions.clearKeys(), {
        title: l10n.t('Remove every key Visen stored, after a confirmation'),
      }),
      h('span', { id: 'status', className: 'status', attrs: { role: 'status', 'aria-live': 'polite' } }),
    ),
  );
}

/** The form's elements, once built. */
function settingsElements() {
  return {
    form: byId<HTMLFormElement>('settings'),
    connectionsDatabase: byId<HTMLInputElement>('connectionsDatabase'),
    engine: byId<HTMLSelectElement>('engine'),
    engineModels: byId<HTMLDivElement>('engine-models'),
    engineKeys: byId<HTMLDivElement>('engine-keys'),
    engineEndpoints: byId<HTMLDivElement>('engine-endpoints'),
    writeAppend: byId<HTMLInputElement>('writeMode-append'),
    writeReplace: byId<HTMLInputElement>('writeMode-replace'),
    writeAfterHeading: byId<HTMLInputElement>('writeMode-afterHeading'),
    instructions: byId<HTMLTextAreaElement>('instructions'),
    promptBudget: byId<HTMLInputElement>('promptBudget'),
    advanced: byId<HTMLDetailsElement>('advanced'),
    notionApiBaseUrl: byId<HTMLInputElement>('notionApiBaseUrl'),
    save: byId<HTMLButtonElement>('save'),
    clearKeys: byId<HTMLButtonElement>('clear-keys'),
    status: byId<HTMLSpanElement>('status'),
  };
}

export const keyInput = (name: KeyName) => byId<HTMLInputElement>(`key-${name}`);
