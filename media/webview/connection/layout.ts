/**
 * The connection form's markup: the header with its two steps, step 1 (name, type, URL), step 2 (the
 * target, the prompt and its options, the run) and the history. What fills them is in the other modules.
 */
// First: the translations, which the constants below already need.
import '../shared/l10n';
import * as l10n from '@vscode/l10n';
import type { CommandAction } from '../../../src/views/connectionProtocol';
import { LIMITS } from '../../../src/views/formLimits';
import { PROMPT_VARIABLE_HINT } from '../../../src/workflows/promptVariables';
import { button, byId, h } from '../shared/dom';
import type { ConnectionHost } from './form';

const isMac = /Mac|iPhone|iPad/.test(navigator.platform);
const PROMPT_HINT = isMac
  ? l10n.t('Describe the content; Visen writes it as formatted Notion blocks. ⌘+Enter generates.')
  : l10n.t('Describe the content; Visen writes it as formatted Notion blocks. Ctrl+Enter generates.');
export const NEW_CONNECTION = l10n.t('New Connection');
export const NAME_PLACEHOLDER = l10n.t('Defaults to the page title');
export const OPEN_IN_NOTION = l10n.t('Open in Notion');
export const RETRY_WRITE = l10n.t('Retry Write');
export const NEXT = l10n.t('Next');

/** What the form's fixed buttons do. */
export interface LayoutActions {
  openTarget(): void;
  next(): void;
  generate(): void;
  cancel(): void;
  openResult(): void;
  retryResult(): void;
  undoResult(): void;
}

/** Builds the form into the page's body and returns its elements. */
export function buildConnectionForm(actions: LayoutActions) {
  document.body.append(h('main', { className: 'form' }, formHeader(), connectStep(actions), generateStep(actions), historySection()));
  return connectionElements();
}

/** The heading and the two steps. */
function formHeader(): HTMLElement {
  return h(
    'header',
    { className: 'header' },
    h('h1', { id: 'heading' }, NEW_CONNECTION),
    h(
      'ol',
      { className: 'steps', attrs: { 'aria-label': l10n.t('Steps') } },
      h('li', { id: 'step-1-label' }, h('span', { className: 'step-number' }, '1'), l10n.t('Connect')),
      h('li', { id: 'step-2-label' }, h('span', { className: 'step-number' }, '2'), l10n.t('Generate')),
    ),
  );
}

/** Step 1: the connection's name, type and Notion URL. */
function connectStep(actions: LayoutActions): HTMLElement {
  return h(
    'section',
    { id: 'step-connect', className: 'step', attrs: { 'aria-labelledby': 'step-1-label' } },
    h(
      'p',
      { className: 'intro' },
      l10n.t(
        'Point Visen at a Notion page or database. With an internal integration, share it with the integration first (••• → Connections).',
      ),
    ),
    h(
      'div',
      { className: 'field' },
      h('label', { attrs: { for: 'name' } }, l10n.t('Name')),
      h('input', {
        id: 'name',
        className: 'input',
        attrs: {
          type: 'text',
          autocomplete: 'off',
          spellcheck: 'false',
          maxlength: LIMITS.name,
          placeholder: NAME_PLACEHOLDER,
          'aria-describedby': 'name-hint',
        },
      }),
      h('div', { id: 'name-hint', className: 'hint' }, l10n.t('Optional. How the connection appears in Visen.')),
    ),
    h(
      'div',
      { className: 'field' },
      h('label', { attrs: { for: 'type' } }, l10n.t('Type')),
      h(
        'select',
        { id: 'type', className: 'select' },
        h('option', { attrs: { value: 'page' } }, l10n.t('Notion Page')),
        h('option', { attrs: { value: 'database' } }, l10n.t('Notion Database')),
      ),
    ),
    urlField(),
    h(
      'div',
      { className: 'actions' },
      button(NEXT, 'next', 'primary', () => actions.next()),
    ),
  );
}

