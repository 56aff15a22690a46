/**
 * The connection form: step 1 names and checks a Notion page or database, step 2 writes a prompt into it
 * and shows the text as it streams, then the connection's history. All state lives in the host; this page
 * keeps only what the user typed (vscode.setState), so it survives being hidden or reloaded.
 *
 * Stable hooks for UI tests (ids are unique; classes mark regions):
 *   step 1   #name  #type (select: page | database)  #url  .validation (status of the URL check;
 *            .is-ok / .is-error / .is-checking)  #next
 *   step 2   #prompt  #engine (select)  #model  #write-mode (#mode-append  #mode-replace; hidden for a database)  #generate  #cancel
 *            #open-target (the connection's page)  .key-notice (a missing key, with its button)
 *            .progress ("N of M blocks in Notion")  .output (the streamed text)
 *            .result (.is-written / .is-writeFailed / .is-cancelled / .is-failed …)  #open-in-notion  #retry-write
 *   history  .history  .history-item (a <details>; data-record-id, data-status)  .history-empty
 *            .history-undo  .history-retry
 *   sections #step-connect  #step-generate; body[data-step="connect" | "generate"]
 *
 * Nothing here ever sets HTML from a string: titles, prompts and generated text go in as text nodes. Every
 * string the page shows itself goes through `l10n.t` (`npm run l10n` exports them to l10n/bundle.l10n.json).
 */
// First: it loads the page's translations, which the constants below already need.
import '../shared/l10n';
import * as l10n from '@vscode/l10n';
import type {
  CommandAction,
  ConnectionType,
  EngineKind,
  FormState,
  HistoryItem,
  HostMessage,
  PersistedFormState,
  ReplyResults,
  ResultView,
  RunView,
  ValidationResult,
  WebviewMessage,
  WriteMode,
} from '../../../src/views/connectionProtocol';
import { LIMITS, tooLongMessage } from '../../../src/views/formLimits';
import { PROMPT_VARIABLE_HINT } from '../../../src/workflows/promptVariables';
import { append, button, byId, errorText, h, onModEnter, refuseLongPaste, replaceChildren, show } from '../shared/dom';
import { Host } from '../shared/host';
import { renderMarkdown } from '../shared/markdown';

const VALIDATE_DELAY_MS = 400;
const isMac = /Mac|iPhone|iPad/.test(navigator.platform);
const PROMPT_HINT = isMac
  ? l10n.t('Describe the content; Visen writes it as formatted Notion blocks. ⌘+Enter generates.')
  : l10n.t('Describe the content; Visen writes it as formatted Notion blocks. Ctrl+Enter generates.');
const NEW_CONNECTION = l10n.t('New Connection');
const NAME_PLACEHOLDER = l10n.t('Defaults to the page title');
const OPEN_IN_NOTION = l10n.t('Open in Notion');
const RETRY_WRITE = l10n.t('Retry Write');
const NEXT = l10n.t('Next');

type MutableRun = { -readonly [K in keyof RunView]: RunView[K] };

let state: FormState | undefined;
let run: MutableRun | undefined;
let draft: PersistedFormState;
const expanded = new Set<string>();
const contents = new Map<string, string>();

const host = new Host<WebviewMessage, HostMessage, PersistedFormState>(receive);
draft = host.state ?? {};
for (const id of draft.expanded ?? []) expanded.add(id);

// ---- layout ---------------------------------------------------------------------------------------

