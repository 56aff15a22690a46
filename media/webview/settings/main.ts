/**
 * Visen's settings form: the connections database, the engine and each engine's model, the keys, how
 * Visen writes, and the endpoints. All state lives in the host; this page keeps only the settings the user
 * changed and has not saved (vscode.setState), never a key. The markup is in layout.ts; what each engine of
 * the registry brings comes from the host's state: its model row (engineModels.ts), its key field and its
 * base URL field (engineFields.ts).
 *
 * Keys: the host says only whether each is set. A key typed here leaves the page once, in `save`, and its
 * field is emptied the moment it is sent.
 *
 * Stable hooks for UI tests (ids are unique):
 *   #connectionsDatabase  #create-database  #engine (select)  the model rows (engineModels.ts: #model-<kind> …)
 *   #key-notion  #key-<kind> (password fields, e.g. #key-gemini)  #remove-notion …  .key-status (data-set)
 *   #writeMode-append  #writeMode-replace  #writeMode-afterHeading  #instructions  #promptBudget
 *   #advanced (<details>)  #<kind>BaseUrl (e.g. #openaiBaseUrl)  #notionApiBaseUrl
 *   #save  #clear-keys  #status;  each field's error: #<field>-error (e.g. #key-notion-error)
 *
 * Nothing here sets HTML from a string: model names and messages go in as text nodes. Every string the
 * page shows itself goes through `l10n.t` (`npm run l10n` exports them to l10n/bundle.l10n.json).
 */
// First: it loads the page's translations, which the constants of the modules below already need.
import '../shared/l10n';
import * as l10n from '@vscode/l10n';
import type {
  BaseUrlField,
  EngineKind,
  FieldName,
  KeyChanges,
  KeyName,
  ModelChanges,
  PersistedSettingsDraft,
  SaveResult,
  SettingName,
  SettingsHostMessage,
  SettingsState,
  SettingsValues,
  SettingsWebviewMessage,
  WriteMode,
} from '../../../src/views/settingsProtocol';
import { tooLongMessage, type LimitedField } from '../../../src/views/formLimits';
import { byId, errorText, h, onModEnter, refuseLongPaste, replaceChildren } from '../shared/dom';
import { Host, RequestError } from '../shared/host';
import { EngineFields } from './engineFields';
import { EngineModels } from './engineModels';
import { buildSettingsForm, keyInput, TEXT_FIELDS } from './layout';

type Changes = { -readonly [K in SettingName]?: SettingsValues[K] };
type Models = { -readonly [K in EngineKind]?: string };

let state: SettingsState | undefined;
let errors: Partial<Record<FieldName, string>> = {};
let saving = false;

const host = new Host<SettingsWebviewMessage, SettingsHostMessage, PersistedSettingsDraft>(receive);
const draft: PersistedSettingsDraft = host.state ?? {};
const changes: Changes = { ...(draft.changes ?? {}) };
const models: Models = { ...(draft.models ?? {}) };
// A half-typed budget is not worth restoring (NaN does not survive setState).
if (typeof changes.promptBudget !== 'number' || Number.isNaN(changes.promptBudget)) delete changes.promptBudget;

function removeKey(key: KeyName): void {
  host.post({ type: 'removeKey', key });
}

const el = buildSettingsForm({
  save: () => void save(),
  removeKey,
  createDatabase: () => host.post({ type: 'runCommand', command: 'visen.createConnectionsDatabase' }),
  clearKeys: () => host.post({ type: 'clearKeys' }),
  toggled: () => persist(),
});

const modelRows = new EngineModels(el.engineModels, {
  host,
  model: (engine) => models[engine.kind] ?? engine.model,
  change: (kind, model) => {
    if (state?.engines.find((e) => e.kind === kind)?.model === model) delete models[kind];
    else models[kind] = model;
    edited(`model-${kind}`);
  },
  error: (kind) => errors[`model-${kind}`],
  setError: (kind, message) => {
    if (message) errors = { ...errors, [`model-${kind}`]: message };
    else delete errors[`model-${kind}`];
    modelRows.renderErrors();
  },
});

