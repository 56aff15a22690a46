// The whole first-run journey through the real UI: set the Notion secret (a wrong one first), set the Gemini
// key, generate into a Notion page (an unshared one first), and check what landed in the page and in the log.
// The packaged .vsix runs in code-server; the services are the loopback stand-ins from test/fakes.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { paletteEntries, runCommand, screenshot, waitForNotification } from '../harness/codeServer';
import type { FakePage } from '../fakes/notionFake';
import { assertDefaultAnswer } from '../support/answerBlocks';
import {
  activateVisen,
  afterKeySaved,
  clearNotifications,
  inputHasFocus,
  openKeyBox,
  quickInput,
  quickInputBox,
  retype,
  run,
  saveDocImage,
  setGeminiKey,
  toast,
  toastSettled,
  visenJourney,
  waitForQuickInputMessage,
  waitForQuickInputTitle,
} from './workbench';

// The fakes' default valid keys (test/fakes/notionFake.ts, geminiFake.ts).
const RIGHT_NOTION_SECRET = 'secret_fake_notion';
const WRONG_NOTION_SECRET = 'secret_wrong_e2e_4b9f1c';
const GEMINI_KEY = 'AIza-fake-gemini';
const PROMPT = 'A weekend hackathon brief on local-first apps';

/** The "Visen" log channel's file in code-server's logs folder, once it holds a line matching `until`. */
async function readVisenLog(userDataDir: string, until: RegExp, timeout = 30_000): Promise<{ file: string; text: string }> {
  const logs = path.join(userDataDir, 'logs');
  const deadline = Date.now() + timeout;
  for (;;) {
    const files = fs.existsSync(logs)
      ? fs
          .readdirSync(logs, { recursive: true, encoding: 'utf8' })
          .filter((f) => path.basename(f) === 'Visen.log')
          .map((f) => path.join(logs, f))
      : [];
    const text = files.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    if (files.length && until.test(text)) return { file: files.join(', '), text };
    if (Date.now() > deadline) {
      throw new Error(
        `no Visen.log under ${logs} with ${until} within ${timeout} ms (files: ${files.join(', ') || 'none'}; text: ${text.slice(0, 2000)})`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('generate: keys and a generation through the real UI', function () {
  // One journey: each step needs the previous one's state (stored keys, a page written).
  this.timeout(300_000);
  // Only the default keys are valid, so a wrong secret is really rejected; the model streams slowly
  // enough for the progress notification to be seen. The Output panel opened by "Show Log" should not
  // be the first thing that needs a decision.
  const journey = visenJourney({
    fakes: { acceptAnyKey: false, chunkDelayMs: 30 },
    settings: { 'workbench.panel.opensMaximized': 'never' },
  });
  let sharedPage: FakePage;
  let unsharedPage: FakePage;
  let writtenBlocks = 0;
  before(() => {
    sharedPage = journey.fakes.notion.addPage({ title: 'Hackathon Brief', shared: true });
    unsharedPage = journey.fakes.notion.addPage({ title: 'Private Draft', markdown: 'Not for the integration.', shared: false });
  });

  it('lists the Visen commands in the Command Palette', async function () {
    const { page } = journey;
    // Contributed commands show up once the extension host has scanned the installed extension.
    let labels: string[] = [];
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
      labels = await paletteEntries(page, 'Visen: ');
      if (labels.includes('Visen: Generate to Notion Page')) break;
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1000);
    }
    assert.ok(labels.includes('Visen: Generate to Notion Page'), `the Command Palette shows: ${labels.join(' | ')}`);
    await page.mouse.move(900, 700);
    saveDocImage(await screenshot(page, 'generate-01-palette'), 'palette.png');
    // The palette renders only the rows in view, so each command is looked up by its own title.
    for (const title of ['Visen: Set Notion Token', 'Visen: Set Gemini API Key', 'Visen: Show Log']) {
      const found = await paletteEntries(page, title);
      assert.ok(found.includes(title), `"${title}" missing; the Command Palette shows: ${found.join(' | ')}`);
    }
    // Hidden from the palette: it only makes sense from an error's button.
    const retry = await paletteEntries(page, 'Visen: Retry Write');
    assert.ok(!retry.some((l) => /^Visen: Retry Write/.test(l)), `Retry Write should not be in the palette: ${retry.join(' | ')}`);
    await page.keyboard.press('Escape');
  });

  it('rejects a wrong Notion secret in place, then connects with the right one', async function () {
    const { page } = journey;
    // A password box with keyboard focus (openKeyBox checks both).
    await openKeyBox(page, 'Visen: Set Notion Token', 'Visen: Notion Token');

    await page.keyboard.type(WRONG_NOTION_SECRET, { delay: 5 });
    await page.keyboard.press('Enter');
    const rejection = await waitForQuickInputMessage(page, /rejected the token/);
    assert.match(rejection, /Notion rejected the token/);
    // Still open, on the same box, with the value kept for correction.
    assert.ok(await quickInput(page).isVisible(), 'the box stays open after a rejected secret');
    await waitForQuickInputTitle(page, 'Visen: Notion Token');
    assert.equal(await quickInputBox(page).inputValue(), WRONG_NOTION_SECRET);
    await screenshot(page, 'generate-02-secret-rejected');

    // A person types the correction straight away, without clicking back into the box.
    assert.ok(await inputHasFocus(page), 'after a rejected secret, keyboard focus is back in the box');
    await retype(page, RIGHT_NOTION_SECRET);
    await page.keyboard.press('Enter');
    const connected = await afterKeySaved(page, /Connected as/);
    assert.match(connected, /Connected as the integration Visen Fake in Fake Workspace/);
    await screenshot(page, 'generate-03-connected');
  });

  it('checks and saves the Gemini key', async function () {
    const { page } = journey;
    const saved = await setGeminiKey(page, GEMINI_KEY);
    assert.match(saved, /Gemini key saved: it can use \d+ text models/);
    await screenshot(page, 'generate-04-gemini-key-saved');
  });

  it('generates into a shared page after pointing at an unshared one', async function () {
    const { page } = journey;
    await clearNotifications(page);
    // The Visen view, open beside the flow since activation: with the secret stored it shows the "connected" welcome.
    await page
      .locator('.part.sidebar .welcome-view-content', { hasText: 'Visen is connected to Notion' })
      .waitFor({ state: 'visible', timeout: 30_000 });
    const notionRequestsBefore = journey.fakes.notion.requests.length;

    await run(page, 'Visen: Generate to Notion Page');
    // No recent pages yet: straight to the URL box.
    await waitForQuickInputTitle(page, 'Visen: Generate to Notion Page');
    await waitForQuickInputMessage(page, /Paste the link of a Notion page/);
    assert.ok(await inputHasFocus(page), 'the URL box has keyboard focus');

    await page.keyboard.type(unsharedPage.url, { delay: 2 });
    await page.keyboard.press('Enter');
    const hint = await waitForQuickInputMessage(page, /Connections/);
    assert.match(hint, /not shared with your integration/);
    assert.match(hint, /Connections → add your integration/);
    await screenshot(page, 'generate-05-url-not-shared');

    assert.ok(await inputHasFocus(page), 'after the share hint, keyboard focus is back in the URL box');
    await retype(page, sharedPage.url);
    await page.keyboard.press('Enter');

    // The prompt box, titled with the page it writes to.
    await waitForQuickInputTitle(page, 'Visen: what should be written to "Hackathon Brief"?');
    assert.equal(await quickInputBox(page).inputValue(), '', 'the prompt box starts empty');
    await page.keyboard.press('Enter');
    await waitForQuickInputMessage(page, /Type what Visen should write\./);
    assert.ok(await quickInput(page).isVisible(), 'an empty prompt keeps the box open');
    await screenshot(page, 'generate-06-empty-prompt');

    await page.keyboard.type(PROMPT, { delay: 2 });
    await page.keyboard.press('Enter');
    await quickInput(page).waitFor({ state: 'hidden', timeout: 10_000 });

    // The progress notification, while the model is still streaming.
    const progress = toast(page, /writing to "Hackathon Brief"/);
    await progress.waitFor({ state: 'visible', timeout: 30_000 });
    await progress.filter({ hasText: /characters generated/ }).waitFor({ state: 'visible', timeout: 15_000 });
    // For the picture: the toast done sliding in, and blocks already in Notion while the model still writes.
    await toastSettled(page, /writing to/);
    await progress
      .filter({ hasText: /[1-9]\d* of \d+ blocks in Notion/ })
      .waitFor({ state: 'visible', timeout: 5000 })
      .catch(() => undefined);
    const progressText = (await progress.innerText()).replace(/\s+/g, ' ');
    await screenshot(page, 'generate-07-progress');
    assert.match(progressText, /Visen: writing to "Hackathon Brief"/);
    assert.ok(
      (await progress.locator('.monaco-button, .action-label', { hasText: /Cancel/ }).count()) > 0 || /Cancel/.test(progressText),
      `the progress notification offers Cancel: ${progressText}`,
    );

    const done = await waitForNotification(page, /Wrote \d+ blocks? to/, 120_000);
    assert.match(done, /^Wrote \d+ blocks? to "Hackathon Brief"\.$/);
    writtenBlocks = Number(/Wrote (\d+) blocks?/.exec(done)![1]);
    assert.ok(writtenBlocks > 5, `wrote ${writtenBlocks} blocks`);
    const doneToast = toast(page, /Wrote \d+ blocks? to/);
    await doneToast.locator('.monaco-button', { hasText: 'Open in Notion' }).waitFor({ state: 'visible', timeout: 10_000 });
    await progress.filter({ hasText: /writing to/ }).waitFor({ state: 'hidden', timeout: 30_000 });
    await toastSettled(page, /Wrote \d+ blocks?/);
    saveDocImage(await screenshot(page, 'generate-08-done'), 'generate.png');

    // What landed in the stand-in page: native blocks, not one big paragraph of markdown.
    const blocks = journey.fakes.notion.pageBlocks(sharedPage.id);
    assert.equal(
      blocks.length,
      writtenBlocks,
      `the page was empty: "Wrote ${writtenBlocks} blocks" is what it now holds (${blocks.length})`,
    );
    assertDefaultAnswer(blocks, PROMPT);
    const todos = blocks.filter((b) => b.type === 'to_do') as Array<Extract<(typeof blocks)[number], { type: 'to_do' }>>;
    assert.deepEqual(
      todos.map((t) => t.to_do.checked),
      [true, false, false],
    );
    const markdown = journey.fakes.notion.pageMarkdown(sharedPage.id);
    assert.match(markdown, /\*\*clear goal\*\*/, 'bold survives as an annotation');
    // The unshared page was never written to.
    assert.equal(journey.fakes.notion.pageBlocks(unsharedPage.id).length, 1);
    // Everything Visen sent Notion for this generation carried the stored (right) secret.
    const sent = journey.fakes.notion.requests.slice(notionRequestsBefore);
    assert.ok(sent.length > 0);
    for (const request of sent)
      assert.equal(request.headers.authorization, `Bearer ${RIGHT_NOTION_SECRET}`, `${request.method} ${request.path}`);
  });

  it('never writes a key to the Visen log, which records the generation', async function () {
    const { page, server } = journey.workbench;
    // The final notification stays (it has a button); keep it for the picture of the finished state.
    await run(page, 'Visen: Show Log');
    const panel = page.locator('.part.panel');
    await panel.waitFor({ state: 'visible', timeout: 30_000 });
    // The Output view is an editor: its lines render spaces as U+00A0, which \s matches.
    const lines = panel.locator('.monaco-editor .view-lines').filter({ hasText: /Generation\s[0-9a-f-]+:\swritten/ });
    await lines.first().waitFor({ state: 'visible', timeout: 30_000 });
    const shown = (await lines.first().innerText()).replace(/\u00a0/g, ' ');
    assert.match(shown, /\[info\] Generation [0-9a-f-]+: written/);
    await screenshot(page, 'generate-09-log');
    // The Output view's channel picker names the channel.
    const channel = await panel
      .locator('select.monaco-select-box')
      .first()
      .evaluate((el: any) => String(el.options?.[el.selectedIndex]?.text ?? el.value ?? ''))
      .catch(() => '');
    assert.match(channel, /Visen/, `the Output view shows the Visen channel (shows "${channel}")`);

    const { file, text } = await readVisenLog(server.userDataDir, /Generation [0-9a-f-]+: written/);
    console.log(`      log file: ${file}`);
    assert.match(text, new RegExp(`Generation [0-9a-f-]+: written, \\d+ blocks \\(${writtenBlocks} written\\)`));
    assert.match(text, /Connected as the integration Visen Fake in Fake Workspace/);
    assert.match(text, /Gemini key saved/);
    for (const [name, value] of [
      ['wrong Notion secret', WRONG_NOTION_SECRET],
      ['Notion secret', RIGHT_NOTION_SECRET],
      ['Gemini key', GEMINI_KEY],
    ]) {
      assert.ok(!text.includes(value), `the ${name} is in ${file}`);
      assert.ok(!shown.includes(value), `the ${name} is in the Output view`);
    }
  });

  it('undoes a generation from its completion message, and after a reload the earlier one from the tree', async function () {
    const { page } = journey;
    await runCommand(page, 'View: Close All Editors');
    await page.keyboard.press('Escape');
    await clearNotifications(page);
    const firstIds = journey.fakes.notion.pageBlocks(sharedPage.id).map((b) => b.id);
    assert.equal(firstIds.length, writtenBlocks);

    // A second generation into the same page, through the connection the first one made.
    await run(page, 'Visen: Generate to Notion Page');
    await waitForQuickInputTitle(page, 'Visen: Generate to Notion Page');
    await quickInput(page).locator('.quick-input-list .monaco-list-row', { hasText: 'Hackathon Brief' }).first().click();
    await waitForQuickInputTitle(page, 'Visen: what should be written to "Hackathon Brief"?');
    await page.keyboard.type('An FAQ for the participants', { delay: 2 });
    await page.keyboard.press('Enter');
    await waitForNotification(page, /Wrote \d+ blocks? to "Hackathon Brief"/, 120_000);
    assert.ok(journey.fakes.notion.pageBlocks(sharedPage.id).length > firstIds.length, 'the second generation was appended');

    // Undo, next to Open in Notion on the completion message.
    const doneToast = toast(page, /Wrote \d+ blocks? to "Hackathon Brief"/);
    const undoButton = doneToast.locator('.monaco-button', { hasText: /^Undo$/ });
    await undoButton.waitFor({ state: 'visible', timeout: 10_000 });
    await toastSettled(page, /Wrote \d+ blocks?/);
    await screenshot(page, 'generate-10-undo-offered');
    await undoButton.click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(
      (await dialog.innerText()).replace(/\s+/g, ' '),
      /Visen deletes the \d+ blocks it wrote\. Everything else on the page stays as it is\./,
    );
    await screenshot(page, 'generate-11-undo-confirm');
    await dialog.locator('.monaco-button', { hasText: /^Undo$/ }).click();
    await waitForNotification(page, /Undone: "Hackathon Brief"/, 60_000);
    assert.deepEqual(
      journey.fakes.notion.pageBlocks(sharedPage.id).map((b) => b.id),
      firstIds,
      'only the second generation is gone; the first keeps its ids',
    );

    // A new window: the history is still there, and the tree's Undo takes back the first generation.
    const reloaded = page.waitForEvent('domcontentloaded', { timeout: 60_000 });
    await runCommand(page, 'Developer: Reload Window');
    await reloaded;
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 120_000 });
    await activateVisen(page, { firstRun: false });
    const row = (label: string | RegExp) =>
      page.locator('.part.sidebar .monaco-list-row', { has: page.locator('.label-name', { hasText: label }) }).first();
    const connection = row('Hackathon Brief');
    await connection.waitFor({ state: 'visible', timeout: 60_000 });
    if ((await connection.getAttribute('aria-expanded')) !== 'true') await connection.locator('.monaco-tl-twistie').click();
    const generation = row(PROMPT);
    await generation.waitFor({ state: 'visible', timeout: 10_000 });
    await generation.hover();
    await generation.locator('.action-label[aria-label="Undo Last Generation"]').click();
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    await dialog.locator('.monaco-button', { hasText: /^Undo$/ }).click();
    await waitForNotification(page, /Undone: "Hackathon Brief"/, 60_000);
    assert.deepEqual(journey.fakes.notion.pageBlocks(sharedPage.id), [], 'the page is empty again, as it was before Visen wrote to it');
    await screenshot(page, 'generate-12-undone-from-tree');
  });
});