document.body.append(
  h('main', { className: 'form' },
    h('header', { className: 'header' },
      h('h1', { id: 'heading' }, NEW_CONNECTION),
      h('ol', { className: 'steps', attrs: { 'aria-label': l10n.t('Steps') } },
        h('li', { id: 'step-1-label' }, h('span', { className: 'step-number' }, '1'), l10n.t('Connect')),
        h('li', { id: 'step-2-label' }, h('span', { className: 'step-number' }, '2'), l10n.t('Generate')),
      ),
    ),

    h('section', { id: 'step-connect', className: 'step', attrs: { 'aria-labelledby': 'step-1-label' } },
      h('p', { className: 'intro' }, l10n.t('Point Visen at a Notion page or database that is shared with your integration.')),
      h('div', { className: 'field' },
        h('label', { attrs: { for: 'name' } }, l10n.t('Name')),
        h('input', { id: 'name', className: 'input', attrs: { type: 'text', autocomplete: 'off', spellcheck: 'false', maxlength: LIMITS.name, placeholder: NAME_PLACEHOLDER, 'aria-describedby': 'name-hint' } }),
        h('div', { id: 'name-hint', className: 'hint' }, l10n.t('Optional. How the connection appears in Visen.')),
      ),
      h('div', { className: 'field' },
        h('label', { attrs: { for: 'type' } }, l10n.t('Type')),
        h('select', { id: 'type', className: 'select' },
          h('option', { attrs: { value: 'page' } }, l10n.t('Notion Page')),
          h('option', { attrs: { value: 'database' } }, l10n.t('Notion Database')),
        ),
      ),
      h('div', { className: 'field' },
        h('label', { attrs: { for: 'url' } }, l10n.t('Notion URL')),
        h('input', { id: 'url', className: 'input', attrs: { type: 'url', autocomplete: 'off', spellcheck: 'false', maxlength: LIMITS.url, placeholder: l10n.t({ message: 'https://www.notion.so/…', comment: ['An example address, shown in the empty field.'] }), 'aria-describedby': 'url-validation url-hint', required: true } }),
        h('div', { id: 'url-hint', className: 'hint' }, l10n.t('In Notion: Share → Copy link.')),
        h('div', { id: 'url-validation', className: 'validation', attrs: { role: 'status', 'aria-live': 'polite' } }),
      ),
      h('div', { className: 'actions' }, button(NEXT, 'next', 'primary', () => void next())),
    ),

    h('section', { id: 'step-generate', className: 'step', attrs: { 'aria-labelledby': 'step-2-label' } },
      h('div', { className: 'target' },
        h('span', { id: 'target-type', className: 'badge' }),
        h('span', { id: 'target-title', className: 'target-title' }),
        h('button', { id: 'open-target', className: 'link', attrs: { type: 'button', title: OPEN_IN_NOTION }, on: { click: () => host.post({ type: 'openInNotion' }) } }, l10n.t('Open in Notion ↗')),
      ),
      h('div', { id: 'database-notice', className: 'notice', attrs: { role: 'note' } }),
      h('div', { id: 'prompt-fields' },
        h('div', { className: 'field' },
          h('label', { attrs: { for: 'prompt' } }, l10n.t('Prompt')),
          h('textarea', { id: 'prompt', className: 'textarea', attrs: { rows: 6, maxlength: LIMITS.prompt, 'aria-describedby': 'prompt-hint prompt-error' } }),
          h('div', { id: 'prompt-hint', className: 'hint' }, `${PROMPT_HINT} ${l10n.t('Variables: {0}', PROMPT_VARIABLE_HINT)}`),
          h('div', { id: 'prompt-error', className: 'field-error', attrs: { role: 'alert' } }),
        ),
        h('div', { className: 'options' },
          h('div', { className: 'field' },
            h('label', { attrs: { for: 'engine' } }, l10n.t('Engine')),
            h('select', { id: 'engine', className: 'select' }),
          ),
          h('div', { className: 'field' },
            h('label', { attrs: { for: 'model' } }, l10n.t('Model')),
            h('input', { id: 'model', className: 'input', attrs: { type: 'text', list: 'models', autocomplete: 'off', spellcheck: 'false', maxlength: LIMITS.model } }),
            h('datalist', { id: 'models' }),
          ),
          h('fieldset', { id: 'write-mode', className: 'field mode' },
            h('legend', {}, l10n.t('Write mode')),
            h('label', { className: 'radio' }, h('input', { id: 'mode-append', attrs: { type: 'radio', name: 'mode', value: 'append' } }), l10n.t('Append to the page')),
            h('label', { className: 'radio' }, h('input', { id: 'mode-replace', attrs: { type: 'radio', name: 'mode', value: 'replace' } }), l10n.t('Replace its content (undoable)')),
          ),
        ),
        h('div', { id: 'key-notice', className: 'key-notice notice is-warning', attrs: { role: 'alert' } }),
        h('div', { className: 'actions' },
          button(l10n.t('Generate'), 'generate', 'primary', generate),
          button(l10n.t('Cancel'), 'cancel', 'secondary', () => host.post({ type: 'cancel' })),
        ),
      ),
      h('section', { id: 'run', className: 'run', attrs: { 'aria-label': l10n.t('Generation') } },
        h('div', { id: 'progress', className: 'progress', attrs: { role: 'status', 'aria-live': 'polite' } },
          h('span', { className: 'spinner', attrs: { 'aria-hidden': 'true' } }),
          h('span', { id: 'progress-label' }),
        ),
        h('article', { id: 'output', className: 'output preview', attrs: { 'aria-label': l10n.t('Generated text'), tabindex: 0 } }),
        h('div', { id: 'result', className: 'result', attrs: { role: 'status' } },
          h('p', { id: 'result-message', className: 'result-message' }),
          h('p', { id: 'result-warning', className: 'result-warning' }),
          h('div', { className: 'actions' },
            button(OPEN_IN_NOTION, 'open-in-notion', 'primary', () => host.post({ type: 'openInNotion', recordId: run?.result?.recordId })),
            button(RETRY_WRITE, 'retry-write', 'secondary', () => {
              const recordId = run?.result?.recordId;
              if (recordId) host.post({ type: 'retryWrite', recordId });
            }),
            button(l10n.t('Undo'), 'undo-result', 'secondary', () => {
              const recordId = run?.result?.recordId;
              if (recordId) void undo({ id: recordId });
            }),
            h('span', { id: 'result-action' }),
          ),
        ),
      ),
    ),

    h('section', { id: 'history', className: 'history', attrs: { 'aria-labelledby': 'history-heading' } },
      h('div', { className: 'history-header' },
        h('h2', { id: 'history-heading' }, l10n.t('History')),
        h('span', { id: 'usage', className: 'usage' }),
      ),
      h('div', { id: 'history-list' }),
    ),
  ),
);