const engineFields = new EngineFields(el.engineKeys, el.engineEndpoints, {
  removeKey,
  keyBuilt: (name, input) => watchKey(name, input),
  endpointBuilt: (field, input) => {
    input.addEventListener('input', () => change(field, input.value));
    limitPaste(input, field, 'baseUrl');
  },
});

el.advanced.open = draft.advancedOpen ?? false;

// ---- editing --------------------------------------------------------------------------------------

const currentEngine = (): EngineKind | undefined =>
  [...el.engine.options].some((o) => o.value === el.engine.value) ? (el.engine.value as EngineKind) : undefined;

/** Records a change, or forgets it when the field is back to the saved value. */
function change<K extends SettingName>(name: K, value: SettingsValues[K]): void {
  if (state && state.values[name] === value) delete changes[name];
  else changes[name] = value as Changes[K];
  edited(name);
}

/** After any edit: the field's error goes, the draft is kept, the status line is cleared. */
function edited(field: FieldName): void {
  if (errors[field]) {
    delete errors[field];
    renderErrors();
  }
  persist();
  renderStatus('');
}

function persist(): void {
  host.state = { changes: { ...changes }, models: { ...models }, advancedOpen: el.advanced.open };
}

for (const name of TEXT_FIELDS) {
  const input = el[name];
  input.addEventListener('input', () => change(name, input.value));
}
el.engine.addEventListener('change', () => {
  const engine = currentEngine();
  if (engine) change('engine', engine);
});
for (const radio of [el.writeAppend, el.writeReplace, el.writeAfterHeading]) {
  radio.addEventListener('change', () => change('writeMode', radio.value as WriteMode));
}
el.promptBudget.addEventListener('input', () =>
  change('promptBudget', el.promptBudget.value.trim() === '' ? Number.NaN : Number(el.promptBudget.value)),
);

/** A key field: typing clears its error; a paste longer than a key may be is refused. */
function watchKey(name: KeyName, input: HTMLInputElement): void {
  input.addEventListener('input', () => {
    if (errors[name]) {
      delete errors[name];
      renderErrors();
    }
  });
  limitPaste(input, name, 'key');
}
watchKey('notion', keyInput('notion'));

/** A paste longer than a field may hold is refused with a message, not cut. */
function limitPaste(input: HTMLInputElement | HTMLTextAreaElement, field: FieldName, limit: LimitedField): void {
  refuseLongPaste(input, (length) => {
    errors = { ...errors, [field]: tooLongMessage(limit, length) };
    renderErrors();
  });
}
limitPaste(el.connectionsDatabase, 'connectionsDatabase', 'url');
limitPaste(el.instructions, 'instructions', 'instructions');
limitPaste(el.notionApiBaseUrl, 'notionApiBaseUrl', 'baseUrl');

/** Every key field: Notion's, then each engine's. */
const keyNames = (): KeyName[] => ['notion', ...engineFields.keyNames()];

/** Every plain text field and its input: the fixed ones, then each engine's base URL. */
const textInputs = (): Array<[(typeof TEXT_FIELDS)[number] | BaseUrlField, HTMLInputElement | HTMLTextAreaElement]> => [
  ...TEXT_FIELDS.map((name) => [name, el[name]] as [(typeof TEXT_FIELDS)[number], HTMLInputElement | HTMLTextAreaElement]),
  ...engineFields.endpointInputs(),
];

// Ctrl/Cmd+Enter saves from the instructions too (Enter in a one-line field already submits the form).
onModEnter(el.instructions, () => void save());

// ---- save -----------------------------------------------------------------------------------------

