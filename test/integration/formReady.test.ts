// A form never stays blank: a form whose page has not said `ready` in time is made again once; if that one
// stays blank too, Visen says so and offers Reload Window. The test holds `ready` back, as VS Code's webview
// host does when it leaves a page blank ("Waiting for controllerchange").
import * as assert from 'assert';
import * as vscode from 'vscode';
import { formReadiness } from '../../src/views/formPanel';
import { openSettingsPanel } from '../../src/views/settingsPanel';
import { useStage } from './support/visen';

const settingsTabs = () =>
  vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('visen.settings'));

async function until(what: string, ok: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a form never stays blank', () => {
  const stage = useStage();
  const saved = { ...formReadiness };

  afterEach(async () => {
    Object.assign(formReadiness, saved);
    await vscode.window.tabGroups.close(settingsTabs());
  });

  it('a form that does not say ready in time is opened again, once, and comes up', async () => {
    Object.assign(formReadiness, { timeoutMs: 3000, holdBack: 1 });
    const { extensionUri } = vscode.extensions.getExtension('visen.visen')!;
    const first = openSettingsPanel(stage.api, extensionUri);
    let disposed = false;
    first.onDidDispose(() => {
      disposed = true;
    });
    await until('the blank form to be replaced', () => disposed, 10_000);
    await until('the new form', () => settingsTabs().length === 1, 5000);
    // Only the first page's `ready` is held back: the new page says it and comes up, so nothing is shown.
    await new Promise((r) => setTimeout(r, formReadiness.timeoutMs + 2000));
    assert.deepStrictEqual(
      stage.ui.messages.filter((m) => m.level === 'warn'),
      [],
      'no warning: the form came up',
    );
    assert.strictEqual(settingsTabs().length, 1, 'one panel');
  });

  it('a form that stays blank when opened again says so and offers Reload Window', async () => {
    Object.assign(formReadiness, { timeoutMs: 1000, holdBack: 2 });
    const { extensionUri } = vscode.extensions.getExtension('visen.visen')!;
    openSettingsPanel(stage.api, extensionUri);
    await until('the warning', () => stage.ui.last('warn') !== undefined, 10_000);
    const warning = stage.ui.last('warn')!;
    assert.match(
      warning.message,
      /^"Visen Settings" stayed blank: VS Code did not load the form, even when Visen opened it again\. Reloading the window usually fixes this\.$/,
    );
    assert.deepStrictEqual(warning.actions, ['Reload Window']);
    await new Promise((r) => setTimeout(r, 2500));
    assert.strictEqual(stage.ui.messages.filter((m) => m.level === 'warn').length, 1, 'said once: no third panel');
    assert.strictEqual(settingsTabs().length, 1, 'the panel opened again stays, one');
  });
});