const el = {
  heading: byId<HTMLHeadingElement>('heading'),
  stepConnect: byId<HTMLElement>('step-connect'),
  stepGenerate: byId<HTMLElement>('step-generate'),
  step1: byId<HTMLLIElement>('step-1-label'),
  step2: byId<HTMLLIElement>('step-2-label'),
  name: byId<HTMLInputElement>('name'),
  type: byId<HTMLSelectElement>('type'),
  url: byId<HTMLInputElement>('url'),
  validation: byId<HTMLDivElement>('url-validation'),
  next: byId<HTMLButtonElement>('next'),
  targetType: byId<HTMLSpanElement>('target-type'),
  targetTitle: byId<HTMLSpanElement>('target-title'),
  databaseNotice: byId<HTMLDivElement>('database-notice'),
  promptFields: byId<HTMLDivElement>('prompt-fields'),
  prompt: byId<HTMLTextAreaElement>('prompt'),
  promptError: byId<HTMLDivElement>('prompt-error'),
  engine: byId<HTMLSelectElement>('engine'),
  model: byId<HTMLInputElement>('model'),
  models: byId<HTMLDataListElement>('models'),
  modeAppend: byId<HTMLInputElement>('mode-append'),
  modeReplace: byId<HTMLInputElement>('mode-replace'),
  writeMode: byId<HTMLFieldSetElement>('write-mode'),
  keyNotice: byId<HTMLDivElement>('key-notice'),
  generate: byId<HTMLButtonElement>('generate'),
  cancel: byId<HTMLButtonElement>('cancel'),
  run: byId<HTMLElement>('run'),
  progress: byId<HTMLDivElement>('progress'),
  progressLabel: byId<HTMLSpanElement>('progress-label'),
  output: byId<HTMLElement>('output'),
  result: byId<HTMLDivElement>('result'),
  resultMessage: byId<HTMLParagraphElement>('result-message'),
  resultWarning: byId<HTMLParagraphElement>('result-warning'),
  resultAction: byId<HTMLSpanElement>('result-action'),
  openInNotion: byId<HTMLButtonElement>('open-in-notion'),
  retryWrite: byId<HTMLButtonElement>('retry-write'),
  undoResult: byId<HTMLButtonElement>('undo-result'),
  history: byId<HTMLElement>('history'),
  historyList: byId<HTMLDivElement>('history-list'),
  usage: byId<HTMLSpanElement>('usage'),
};