/** The Notion URL, its hint and what checking it found. */
function urlField(): HTMLElement {
  return h(
    'div',
    { className: 'field' },
    h('label', { attrs: { for: 'url' } }, l10n.t('Notion URL')),
    h('input', {
      id: 'url',
      className: 'input',
      attrs: {
        type: 'url',
        autocomplete: 'off',
        spellcheck: 'false',
        maxlength: LIMITS.url,
        placeholder: l10n.t({ message: 'https://www.notion.so/…', comment: ['An example address, shown in the empty field.'] }),
        'aria-describedby': 'url-validation url-hint',
        required: true,
      },
    }),
    h('div', { id: 'url-hint', className: 'hint' }, l10n.t('In Notion: Share → Copy link.')),
    h('div', { id: 'url-validation', className: 'validation', attrs: { role: 'status', 'aria-live': 'polite' } }),
  );
}

/** Step 2: the target, the prompt and its options, and the run. */
function generateStep(actions: LayoutActions): HTMLElement {
  return h(
    'section',
    { id: 'step-generate', className: 'step', attrs: { 'aria-labelledby': 'step-2-label' } },
    targetLine(actions),
    h('div', { id: 'database-notice', className: 'notice', attrs: { role: 'note' } }),
    promptFields(actions),
    runSection(actions),
  );
}

/** What the connection writes to, with a link to open it. */
function targetLine(actions: LayoutActions): HTMLElement {
  return h(
    'div',
    { className: 'target' },
    h('span', { id: 'target-type', className: 'badge' }),
    h('span', { id: 'target-title', className: 'target-title' }),
    h(
      'button',
      {
        id: 'open-target',
        className: 'link',
        attrs: { type: 'button', title: OPEN_IN_NOTION },
        on: { click: () => actions.openTarget() },
      },
      l10n.t('Open in Notion ↗'),
    ),
  );
}

/** The prompt templates, the prompt, the run's options, the key notice and Generate. */
function promptFields(actions: LayoutActions): HTMLElement {
  return h(
    'div',
    { id: 'prompt-fields' },
    h('div', { id: 'templates', className: 'field templates', attrs: { role: 'group', 'aria-label': l10n.t('Prompt templates') } }),
    promptField(),
    runOptions(),
    h('div', { id: 'key-notice', className: 'key-notice notice is-warning', attrs: { role: 'alert' } }),
    h(
      'div',
      { className: 'actions' },
      button(l10n.t('Generate'), 'generate', 'primary', () => actions.generate()),
      button(l10n.t('Cancel'), 'cancel', 'secondary', () => actions.cancel()),
    ),
  );
}

/** The prompt, its hint and its error. */
function promptField(): HTMLElement {
  return h(
    'div',
    { className: 'field' },
    h('label', { attrs: { for: 'prompt' } }, l10n.t('Prompt')),
    h('textarea', {
      id: 'prompt',
      className: 'textarea',
      attrs: { rows: 6, maxlength: LIMITS.prompt, 'aria-describedby': 'prompt-hint prompt-error' },
    }),
    h('div', { id: 'prompt-hint', className: 'hint' }, `${PROMPT_HINT} ${l10n.t('Variables: {0}', PROMPT_VARIABLE_HINT)}`),
    h('div', { id: 'prompt-error', className: 'field-error', attrs: { role: 'alert' } }),
  );
}

