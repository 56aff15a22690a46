// The first run through the real UI: "Get started with Visen" opens by itself the first time Visen runs
// (once the command that started it no longer needs the keyboard), and its check marks follow what is set
// up — in the window where it is open, in a later window where it was never opened, and back off when the
// keys are cleared. The packaged .vsix runs in code-server; the services are the loopback stand-ins.
import * as assert from 'assert';
import { runCommand, screenshot, waitForNotification } from '../harness/codeServer';
import {
  activateVisen,
  afterKeySaved,
  clearNotifications,
  completedSteps,
  inputHasFocus,
  openKeyBox,
  openVisenWalkthrough,
  quickInput,
  setGeminiKey,
  visenJourney,
  walkthroughStep,
  walkthroughTab,
} from './workbench';

// The fakes' default valid keys (test/fakes/notionFake.ts, geminiFake.ts).
const NOTION_SECRET = 'secret_fake_notion';
const GEMINI_KEY = 'AIza-fake-gemini';
const HOME_PAGE = 'Team Home';

describe('first run: the walkthrough opens once and its steps follow the set-up', function () {
  // One journey: each step needs the previous one's state. Visen is first started by a command, not the view.
  this.timeout(300_000);
  const journey = visenJourney({ fakes: { acceptAnyKey: false, chunkDelayMs: 0 }, activate: false });
  before(() => {
    journey.fakes.notion.addPage({ title: HOME_PAGE, shared: true });
  });

  it('opens the walkthrough once the first command is done with the keyboard', async function () {
    const { page } = journey;
    // Visen's first command in this profile starts Visen. The walkthrough waits while the secret box is open
    // (it would take the keyboard from it), then opens when the secret is stored, step 1 already ticked.
    await openKeyBox(page, 'Visen: Set Notion Token', 'Visen: Notion Token');
    await page.waitForTimeout(3000);
    const walkthrough = walkthroughTab(page);
    assert.equal(await walkthrough.count(), 0, 'no walkthrough while the secret box is open');
    assert.ok(await inputHasFocus(page), 'the secret box still has the keyboard');
    await page.keyboard.type(NOTION_SECRET, { delay: 5 });
    await page.keyboard.press('Enter');
    assert.match(await afterKeySaved(page, /Connected as/), /Fake Workspace/);

    await walkthrough.waitFor({ state: 'visible', timeout: 30_000 });
    await walkthroughStep(page, 'integration').waitFor({ state: 'visible', timeout: 30_000 });
    await walkthroughStep(page, 'integration').locator('.codicon.complete').waitFor({ state: 'attached', timeout: 15_000 });
    assert.deepEqual(await completedSteps(page), { integration: true, engine: false, database: false, generate: false });
    await screenshot(page, 'first-run-01-walkthrough-after-the-secret');
    await clearNotifications(page);
  });

  it('ticks step 2 while the walkthrough is open, as soon as the Gemini key is stored', async function () {
    const { page } = journey;
    assert.match(await setGeminiKey(page, GEMINI_KEY), /Gemini key saved/);
    await clearNotifications(page);
    await walkthroughStep(page, 'engine').locator('.codicon.complete').waitFor({ state: 'attached', timeout: 15_000 });
    assert.deepEqual(await completedSteps(page), { integration: true, engine: true, database: false, generate: false });
  });

  it('in a new window, ticks step 3 for a database set while the walkthrough was never opened', async function () {
    const { page } = journey;
    await runCommand(page, 'View: Close All Editors');
    await walkthroughTab(page).waitFor({ state: 'hidden', timeout: 10_000 });
    // A new window (Reload Window saves the window's state first, so the closed walkthrough stays closed):
    // VS Code's walkthrough service starts afresh and stays unloaded until something needs it.
    const reloaded = page.waitForEvent('domcontentloaded', { timeout: 60_000 });
    await runCommand(page, 'Developer: Reload Window');
    await reloaded;
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 120_000 });
    await activateVisen(page, { firstRun: false });
    // Not the first run any more: the walkthrough stays shut.
    await page.waitForTimeout(3000);
    assert.equal(await walkthroughTab(page).count(), 0, 'the walkthrough opens only on the first run');

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
    const { page } = journey;
    await runCommand(page, 'Visen: Clear Stored Keys', 60_000, page.locator('.part.sidebar .composite.title .title-label').first());
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    await dialog.locator('.monaco-button', { hasText: 'Clear Keys' }).click();
    await waitForNotification(page, /stored keys are cleared/);
    await walkthroughStep(page, 'integration').locator('.codicon.complete').waitFor({ state: 'detached', timeout: 15_000 });
    assert.deepEqual(await completedSteps(page), { integration: false, engine: false, database: true, generate: false });
  });
});