// ---- draft (what the user typed, kept across reloads) ---------------------------------------------

el.name.value = draft.name ?? '';
el.type.value = draft.connectionType ?? 'page';
el.url.value = draft.url ?? '';
el.prompt.value = draft.prompt ?? '';

function saveDraft(change: Partial<PersistedFormState> = {}): void {
  draft = {
    ...draft,
    name: el.name.value,
    connectionType: el.type.value as ConnectionType,
    url: el.url.value,
    prompt: el.prompt.value,
    expanded: [...expanded],
    ...change,
  };
  host.state = draft;
}

// ---- step 1: check the URL as it is typed ---------------------------------------------------------

let validateTimer: ReturnType<typeof setTimeout> | undefined;
let validateSeq = 0;
let validation: { key: string; checking: boolean; result?: ValidationResult; error?: string } = { key: '', checking: false };
let creating = false;

const validationKey = () => `${el.type.value}|${el.url.value.trim()}`;
const isValid = () => validation.key === validationKey() && validation.result?.ok === true;

function scheduleValidation(): void {
  if (validateTimer) clearTimeout(validateTimer);
  if (validation.key !== validationKey()) {
    validation = { key: '', checking: false };
    renderValidation();
  }
  validateTimer = setTimeout(() => void validateNow(), VALIDATE_DELAY_MS);
}

async function validateNow(): Promise<void> {
  if (validateTimer) clearTimeout(validateTimer);
  validateTimer = undefined;
  const key = validationKey();
  const url = el.url.value.trim();
  if (!url) {
    validation = { key: '', checking: false };
    renderValidation();
    return;
  }
  if (validation.key === key && (validation.checking || validation.result)) return;
  const seq = ++validateSeq;
  validation = { key, checking: true };
  renderValidation();
  try {
    const result = await host.request<ReplyResults['validate']>({ type: 'validate', connectionType: el.type.value as ConnectionType, url });
    if (seq === validateSeq) validation = { key, checking: false, result };
  } catch (error) {
    if (seq === validateSeq) validation = { key, checking: false, error: errorText(error) };
  }
  if (seq === validateSeq) renderValidation();
}

function renderValidation(): void {
  const box = el.validation;
  box.className = 'validation';
  replaceChildren(box);
  const result = validation.key === validationKey() ? validation.result : undefined;
  if (validation.checking) {
    box.classList.add('is-checking');
    append(box, h('span', { className: 'spinner', attrs: { 'aria-hidden': 'true' } }), h('span', { className: 'message' }, l10n.t('Checking with Notion…')));
  } else if (validation.error) {
    box.classList.add('is-error');
    append(box, h('span', { className: 'mark', attrs: { 'aria-hidden': 'true' } }, '✗'), h('span', { className: 'message' }, validation.error));
  } else if (result?.ok) {
    box.classList.add('is-ok');
    append(box, h('span', { className: 'mark', attrs: { 'aria-hidden': 'true' } }, '✓'), h('strong', {}, result.title));
    if (result.existingConnection) append(box, h('span', { className: 'hint-inline' }, l10n.t(' — already connected as “{0}”: Next opens it.', result.existingConnection)));
  } else if (result && !result.ok && result.problem !== 'empty') {
    box.classList.add('is-error');
    append(box, h('span', { className: 'mark', attrs: { 'aria-hidden': 'true' } }, '✗'), h('span', { className: 'message' }, result.message));
    if (result.action) append(box, commandButton(result.action));
  }
  el.name.placeholder = result?.ok ? result.title : NAME_PLACEHOLDER;
  el.url.setAttribute('aria-invalid', String(!!result && !result.ok && result.problem !== 'empty'));
  el.next.disabled = !isValid() || creating;
}

