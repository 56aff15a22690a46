/**
 * The connection form: step 1 names and checks a Notion page or database (connectStep.ts), step 2 writes a
 * prompt into it (generateStep.ts) and shows the text as it streams (runView.ts), then the connection's
 * history (historyList.ts); the markup is in layout.ts. All state lives in the host; this page keeps only
 * what the user typed (vscode.setState), so it survives being hidden or reloaded.
 *
 * Stable hooks for UI tests (ids are unique; classes mark regions):
 *   step 1   #name  #type (select: page | database)  #url  .validation (status of the URL check;
 *            .is-ok / .is-error / .is-checking)  #next
 *   step 2   #template-select  #save-template  #delete-template  #template-name (templateBar.ts)
 *            #prompt  #engine (select)  #model  #write-mode (#mode-append  #mode-replace; hidden for a database)  #generate  #cancel
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
// First: it loads the page's translations, which the constants of the modules below already need.
import '../shared/l10n';
import type { ConnectionType, FormState, HostMessage, PersistedFormState } from '../../../src/views/connectionProtocol';
import { show } from '../shared/dom';
import { Host } from '../shared/host';
import { ConnectStep } from './connectStep';
import type { ConnectionForm } from './form';
import { GenerateStep } from './generateStep';
import { HistoryList } from './historyList';
import { buildConnectionForm, NEW_CONNECTION } from './layout';
import { RunPanel } from './runView';
import { TemplateBar } from './templateBar';

const host: ConnectionForm['host'] = new Host(receive);
let draft: PersistedFormState = host.state ?? {};

const el = buildConnectionForm({
  openTarget: () => host.post({ type: 'openInNotion' }),
  next: () => void connect.next(),
  generate: () => prompt.generate(),
  cancel: () => host.post({ type: 'cancel' }),
  openResult: () => host.post({ type: 'openInNotion', recordId: form.run?.result?.recordId }),
  retryResult: () => {
    const recordId = form.run?.result?.recordId;
    if (recordId) host.post({ type: 'retryWrite', recordId });
  },
  undoResult: () => {
    const recordId = form.run?.result?.recordId;
    if (recordId) void history.undo({ id: recordId });
  },
});

const form: ConnectionForm = {
  host,
  el,
  expanded: new Set(draft.expanded ?? []),
  saveDraft,
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
    expanded: [...form.expanded],
    ...change,
  };
  host.state = draft;
}

const connect = new ConnectStep(form);
const prompt = new GenerateStep(form);
const templates = new TemplateBar(form);
const run = new RunPanel(form);
const history = new HistoryList(form);

// ---- messages from the host -----------------------------------------------------------------------

function receive(message: HostMessage): void {
  switch (message.type) {
    case 'state':
      applyState(message.state);
      return;
    case 'rejected':
      // A message the host could not take (the page's own limits should have stopped it first).
      if (message.field === 'url') connect.showError(message.error);
      else prompt.showPromptError(message.error);
      return;
    case 'reply':
      // Settled by the Host itself.
      return;
    default:
      run.receive(message);
  }
}

function applyState(next: FormState): void {
  const stepChanged = !!form.state?.connection !== !!next.connection;
  connect.beforeState(form.state, next);
  form.state = next;
  if (next.run && (!form.run || next.run.runId >= form.run.runId)) form.run = { ...next.run };
  if (next.connection && draft.connectionId !== next.connection.id) saveDraft({ connectionId: next.connection.id });
  render();
  if (stepChanged && next.connection) el.prompt.focus();
}

function render(): void {
  const { state } = form;
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
    connect.renderStep(state);
    return;
  }
  prompt.render(state, connection);
  templates.render(connection);
  run.render(false);
  history.render();
}

// Hidden until the host's state says which step this is.
show(el.stepConnect, false);
show(el.stepGenerate, false);
show(el.history, false);
show(el.run, false);
show(el.cancel, false);
show(el.keyNotice, false);
show(el.databaseNotice, false);
connect.render();
host.ready();
