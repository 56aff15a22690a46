/**
 * Visen's settings form: the connections database, the engine and its model, the keys, how Visen writes,
 * and the endpoints. All state lives in the host; this page keeps only the settings the user changed and
 * has not saved (vscode.setState), never a key.
 *
 * Keys: the host says only whether each is set. A key typed here leaves the page once, in `save`, and its
 * field is emptied the moment it is sent.
 *
 * Stable hooks for UI tests (ids are unique):
 *   #connectionsDatabase  #create-database  #engine (select)  #model  #choose-model  #model-list (select)
 *   #key-notion  #key-gemini  #key-openai (password fields)  #remove-notion …  .key-status (data-set)
 *   #writeMode-append  #writeMode-replace  #instructions  #promptBudget
 *   #advanced (<details>)  #openaiBaseUrl  #geminiBaseUrl  #notionApiBaseUrl
 *   #save  #clear-keys  #status;  each field's error: #<field>-error (e.g. #key-notion-error)
 *
 * Nothing here sets HTML from a string: model names and messages go in as text nodes. Every string the
 * page shows itself goes through `l10n.t` (`npm run l10n` exports them to l10n/bundle.l10n.json).
 */
// First: it loads the page's translations, which the constants below already need.
import '../shared/l10n';
import * as l10n from '@vscode/l10n';
import type {
  EngineKind,
  FieldName,
  KeyChanges,
  KeyName,
  ModelList,
  PersistedSettingsDraft,
  SaveResult,
  SettingName,
  SettingsHostMessage,
  SettingsState,
  SettingsValues,
  SettingsWebviewMessage,
  WriteMode,
} from '../../../src/views/settingsProtocol';
import { LIMITS, tooLongMessage, type LimitedField } from '../../../src/views/formLimits';
import { button, byId, errorText, h, onModEnter, refuseLongPaste, replaceChildren } from '../shared/dom';
import { Host, RequestError } from '../shared/host';

type Changes = { -readonly [K in SettingName]?: SettingsValues[K] };

const KEYS: readonly KeyName[] = ['notion', 'gemini', 'openai'];
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
/** Labels of the engines this page names itself; the host's list (from the engine registry) has every engine. */
const ENGINE_LABELS: Partial<Record<EngineKind, string>> = { gemini: l10n.t('Google Gemini'), openai: l10n.t('OpenAI or compatible') };
const engineChoice = (engine: EngineKind) => state?.engines?.find((e) => e.kind === engine);
const modelSetting = (engine: EngineKind): SettingName => engineChoice(engine)?.modelSetting ?? (engine === 'gemini' ? 'geminiModel' : 'openaiModel');
const engineLabel = (engine: EngineKind): string => ENGINE_LABELS[engine] ?? engineChoice(engine)?.label ?? engine;

let state: SettingsState | undefined;
let draft: PersistedSettingsDraft;
let changes: Changes;
let errors: Partial<Record<FieldName, string>> = {};
let saving = false;
let listing = false;
const modelLists = new Map<EngineKind, ModelList>();

const host = new Host<SettingsWebviewMessage, SettingsHostMessage, PersistedSettingsDraft>(receive);
draft = host.state ?? {};
changes = { ...(draft.changes ?? {}) };
// A half-typed budget is not worth restoring (NaN does not survive setState).
if (typeof changes.promptBudget !== 'number' || Number.isNaN(changes.promptBudget)) delete changes.promptBudget;

// ---- layout ---------------------------------------------------------------------------------------

const errorSlot = (field: FieldName, id = `${field}-error`) => h('div', { id, className: 'field-error', attrs: { role: 'alert' } });