async function next(): Promise<void> {
  if (creating) return;
  if (!isValid()) {
    await validateNow();
    if (!isValid()) return;
  }
  creating = true;
  el.next.disabled = true;
  el.next.textContent = l10n.t('Connecting…');
  try {
    await host.request<ReplyResults['create']>({ type: 'create', name: el.name.value.trim(), connectionType: el.type.value as ConnectionType, url: el.url.value.trim() });
    // The host follows with a state that shows the connection: step 2.
  } catch (error) {
    validation = { key: validationKey(), checking: false, error: errorText(error) };
  } finally {
    creating = false;
    el.next.textContent = NEXT;
    renderValidation();
  }
}

refuseLongPaste(el.url, (length) => {
  validation = { key: validationKey(), checking: false, error: tooLongMessage('url', length) };
  renderValidation();
});
refuseLongPaste(el.prompt, (length) => showPromptError(tooLongMessage('prompt', length)));

function showPromptError(message: string): void {
  el.promptError.textContent = message;
  el.prompt.setAttribute('aria-invalid', String(!!message));
}

el.name.addEventListener('input', () => saveDraft());
el.url.addEventListener('input', () => {
  saveDraft();
  scheduleValidation();
});
el.url.addEventListener('blur', () => void validateNow());
el.type.addEventListener('change', () => {
  saveDraft();
  void validateNow();
});
for (const input of [el.name, el.url]) {
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      void next();
    }
  });
}

// ---- step 2: generate -----------------------------------------------------------------------------

function generate(): void {
  const connection = state?.connection;
  if (!connection || run?.running) return;
  const prompt = el.prompt.value.trim();
  if (!prompt) {
    el.prompt.focus();
    el.prompt.setAttribute('aria-invalid', 'true');
    return;
  }
  const model = el.model.value.trim() || currentEngine()?.defaultModel || '';
  host.post({ type: 'generate', prompt, engine: el.engine.value as EngineKind, model, writeMode: currentMode() });
}

const currentEngine = () => state?.engines.find((e) => e.kind === el.engine.value);
const currentMode = (): WriteMode => (el.modeReplace.checked ? 'replace' : 'append');

el.prompt.addEventListener('input', () => {
  el.prompt.removeAttribute('aria-invalid');
  el.promptError.textContent = '';
  saveDraft();
});
onModEnter(el.prompt, generate);
el.engine.addEventListener('change', () => {
  host.post({ type: 'settings', engine: el.engine.value as EngineKind });
  renderEngine();
});
el.model.addEventListener('change', () => {
  const model = el.model.value.trim();
  if (model) host.post({ type: 'settings', model });
});
for (const radio of [el.modeAppend, el.modeReplace]) {
  radio.addEventListener('change', () => host.post({ type: 'settings', writeMode: currentMode() }));
}

// ---- messages from the host -----------------------------------------------------------------------

function receive(message: HostMessage): void {
  switch (message.type) {
    case 'state':
      applyState(message.state);
      return;
    case 'rejected':
      // A message the host could not take (the page's own limits should have stopped it first).
      if (message.field === 'url') {
        validation = { key: validationKey(), checking: false, error: message.error };
        renderValidation();
      } else {
        showPromptError(message.error);
      }
      return;
    case 'runStarted':
      run = { ...message.run };
      renderRun(true);
      return;
    case 'text':
      if (run?.runId !== message.runId) return;
      run.text += message.text;
      scheduleOutput();
      return;
    case 'progress':
      if (run?.runId !== message.runId) return;
      run.progress = message.progress;
      renderProgress();
      return;
    case 'result':
      if (run?.runId !== message.runId) return;
      run.running = false;
      run.result = message.result;
      if (message.result.status === 'written') {
        el.prompt.value = '';
        saveDraft();
      }
      renderRun(false);
      el.result.querySelector<HTMLButtonElement>('button:not([hidden])')?.focus();
      return;
  }
}

function applyState(next: FormState): void {
  const stepChanged = !!state?.connection !== !!next.connection;
  // A Notion secret set (or replaced) since the URL was checked: check it again.
  if (state && state.notionSecretSet !== next.notionSecretSet && !validation.result?.ok) validation = { key: '', checking: false };
  state = next;
  if (next.run && (!run || next.run.runId >= run.runId)) run = { ...next.run };
  if (next.connection && draft.connectionId !== next.connection.id) saveDraft({ connectionId: next.connection.id });
  render();
  if (stepChanged && next.connection) el.prompt.focus();
}

