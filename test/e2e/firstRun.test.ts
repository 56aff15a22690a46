// The first run through the real UI: "Get started with Visen" opens by itself the first time Visen runs
// (behind the command that started it, which keeps the keyboard), and its check marks follow what is set
// up — in the window where it is open, in a later window where it was never opened, and back off when the
// keys are cleared. The packaged .vsix runs in code-server; the services are the loopback stand-ins.
import * as assert from 'assert';
import { openWorkbench, runCommand, screenshot, waitForNotification } from '../harness/codeServer';
import { AllFakes, startAllFakes } from '../fakes/standalone';
import {
  Workbench, activateVisen, afterKeySaved, clearNotifications, completedSteps, inputHasFocus, openKeyBox, openVisenWalkthrough,
  openVisenWorkbench, quickInput, screenshotOnFailure, setGeminiKey, tab, walkthroughStep,
} from './workbench';

// The fakes' default valid keys (test/fakes/notionFake.ts, geminiFake.ts).
const NOTION_SECRET = 'secret_fake_notion';
const GEMINI_KEY = 'AIza-fake-gemini';
const HOME_PAGE = 'Team Home';

describe('first run: the walkthrough opens once and its steps follow the set-up', function () {
  // One journey: each step needs the previous one's state.
  this.timeout(300_000);
  let fakes: AllFakes | undefined;
  let workbench: Workbench | undefined;

  before(async function () {
    fakes = await startAllFakes({ acceptAnyKey: false, chunkDelayMs: 0 });
    fakes.notion.addPage({ title: HOME_PAGE, shared: true });
    workbench = await openVisenWorkbench({
      'visen.notion.apiBaseUrl': fakes.notion.url,
      'visen.gemini.baseUrl': fakes.gemini.url,
      'visen.openai.baseUrl': fakes.openai.url,
    });
  });

  let failed = false;
  beforeEach(function () {
    if (failed) this.skip();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') failed = true;
    await screenshotOnFailure(this, workbench);
  });

  after(async function () {
    await workbench?.close();
    await fakes?.close();
  });

  it('opens the walkthrough behind the first command, which keeps the keyboard', async function () {
    const { page } = workbench!;
    // Visen's first command in this profile starts Visen; the walkthrough opens as an inactive tab.
    await openKeyBox(page, 'Visen: Set Notion Integration Secret', 'Visen: Notion Integration Secret');
    const walkthroughTab = tab(page, /Walkthrough/);
    await walkthroughTab.waitFor({ state: 'visible', timeout: 30_000 });
    assert.ok(await quickInput(page).isVisible(), 'the secret box is still open');
    assert.ok(await inputHasFocus(page), 'the secret box still has the keyboard');
    await page.keyboard.type(NOTION_SECRET, { delay: 5 });
    await page.keyboard.press('Enter');
    assert.match(await afterKeySaved(page, /Connected to workspace/), /Fake Workspace/);
    await screenshot(page, 'first-run-01-walkthrough-behind-the-secret-box');
    await clearNotifications(page);

    await walkthroughTab.click();
    await walkthroughStep(page, 'integration').waitFor({ state: 'visible', timeout: 30_000 });
    await walkthroughStep(page, 'integration').locator('.codicon.complete').waitFor({ state: 'attached', timeout: 15_000 });
    assert.deepEqual(await completedSteps(page), { integration: true, engine: false, database: false, generate: false });
  });

  it('ticks step 2 while the walkthrough is open, as soon as the Gemini key is stored', async function () {
    const { page } = workbench!;
    assert.match(await setGeminiKey(page, GEMINI_KEY), /Gemini key saved/);
    await clearNotifications(page);
    await walkthroughStep(page, 'engine').locator('.codicon.complete').waitFor({ state: 'attached', timeout: 15_000 });
    assert.deepEqual(await completedSteps(page), { integration: true, engine: true, database: false, generate: false });
  });

  it('in a new window, ticks step 3 for a database set while the walkthrough was never opened', async function () {
    const { page } = workbench!;
    await runCommand(page, 'View: Close All Editors');
    await tab(page, /Walkthrough/).waitFor({ state: 'hidden', timeout: 10_000 });
    // A new window: VS Code's walkthrough service starts afresh and stays unloaded until something needs it.
    await openWorkbench(page, page.url());
    await activateVisen(page);
    // Not the first run any more: the walkthrough stays shut.
    await page.waitForTimeout(3000);
    assert.equal(await tab(page, /Walkthrough/).count(), 0, 'the walkthrough opens only on the first run');

    await runCommand(page, 'Visen: Create Connections Database');
    const row = quickInput(page).locator('.quick-input-list .monaco-list-row', { hasText: HOME_PAGE }).first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    await row.click();
    assert.match(await waitForNotification(page, /Connections database set to/), /Connections database set to "Visen Connections"/);
    await clearNotifications(page);

    await openVisenWalkthrough(page);
    await walkthroughStep(page, 'database').locator('.codicon.complete').waitFor({ state: 'attached', timeout: 15_000 });
    assert.deepEqual(await completedSteps(page), { integration: true, engine: true, database: true, generate: false });
  });

  it('unticks steps 1 and 2 when the keys are cleared', async function () {
    const { page } = workbench!;
    await runCommand(page, 'Visen: Clear Stored Keys', 60_000, page.locator('.part.sidebar .composite.title .title-label').first());
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    await dialog.locator('.monaco-button', { hasText: 'Clear Keys' }).click();
    await waitForNotification(page, /stored keys are cleared/);
    await walkthroughStep(page, 'integration').locator('.codicon.complete').waitFor({ state: 'detached', timeout: 15_000 });
    assert.deepEqual(await completedSteps(page), { integration: false, engine: false, database: true, generate: false });
  });
});