const textField = (name: SettingName, label: string, hint: string, attrs: Record<string, string | number> = {}) =>
  h('div', { className: 'field' },
    h('label', { attrs: { for: name } }, label),
    h('input', { id: name, className: 'input', attrs: { type: 'text', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': `${name}-hint ${name}-error`, ...attrs } }),
    h('div', { id: `${name}-hint`, className: 'hint' }, hint),
    errorSlot(name),
  );

const keyField = (name: KeyName) =>
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
      button(l10n.t('Remove'), `remove-${name}`, 'secondary', () => host.post({ type: 'removeKey', key: name }), { 'aria-label': REMOVE_LABELS[name] }),
    ),
    h('div', { id: `key-${name}-hint`, className: 'hint' }, KEY_HINTS[name]),
    errorSlot(name, `key-${name}-error`),
  );

document.body.append(
  h('form', { id: 'settings', className: 'form settings', attrs: { novalidate: true, 'aria-labelledby': 'heading' }, on: { submit: (e) => { e.preventDefault(); void save(); } } },
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
          button(l10n.t('Create…'), 'create-database', 'secondary', () => host.post({ type: 'runCommand', command: 'visen.createConnectionsDatabase' }), { title: l10n.t('Create a connections database in a Notion page your integration can see') }),
        ),
        h('div', { id: 'connectionsDatabase-hint', className: 'hint' }, l10n.t('Where Visen mirrors your connections. The link of a database shared with your integration; Save checks it with Notion.')),
        errorSlot('connectionsDatabase'),
      ),
      keyField('notion'),
    ),

    h('section', { className: 'group', attrs: { 'aria-labelledby': 'engine-heading' } },
      h('h2', { id: 'engine-heading' }, l10n.t('Engine')),
      h('div', { className: 'row fields' },
        h('div', { className: 'field' },
          h('label', { attrs: { for: 'engine' } }, l10n.t('Engine')),
          h('select', { id: 'engine', className: 'select' },
            h('option', { attrs: { value: 'gemini' } }, engineLabel('gemini')),
            h('option', { attrs: { value: 'openai' } }, engineLabel('openai')),
          ),
        ),
        h('div', { className: 'field grow' },
          h('label', { attrs: { for: 'model' } }, l10n.t('Model')),
          h('div', { className: 'row' },
            h('input', { id: 'model', className: 'input', attrs: { type: 'text', autocomplete: 'off', spellcheck: 'false', maxlength: LIMITS.model, 'aria-describedby': 'model-hint model-error' } }),
            button(l10n.t('Choose…'), 'choose-model', 'secondary', () => void chooseModel(), { title: l10n.t('List the models your stored key can use') }),
          ),
          h('select', { id: 'model-list', className: 'select', attrs: { 'aria-label': l10n.t('Models your key can use') } }),
          h('div', { id: 'model-hint', className: 'hint' }),
          h('div', { id: 'model-error', className: 'field-error', attrs: { role: 'alert' } }),
        ),
      ),
      keyField('gemini'),
      keyField('openai'),
    ),

    h('section', { className: 'group', attrs: { 'aria-labelledby': 'writing-heading' } },
      h('h2', { id: 'writing-heading' }, l10n.t('Writing')),
      h('fieldset', { className: 'field mode' },
        h('legend', {}, l10n.t('Write mode')),
        h('label', { className: 'radio' }, h('input', { id: 'writeMode-append', attrs: { type: 'radio', name: 'writeMode', value: 'append' } }), l10n.t('Append to the page')),
        h('label', { className: 'radio' }, h('input', { id: 'writeMode-replace', attrs: { type: 'radio', name: 'writeMode', value: 'replace' } }), l10n.t('Replace its content (undoable)')),
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

    h('details', { id: 'advanced', className: 'group advanced', on: { toggle: () => persist() } },
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
        button(l10n.t('Clear Keys…'), 'clear-keys', 'secondary', () => host.post({ type: 'clearKeys' }), { title: l10n.t('Remove every key Visen stored, after a confirmation') }),
        h('span', { id: 'status', className: 'status', attrs: { role: 'status', 'aria-live': 'polite' } }),
      ),
    ),
  ),
);