async function save(): Promise<void> {
  if (saving || !state) return;
  if (changes.promptBudget !== undefined && (!Number.isInteger(changes.promptBudget) || changes.promptBudget < 0)) {
    errors = { promptBudget: l10n.t('Enter a whole number: 0 for no limit.') };
    renderErrors();
    renderStatus(l10n.t('Nothing was saved: correct the fields marked below.'), 'is-error');
    return;
  }
  const keys: { -readonly [K in KeyName]?: string } = {};
  for (const name of keyNames()) {
    const value = keyInput(name).value.trim();
    if (value) keys[name] = value;
    // The key leaves the page with this message and nowhere else: the field forgets it now.
    keyInput(name).value = '';
  }
  const sent: Changes = { ...changes };
  const sentModels: Models = { ...models };
  saving = true;
  errors = {};
  renderErrors();
  renderStatus(l10n.t('Saving…'), 'is-busy');
  try {
    const message = {
      type: 'save',
      settings: sent,
      keys: keys as KeyChanges,
      ...(Object.keys(sentModels).length > 0 ? { models: sentModels as ModelChanges } : {}),
    } as const;
    const result = await host.request<SaveResult>(message);
    errors = { ...result.errors };
    // What went through is now saved; a field with an error keeps what the user typed.
    for (const name of Object.keys(sent) as SettingName[]) {
      if (!errors[name] && changes[name] === sent[name]) delete changes[name];
    }
    for (const kind of Object.keys(sentModels) as EngineKind[]) {
      if (!errors[`model-${kind}`] && models[kind] === sentModels[kind]) delete models[kind];
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
  engineFields.render(state);
  for (const [name, input] of textInputs()) setValue(input, String(value(name) ?? ''));
  renderEngineOptions(state);
  setValue(el.engine, value('engine') ?? state.values.engine);
  const mode = value('writeMode');
  el.writeAppend.checked = mode !== 'replace' && mode !== 'afterHeading';
  el.writeReplace.checked = mode === 'replace';
  el.writeAfterHeading.checked = mode === 'afterHeading';
  const budget = value('promptBudget');
  // A half-typed number is kept as typed.
  if (!(budget !== undefined && Number.isNaN(budget))) setValue(el.promptBudget, String(budget ?? 0));
  for (const key of state.keys) {
    const status = byId<HTMLSpanElement>(`key-${key.name}-status`);
    status.dataset.set = String(key.set);
    replaceChildren(status, key.set ? l10n.t('✓ Set') : l10n.t('Not set'));
    keyInput(key.name).placeholder = key.set ? l10n.t('Paste a new value to replace it') : l10n.t('Paste it here');
    byId<HTMLButtonElement>(`remove-${key.name}`).disabled = !key.set;
  }
  el.clearKeys.disabled = !state.keys.some((k) => k.set);
  el.save.disabled = saving;
  modelRows.render(state);
  renderErrors();
}

/** The engine select lists every engine the host names (the engine registry's), once. */
function renderEngineOptions(current: SettingsState): void {
  if ([...el.engine.options].map((o) => o.value).join() === current.engines.map((e) => e.kind).join()) return;
  replaceChildren(el.engine, ...current.engines.map((e) => h('option', { attrs: { value: e.kind } }, e.label)));
}

function renderErrors(): void {
  for (const [name, input] of [...textInputs(), ['promptBudget', el.promptBudget] as const]) {
    replaceChildren(byId(`${name}-error`), errors[name] ?? '');
    input.setAttribute('aria-invalid', String(!!errors[name]));
  }
  for (const name of keyNames()) {
    replaceChildren(byId(`key-${name}-error`), errors[name] ?? '');
    keyInput(name).setAttribute('aria-invalid', String(!!errors[name]));
  }
  modelRows.renderErrors();
}

function renderStatus(text: string, className = ''): void {
  el.status.className = `status ${className}`.trim();
  replaceChildren(el.status, className === 'is-busy' ? h('span', { className: 'spinner', attrs: { 'aria-hidden': 'true' } }) : null, text);
}

host.ready();