/** The engine, the model and the write mode. */
function runOptions(): HTMLElement {
  return h(
    'div',
    { className: 'options' },
    h(
      'div',
      { className: 'field' },
      h('label', { attrs: { for: 'engine' } }, l10n.t('Engine')),
      h('select', { id: 'engine', className: 'select' }),
    ),
    h(
      'div',
      { className: 'field' },
      h('label', { attrs: { for: 'model' } }, l10n.t('Model')),
      h('input', {
        id: 'model',
        className: 'input',
        attrs: { type: 'text', list: 'models', autocomplete: 'off', spellcheck: 'false', maxlength: LIMITS.model },
      }),
      h('datalist', { id: 'models' }),
    ),
    h(
      'fieldset',
      { id: 'write-mode', className: 'field mode' },
      h('legend', {}, l10n.t('Write mode')),
      h(
        'label',
        { className: 'radio' },
        h('input', { id: 'mode-append', attrs: { type: 'radio', name: 'mode', value: 'append' } }),
        l10n.t('Append to the page'),
      ),
      h(
        'label',
        { className: 'radio' },
        h('input', { id: 'mode-replace', attrs: { type: 'radio', name: 'mode', value: 'replace' } }),
        l10n.t('Replace its content (undoable)'),
      ),
      h(
        'label',
        { className: 'radio' },
        h('input', { id: 'mode-heading', attrs: { type: 'radio', name: 'mode', value: 'afterHeading' } }),
        l10n.t('After a heading'),
      ),
      h('select', { id: 'write-heading', className: 'select', attrs: { 'aria-label': l10n.t('Heading to write after') } }),
      h('div', { id: 'write-heading-note', className: 'hint-inline', attrs: { 'aria-live': 'polite' } }),
    ),
  );
}

/** The run: progress, the text as it streams, and the result with its actions. */
function runSection(actions: LayoutActions): HTMLElement {
  return h(
    'section',
    { id: 'run', className: 'run', attrs: { 'aria-label': l10n.t('Generation') } },
    h(
      'div',
      { id: 'progress', className: 'progress', attrs: { role: 'status', 'aria-live': 'polite' } },
      h('span', { className: 'spinner', attrs: { 'aria-hidden': 'true' } }),
      h('span', { id: 'progress-label' }),
    ),
    h('article', { id: 'output', className: 'output preview', attrs: { 'aria-label': l10n.t('Generated text'), tabindex: 0 } }),
    h(
      'div',
      { id: 'result', className: 'result', attrs: { role: 'status' } },
      h('p', { id: 'result-message', className: 'result-message' }),
      h('p', { id: 'result-warning', className: 'result-warning' }),
      h(
        'div',
        { className: 'actions' },
        button(OPEN_IN_NOTION, 'open-in-notion', 'primary', () => actions.openResult()),
        button(RETRY_WRITE, 'retry-write', 'secondary', () => actions.retryResult()),
        button(l10n.t('Undo'), 'undo-result', 'secondary', () => actions.undoResult()),
        h('span', { id: 'result-action' }),
      ),
    ),
  );
}

/** The connection's history and usage. */
function historySection(): HTMLElement {
  return h(
    'section',
    { id: 'history', className: 'history', attrs: { 'aria-labelledby': 'history-heading' } },
    h(
      'div',
      { className: 'history-header' },
      h('h2', { id: 'history-heading' }, l10n.t('History')),
      h('span', { id: 'usage', className: 'usage' }),
    ),
    h('div', { id: 'history-list' }),
  );
}

/** The form's elements, once built. */
function connectionElements() {
  return {
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
    templates: byId<HTMLDivElement>('templates'),
    prompt: byId<HTMLTextAreaElement>('prompt'),
    promptError: byId<HTMLDivElement>('prompt-error'),
    engine: byId<HTMLSelectElement>('engine'),
    model: byId<HTMLInputElement>('model'),
    models: byId<HTMLDataListElement>('models'),
    modeAppend: byId<HTMLInputElement>('mode-append'),
    modeReplace: byId<HTMLInputElement>('mode-replace'),
    modeHeading: byId<HTMLInputElement>('mode-heading'),
    writeHeading: byId<HTMLSelectElement>('write-heading'),
    headingNote: byId<HTMLDivElement>('write-heading-note'),
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
}

export type ConnectionElements = ReturnType<typeof buildConnectionForm>;

/** A button that runs one of the form's commands (set a key, Fill Database Rows…). */
export function commandButton(host: ConnectionHost, command: CommandAction): HTMLButtonElement {
  return h(
    'button',
    {
      className: 'button secondary inline',
      attrs: { type: 'button' },
      on: { click: () => host.post({ type: 'runCommand', command: command.command }) },
    },
    command.label,
  );
}