function render(): void {
  if (!state) return;
  const connection = state.connection;
  document.body.dataset.step = connection ? 'generate' : 'connect';
  el.heading.textContent = connection ? connection.name : NEW_CONNECTION;
  show(el.stepConnect, !connection);
  show(el.stepGenerate, !!connection);
  show(el.history, !!connection);
  el.step1.setAttribute('aria-current', connection ? 'false' : 'step');
  el.step2.setAttribute('aria-current', connection ? 'step' : 'false');
  el.step1.classList.toggle('done', !!connection);

  if (!connection) {
    if (!state.notionSecretSet && !validation.result && !validation.checking) {
      el.validation.className = 'validation is-error';
      replaceChildren(el.validation, h('span', { className: 'message' }, l10n.t('Visen needs your Notion integration secret first.')), commandButton(state.setNotionSecret));
    } else {
      renderValidation();
    }
    if (el.url.value.trim() && !validation.key) void validateNow();
    return;
  }

  el.targetType.textContent = connection.typeLabel;
  el.targetTitle.textContent = connection.target.title;
  el.targetTitle.title = connection.target.url;
  const isDatabase = connection.type === 'database';
  show(el.databaseNotice, isDatabase);
  // A new entry is a new page: there is nothing to append to or replace.
  show(el.writeMode, !isDatabase);
  if (isDatabase) {
    replaceChildren(el.databaseNotice,
      h('span', {}, l10n.t('Generate adds a new entry to this database: its title, the properties you map and its page body. To fill existing rows from a prompt template, use')),
      commandButton({ command: 'visen.fillDatabase', label: l10n.t('Fill Database Rows') }),
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
  renderEngine();
  renderRun(false);
  renderHistory();
}

function renderEngine(): void {
  const engine = currentEngine();
  if (!engine || !state) return;
  replaceChildren(el.models, ...engine.suggestedModels.map((m) => h('option', { attrs: { value: m } })));
  const missing = !state.notionSecretSet ? { text: l10n.t('Visen needs your Notion integration secret to write to the page.'), action: state.setNotionSecret }
    : !engine.keySet ? { text: l10n.t("Visen needs your {0} API key to generate with it. It is kept in VS Code's secret storage.", engine.label), action: engine.setKey }
    : undefined;
  show(el.keyNotice, !!missing);
  if (missing) replaceChildren(el.keyNotice, h('span', {}, missing.text), commandButton(missing.action));
}

// ---- the run: streamed text, progress, result -----------------------------------------------------

let outputFrame = 0;

function scheduleOutput(): void {
  if (outputFrame) return;
  outputFrame = requestAnimationFrame(() => {
    outputFrame = 0;
    renderOutput();
  });
}

function renderOutput(): void {
  const stick = el.output.scrollHeight - el.output.scrollTop - el.output.clientHeight < 40;
  replaceChildren(el.output, renderMarkdown(run?.text ?? ''));
  show(el.output, !!run?.text);
  if (stick) el.output.scrollTop = el.output.scrollHeight;
}

function renderProgress(): void {
  const label = run?.progress?.label ?? (run?.kind === 'retryWrite' ? l10n.t('Writing to Notion…') : l10n.t('Starting…'));
  el.progressLabel.textContent = label;
  show(el.progress, !!run?.running);
}

function renderRun(fresh: boolean): void {
  const running = !!run?.running;
  const connection = state?.connection;
  // A database connection generates too: a new entry with its mapped properties and a body.
  el.generate.disabled = running || !connection;
  show(el.cancel, running);
  el.prompt.readOnly = running;
  el.engine.disabled = running;
  el.model.readOnly = running;
  el.modeAppend.disabled = running;
  el.modeReplace.disabled = running;
  show(el.run, !!run);
  if (!run) return;
  if (fresh) el.output.scrollTop = 0;
  renderOutput();
  renderProgress();
  renderResult(run.result);
}

function renderResult(result: ResultView | undefined): void {
  show(el.result, !!result && !run?.running);
  if (!result) return;
  el.result.className = `result is-${result.status}`;
  el.resultMessage.textContent = result.message;
  el.resultWarning.textContent = result.warning ?? '';
  show(el.resultWarning, !!result.warning);
  show(el.openInNotion, result.canOpen);
  show(el.retryWrite, result.canRetry);
  const item = state?.history.find((entry) => entry.id === result.recordId);
  show(el.undoResult, !!result.canUndo && (item ? item.canUndo : true));
  replaceChildren(el.resultAction, result.action ? commandButton(result.action) : null);
}

// ---- history --------------------------------------------------------------------------------------

function renderHistory(): void {
  const connection = state?.connection;
  if (!connection || !state) return;
  el.usage.textContent = connection.usage;
  const items = state.history;
  if (items.length === 0) {
    replaceChildren(el.historyList, h('p', { className: 'history-empty' }, l10n.t('No generations yet: type a prompt above and press Generate.')));
    return;
  }
  replaceChildren(el.historyList, h('ul', { className: 'history-items' }, ...items.map(historyItem)));
}

function historyItem(item: HistoryItem): HTMLLIElement {
  if (item.status === 'generating') contents.delete(item.id);
  const body = h('div', { className: 'history-content preview' });
  const details = h('details', { className: 'history-item', attrs: { 'data-record-id': item.id, 'data-status': item.status, open: expanded.has(item.id) } },
    h('summary', {},
      h('span', { className: 'history-prompt' }, item.prompt),
      h('span', { className: 'history-meta' },
        h('time', { attrs: { datetime: item.createdAt, title: localTime(item.createdAt) } }, item.when),
        ' · ', item.engine, ' · ',
        h('span', { className: `history-status status-${item.status}` }, item.statusLabel),
        item.mode === 'replace' ? ' · ' : '',
        item.mode === 'replace' ? l10n.t({ message: 'replace', comment: ['In a history entry: the generation replaced the page content.'] }) : '',
      ),
    ),
    body,
    h('div', { className: 'actions' },
      item.canUndo ? button(l10n.t('Undo'), `undo-${item.id}`, 'secondary history-undo', () => void undo(item)) : null,
      item.canRetry ? button(RETRY_WRITE, `retry-${item.id}`, 'secondary history-retry', () => host.post({ type: 'retryWrite', recordId: item.id })) : null,
      item.writtenBlocks > 0 ? button(OPEN_IN_NOTION, `open-${item.id}`, 'secondary', () => host.post({ type: 'openInNotion', recordId: item.id })) : null,
    ),
  );
  const fill = async () => {
    if (!contents.has(item.id)) {
      replaceChildren(body, h('span', { className: 'hint' }, l10n.t('Loading…')));
      try {
        contents.set(item.id, await host.request<ReplyResults['historyContent']>({ type: 'historyContent', recordId: item.id }));
      } catch (error) {
        replaceChildren(body, h('span', { className: 'error' }, errorText(error)));
        return;
      }
    }
    const text = contents.get(item.id) ?? '';
    replaceChildren(body, text ? renderMarkdown(text) : h('span', { className: 'hint' }, l10n.t('No text was generated.')));
  };
  details.addEventListener('toggle', () => {
    if (details.open) {
      expanded.add(item.id);
      void fill();
    } else {
      expanded.delete(item.id);
    }
    saveDraft();
  });
  if (details.open) void fill();
  return h('li', {}, details);
}

async function undo(item: Pick<HistoryItem, 'id'>): Promise<void> {
  try {
    await host.request<ReplyResults['undo']>({ type: 'undo', recordId: item.id });
  } catch (error) {
    const details = el.historyList.querySelector(`[data-record-id="${CSS.escape(item.id)}"] .actions`);
    if (details) append(details, h('span', { className: 'error' }, errorText(error)));
  }
}

// ---- helpers --------------------------------------------------------------------------------------

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

function commandButton(command: CommandAction): HTMLButtonElement {
  return h('button', { className: 'button secondary inline', attrs: { type: 'button' }, on: { click: () => host.post({ type: 'runCommand', command: command.command }) } }, command.label);
}

// Hidden until the host's state says which step this is.
show(el.stepConnect, false);
show(el.stepGenerate, false);
show(el.history, false);
show(el.run, false);
show(el.cancel, false);
show(el.keyNotice, false);
show(el.databaseNotice, false);
renderValidation();
host.ready();