const el = {
  form: byId<HTMLFormElement>('settings'),
  connectionsDatabase: byId<HTMLInputElement>('connectionsDatabase'),
  engine: byId<HTMLSelectElement>('engine'),
  model: byId<HTMLInputElement>('model'),
  chooseModel: byId<HTMLButtonElement>('choose-model'),
  modelList: byId<HTMLSelectElement>('model-list'),
  modelHint: byId<HTMLDivElement>('model-hint'),
  modelError: byId<HTMLDivElement>('model-error'),
  writeAppend: byId<HTMLInputElement>('writeMode-append'),
  writeReplace: byId<HTMLInputElement>('writeMode-replace'),
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
const keyInput = (name: KeyName) => byId<HTMLInputElement>(`key-${name}`);

/** Plain text fields, each bound to the setting of the same name. */
const TEXT_FIELDS = ['connectionsDatabase', 'instructions', 'openaiBaseUrl', 'geminiBaseUrl', 'notionApiBaseUrl'] as const;

el.advanced.open = draft.advancedOpen ?? false;
el.modelList.hidden = true;

// ---- editing --------------------------------------------------------------------------------------

const currentEngine = (): EngineKind => (el.engine.value && [...el.engine.options].some((o) => o.value === el.engine.value) ? (el.engine.value as EngineKind) : 'gemini');

/** Records a change, or forgets it when the field is back to the saved value. */
function change<K extends SettingName>(name: K, value: SettingsValues[K]): void {
  if (state && state.values[name] === value) delete changes[name];
  else changes[name] = value as Changes[K];
  if (errors[name]) {
    delete errors[name];
    renderErrors();
  }
  persist();
  renderStatus('');
}

function persist(): void {
  host.state = { changes: { ...changes }, advancedOpen: el.advanced.open };
}

for (const name of TEXT_FIELDS) {
  const input = el[name];
  input.addEventListener('input', () => change(name, input.value));
}
el.engine.addEventListener('change', () => {
  change('engine', currentEngine());
  renderModel();
});
el.model.addEventListener('input', () => change(modelSetting(currentEngine()), el.model.value));
el.modelList.addEventListener('change', () => {
  if (!el.modelList.value) return;
  el.model.value = el.modelList.value;
  change(modelSetting(currentEngine()), el.model.value);
});
for (const radio of [el.writeAppend, el.writeReplace]) {
  radio.addEventListener('change', () => change('writeMode', radio.value as WriteMode));
}
el.promptBudget.addEventListener('input', () => change('promptBudget', el.promptBudget.value.trim() === '' ? Number.NaN : Number(el.promptBudget.value)));
for (const name of KEYS) {
  keyInput(name).addEventListener('input', () => {
    if (errors[name]) {
      delete errors[name];
      renderErrors();
    }
  });
}
// A paste longer than a field may hold is refused with a message, not cut.
const PASTE_LIMITS: ReadonlyArray<[HTMLInputElement | HTMLTextAreaElement, FieldName, LimitedField]> = [
  [el.connectionsDatabase, 'connectionsDatabase', 'url'],
  [el.instructions, 'instructions', 'instructions'],
  [el.openaiBaseUrl, 'openaiBaseUrl', 'baseUrl'],
  [el.geminiBaseUrl, 'geminiBaseUrl', 'baseUrl'],
  [el.notionApiBaseUrl, 'notionApiBaseUrl', 'baseUrl'],
  ...KEYS.map((name) => [keyInput(name), name, 'key'] as [HTMLInputElement, FieldName, LimitedField]),
];
for (const [input, field, limit] of PASTE_LIMITS) {
  refuseLongPaste(input, (length) => {
    errors = { ...errors, [field]: tooLongMessage(limit, length) };
    renderErrors();
  });
}
refuseLongPaste(el.model, (length) => {
  errors = { ...errors, [modelSetting(currentEngine())]: tooLongMessage('model', length) };
  renderErrors();
});

// Ctrl/Cmd+Enter saves from the instructions too (Enter in a one-line field already submits the form).
onModEnter(el.instructions, () => void save());

// ---- save -----------------------------------------------------------------------------------------

async function save(): Promise<void> {
  if (saving || !state) return;
  const local: Partial<Record<FieldName, string>> = {};
  if (changes.promptBudget !== undefined && (!Number.isInteger(changes.promptBudget) || changes.promptBudget < 0)) {
    local.promptBudget = l10n.t('Enter a whole number: 0 for no limit.');
  }
  if (Object.keys(local).length > 0) {
    errors = local;
    renderErrors();
    renderStatus(l10n.t('Nothing was saved: correct the fields marked below.'), 'is-error');
    return;
  }
  const keys: { -readonly [K in KeyName]?: string } = {};
  for (const name of KEYS) {
    const value = keyInput(name).value.trim();
    if (value) keys[name] = value;
    // The key leaves the page with this message and nowhere else: the field forgets it now.
    keyInput(name).value = '';
  }
  const sent: Changes = { ...changes };
  saving = true;
  errors = {};
  renderErrors();
  renderStatus(l10n.t('Saving…'), 'is-busy');
  try {
    const result = await host.request<SaveResult>({ type: 'save', settings: sent, keys: keys as KeyChanges });
    errors = { ...result.errors };
    // Settings that went through are now the saved ones; those with an error keep what the user typed.
    for (const name of Object.keys(sent) as SettingName[]) {
      if (!errors[name] && changes[name] === sent[name]) delete changes[name];
    }
    persist();
    renderStatus(result.message, Object.keys(errors).length > 0 ? 'is-error' : 'is-ok');
  } catch (error) {
    // Refused before anything was saved: the message goes next to its field when it has one.
    const field = error instanceof RequestError ? (error.field as FieldName | undefined) : undefined;
    if (field) errors = { [field]: errorText(error) };
    renderStatus(field ? l10n.t('Nothing was saved: correct the fields marked below.') : errorText(error), 'is-error');
  } finally {
    saving = false;
    render();
  }
}

// ---- models ---------------------------------------------------------------------------------------

async function chooseModel(): Promise<void> {
  if (listing) return;
  const engine = currentEngine();
  listing = true;
  delete errors[modelSetting(engine)];
  renderModel();
  try {
    const list = await host.request<ModelList>({ type: 'listModels', engine });
    modelLists.set(list.engine, list);
  } catch (error) {
    errors[modelSetting(engine)] = errorText(error);
  } finally {
    listing = false;
    renderModel();
    if (!el.modelList.hidden) el.modelList.focus();
  }
}

// ---- host messages --------------------------------------------------------------------------------

function receive(message: SettingsHostMessage): void {
  if (message.type === 'state') {
    state = message.state;
    render();
  }
}

// ---- rendering ------------------------------------------------------------------------------------

/** A setting's value in the form: the user's unsaved change, or the saved value. */
function value<K extends SettingName>(name: K): SettingsValues[K] | undefined {
  return (name in changes ? changes[name] : state?.values[name]) as SettingsValues[K] | undefined;
}

/** Sets a field's value unless it would overwrite what the user is typing. */
function setValue(input: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement, next: string): void {
  if (input.value !== next) input.value = next;
}

function render(): void {
  if (!state) return;
  for (const name of TEXT_FIELDS) setValue(el[name], String(value(name) ?? ''));
  renderEngineOptions();
  setValue(el.engine, value('engine') ?? 'gemini');
  const mode = value('writeMode');
  el.writeAppend.checked = mode !== 'replace';
  el.writeReplace.checked = mode === 'replace';
  const budget = value('promptBudget');
  // A half-typed number is kept as typed.
  if (!(budget !== undefined && Number.isNaN(budget))) setValue(el.promptBudget, String(budget ?? 0));
  renderModel();
  for (const key of state.keys) {
    const status = byId<HTMLSpanElement>(`key-${key.name}-status`);
    status.dataset.set = String(key.set);
    replaceChildren(status, key.set ? l10n.t('✓ Set') : l10n.t('Not set'));
    keyInput(key.name).placeholder = key.set ? l10n.t('Paste a new value to replace it') : l10n.t('Paste it here');
    byId<HTMLButtonElement>(`remove-${key.name}`).disabled = !key.set;
  }
  el.clearKeys.disabled = !state.keys.some((k) => k.set);
  el.save.disabled = saving;
  renderErrors();
}

/** The engine select lists every engine the host names (the engine registry's), once. */
function renderEngineOptions(): void {
  const engines = state?.engines;
  if (!engines || [...el.engine.options].map((o) => o.value).join() === engines.map((e) => e.kind).join()) return;
  replaceChildren(el.engine, ...engines.map((e) => h('option', { attrs: { value: e.kind } }, engineLabel(e.kind))));
}

function renderModel(): void {
  if (!state) return;
  const engine = currentEngine();
  const setting = modelSetting(engine);
  setValue(el.model, String(value(setting) ?? ''));
  el.model.placeholder = state.defaultModels[engine] || l10n.t('The first model VS Code offers');
  const keyless = engineChoice(engine)?.needsKey === false;
  el.chooseModel.disabled = listing;
  replaceChildren(el.chooseModel, listing ? l10n.t('Listing…') : l10n.t('Choose…'));
  const key = state.keys.find((k) => k.name === engine);
  const list = modelLists.get(engine);
  if (list && list.models.length > 0) {
    replaceChildren(el.modelList,
      h('option', { attrs: { value: '' } }, keyless
        ? l10n.t('{0} models VS Code offers…', list.models.length)
        : engine === 'gemini'
          ? l10n.t('{0} models your Gemini key can use…', list.models.length)
          : l10n.t('{0} models your OpenAI key can use…', list.models.length)),
      ...list.models.map((m) => h('option', { attrs: { value: m.id } }, m.label && m.label !== m.id ? `${m.id} — ${m.label}` : m.id)),
    );
    el.modelList.value = list.models.some((m) => m.id === el.model.value) ? el.model.value : '';
    el.modelList.hidden = false;
  } else {
    el.modelList.hidden = true;
  }
  replaceChildren(el.modelHint, keyless
    ? (list && list.models.length === 0
      ? l10n.t('VS Code offers no language model: install or sign in to a provider such as GitHub Copilot.')
      : l10n.t('A model family or id of the language models VS Code offers (e.g. gpt-4o); empty = the first one. Choose… lists them.'))
    : list && list.models.length === 0
    ? l10n.t('Your key cannot use any text model.')
    : key?.set
      ? l10n.t('The {0} model Visen generates with. Choose… lists those your key can use, current ones first.', engineLabel(engine))
      : engine === 'gemini'
        ? l10n.t('The {0} model Visen generates with. Save your Gemini key to list the models it can use.', engineLabel(engine))
        : l10n.t('The {0} model Visen generates with. Save your OpenAI key to list the models it can use.', engineLabel(engine)));
  replaceChildren(el.modelError, errors[setting] ?? '');
  el.model.setAttribute('aria-invalid', String(!!errors[setting]));
}

function renderErrors(): void {
  for (const name of [...TEXT_FIELDS, 'promptBudget'] as const) {
    replaceChildren(byId(`${name}-error`), errors[name] ?? '');
    el[name].setAttribute('aria-invalid', String(!!errors[name]));
  }
  for (const name of KEYS) {
    replaceChildren(byId(`key-${name}-error`), errors[name] ?? '');
    keyInput(name).setAttribute('aria-invalid', String(!!errors[name]));
  }
  const engine = currentEngine();
  replaceChildren(el.modelError, errors[modelSetting(engine)] ?? '');
  el.model.setAttribute('aria-invalid', String(!!errors[modelSetting(engine)]));
}

function renderStatus(text: string, className = ''): void {
  el.status.className = `status ${className}`.trim();
  replaceChildren(el.status, className === 'is-busy' ? h('span', { className: 'spinner', attrs: { 'aria-hidden': 'true' } }) : null, text);
}

host.ready();
