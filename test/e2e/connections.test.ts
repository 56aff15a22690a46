// Connections through the real UI: the keys from the Command Palette, a new connection from the Connections
// view's welcome button (an unshared page first, then a shared one), a generation from the connection form
// that streams into it, the connection and its generation in the sidebar tree, the generated content as a
// document and its Markdown preview, and the "Get started" walkthrough's completed steps.
// The packaged .vsix runs in code-server; the services are the loopback stand-ins from test/fakes.
import * as assert from 'assert';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { runCommand, screenshot } from '../harness/codeServer';
import type { FakePage } from '../fakes/notionFake';
import { assertDefaultAnswer } from '../support/answerBlocks';
import {
  clearNotifications,
  completedSteps,
  openVisenWalkthrough,
  saveDocImage,
  selectAllInWebviewField,
  setGeminiKey,
  setNotionSecret,
  tab,
  visenJourney,
  visenWebview,
  walkthroughMediaShown,
  walkthroughStep,
  walkthroughTab,
} from './workbench';

// The fakes' default valid keys (test/fakes/notionFake.ts, geminiFake.ts).
const NOTION_SECRET = 'secret_fake_notion';
const GEMINI_KEY = 'AIza-fake-gemini';
const CONNECTION_NAME = 'Launch notes';
const PROMPT = 'A launch checklist for the Visen beta';

/** Where the mouse rests when it should cover nothing: the empty lower part of the sidebar (no tooltips there). */
async function parkMouse(page: Page): Promise<void> {
  await page.mouse.move(190, 760);
}

/** Drags the sidebar's right edge by `dx` pixels. */
async function resizeSidebar(page: Page, dx: number): Promise<void> {
  const sidebar = (await page.locator('.part.sidebar').boundingBox())!;
  const edge = sidebar.x + sidebar.width;
  await page.mouse.move(edge + 1, 500);
  await page.mouse.down();
  await page.mouse.move(edge + 1 + dx, 500, { steps: 5 });
  await page.mouse.up();
  const after = (await page.locator('.part.sidebar').boundingBox())!;
  assert.ok(Math.abs(after.width - (sidebar.width + dx)) < 20, `the sidebar is ${after.width} px wide, wanted ${sidebar.width + dx}`);
  await page.waitForTimeout(200);
}

/** A row of the Connections tree in the sidebar. */
function treeRow(page: Page, label: string | RegExp): Locator {
  return page.locator('.part.sidebar .monaco-list-row', { has: page.locator('.label-name', { hasText: label }) }).first();
}

/** The Markdown preview's document (VS Code's own Markdown extension, not Visen). */
function markdownPreview(page: Page): FrameLocator {
  return page
    .locator('iframe.webview.ready[src*="extensionId=vscode.markdown-language-features"]:visible')
    .first()
    .contentFrame()
    .frameLocator('#active-frame');
}

describe('connections: the sidebar, the connection form and the walkthrough through the real UI', function () {
  // One journey: each step needs the previous one's state (stored keys, a connection, a generation).
  this.timeout(300_000);
  // Only the default keys are valid. The model streams in small chunks 60 ms apart, slowly enough to
  // watch the text arrive in the form.
  const journey = visenJourney({ fakes: { acceptAnyKey: false, chunkDelayMs: 60 } });
  let sharedPage: FakePage;
  let unsharedPage: FakePage;
  let writtenBlocks = 0;
  before(() => {
    sharedPage = journey.fakes.notion.addPage({ title: 'Beta Launch', shared: true });
    unsharedPage = journey.fakes.notion.addPage({ title: 'Private Roadmap', markdown: 'Not for the integration.', shared: false });
  });

  it('opens the walkthrough on a fresh install with no step completed', async function () {
    // Visen opened it on its first run (activateVisen closed it); its steps tick themselves off as the
    // context keys they wait for turn true.
    const { page } = journey;
    await openVisenWalkthrough(page);
    const titles = (await page.locator('.gettingStartedContainer .getting-started-step .step-title').allInnerTexts()).map((t) => t.trim());
    assert.deepEqual(titles, [
      'Connect Visen to Notion',
      'Choose the engine and set its key',
      'Keep your connections in Notion',
      'Generate into a Notion page',
    ]);
    assert.deepEqual(await completedSteps(page), { integration: false, engine: false, database: false, generate: false });
    await walkthroughMediaShown(page);
    await parkMouse(page);
    await screenshot(page, 'connections-01-walkthrough-fresh');
    await runCommand(page, 'View: Close All Editors');
    await walkthroughTab(page).waitFor({ state: 'hidden', timeout: 10_000 });
  });

  it('stores the Notion secret and the Gemini key from the Command Palette', async function () {
    const { page } = journey;
    assert.match(await setNotionSecret(page, NOTION_SECRET), /Connected as the integration Visen Fake in Fake Workspace/);
    assert.match(await setGeminiKey(page, GEMINI_KEY), /Gemini key saved/);
    await parkMouse(page);
    await screenshot(page, 'connections-02-keys-saved');
    await clearNotifications(page);
  });

  it('opens the connection form from the welcome button and checks the URL as it is typed', async function () {
    const { page } = journey;
    // With a secret and no connections, the view's welcome offers "New Connection" as a button.
    const welcome = page.locator('.part.sidebar .welcome-view-content', { hasText: 'Visen is connected to Notion' });
    await welcome.waitFor({ state: 'visible', timeout: 30_000 });
    const newConnection = welcome.locator('.monaco-button', { hasText: /^New Connection$/ });
    await newConnection.waitFor({ state: 'visible', timeout: 10_000 });
    await parkMouse(page);
    await screenshot(page, 'connections-03-welcome');
    await newConnection.click();

    await tab(page, 'Visen: New Connection').waitFor({ state: 'visible', timeout: 30_000 });
    const form = visenWebview(page);
    await form.locator('body[data-step="connect"] #name').waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await form.locator('#heading').innerText(), 'New Connection');
    assert.equal(await form.locator('#type').inputValue(), 'page', 'the type starts as Notion Page');
    assert.ok(await form.locator('#next').isDisabled(), 'Next waits for a checked URL');

    await form.locator('#name').click();
    await page.keyboard.type(CONNECTION_NAME, { delay: 5 });
    // A person pastes the link; the form checks it with Notion once typing pauses.
    await form.locator('#url').click();
    await page.keyboard.insertText(unsharedPage.url);
    const validation = form.locator('.validation');
    const notShared = form.locator('.validation.is-error', { hasText: /Connections/ });
    await notShared.waitFor({ state: 'visible', timeout: 30_000 });
    const hint = (await notShared.innerText()).replace(/\s+/g, ' ');
    assert.match(hint, /not shared with your integration/);
    assert.match(hint, /••• → Connections → add your integration/);
    assert.ok(await form.locator('#next').isDisabled(), 'Next stays disabled for an unshared page');
    await parkMouse(page);
    await screenshot(page, 'connections-04-url-not-shared');

    // The shared page instead: its title appears, and Next is enabled.
    await selectAllInWebviewField(page, form.locator('#url'));
    await page.keyboard.insertText(sharedPage.url);
    const ok = form.locator('.validation.is-ok', { hasText: 'Beta Launch' });
    await ok.waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal((await validation.innerText()).replace(/\s+/g, ' ').trim(), '✓ Beta Launch');
    await form.locator('#next:not([disabled])').waitFor({ state: 'visible', timeout: 10_000 });
    await parkMouse(page);
    saveDocImage(await screenshot(page, 'connections-05-url-validated'), 'form-step1.png');

    await form.locator('#next').click();
    await form.locator('body[data-step="generate"] #prompt').waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await form.locator('#heading').innerText(), CONNECTION_NAME);
    assert.equal(await form.locator('#target-title').innerText(), 'Beta Launch');
    await tab(page, `Visen: ${CONNECTION_NAME}`).waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await form.locator('.history-empty').innerText(), /No generations yet/);
    await parkMouse(page);
    await screenshot(page, 'connections-06-step2');
  });

  it('generates from the form: the text streams in, then "Wrote N blocks" and native blocks in the page', async function () {
    const { page } = journey;
    const form = visenWebview(page);
    // Next leaves keyboard focus in the prompt.
    await form.locator('#prompt:focus').waitFor({ timeout: 10_000 });
    await page.keyboard.type(PROMPT, { delay: 5 });
    assert.equal(await form.locator('#prompt').inputValue(), PROMPT);
    assert.ok(!(await form.locator('.key-notice').isVisible()), 'both keys are stored: no key notice');
    await form.locator('#generate').click();

    // While the model writes: Cancel and progress show, and the text grows in the form. Watched from
    // outside, like a person would: how much text the form shows while Cancel is still there.
    const output = form.locator('.output');
    await form.locator('#cancel').waitFor({ state: 'visible', timeout: 30_000 });
    await form.locator('.progress').waitFor({ state: 'visible', timeout: 10_000 });
    const seen: number[] = [];
    let streamingShot = false;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
      const [running, text] = await Promise.all([
        form.locator('#cancel').isVisible(),
        output.evaluate((el: any) => String(el.textContent ?? '')),
      ]);
      if (!running) break;
      if (text.length && seen[seen.length - 1] !== text.length) seen.push(text.length);
      // Once the text is well under way (past the lists), a picture of it arriving.
      if (!streamingShot && /Checklist/.test(text)) {
        streamingShot = true;
        await parkMouse(page);
        await screenshot(page, 'connections-07-streaming');
      }
      await page.waitForTimeout(50);
    }
    assert.ok(seen.length >= 3, `the text arrives in pieces while the model writes (lengths seen: ${seen.join(', ')})`);
    // The form renders the markdown as it comes: a construct that completes shows a few characters less
    // (`**bold` becomes bold, `[a link](…` a link), so a sample may dip by its markup, never by text.
    assert.ok(
      seen.every((n, i) => i === 0 || n >= seen[i - 1] - 8),
      `the text only grows, but for markup that completes: ${seen.join(', ')}`,
    );
    assert.ok(seen[seen.length - 1] > seen[0] + 100, `the text grows while the model writes: ${seen.join(', ')}`);

    const result = form.locator('.result.is-written');
    await result.waitFor({ state: 'visible', timeout: 120_000 });
    const message = (await form.locator('#result-message').innerText()).trim();
    assert.match(message, /^Wrote \d+ blocks? to "Beta Launch"\.$/);
    writtenBlocks = Number(/Wrote (\d+) blocks?/.exec(message)![1]);
    assert.ok(writtenBlocks > 5, `wrote ${writtenBlocks} blocks`);
    assert.ok(!(await form.locator('#cancel').isVisible()), 'Cancel is gone once written');
    assert.ok(await form.locator('#open-in-notion').isVisible(), 'the result offers Open in Notion');
    assert.ok(!(await form.locator('#retry-write').isVisible()), 'nothing to retry');
    // The streamed text, rendered: the heading is the prompt, and the rest of the structure is there.
    // (The form's preview renders a heading of level n with the class md-hn.)
    assert.equal((await output.locator('.md-h1').textContent())?.trim(), PROMPT);
    for (const selector of ['.md-h2', 'ul', 'ol', '.md-todo', 'blockquote', 'pre.md-code', 'table', 'hr']) {
      assert.ok((await output.locator(selector).count()) > 0, `the streamed text shows a ${selector}`);
    }
    // The history below lists the generation.
    const item = form.locator('.history-item[data-status="written"]');
    await item.waitFor({ state: 'attached', timeout: 10_000 });
    assert.equal(await form.locator('.history-item').count(), 1);
    assert.match(await item.locator('.history-prompt').innerText(), new RegExp(PROMPT));

    // The output box scrolls with the stream; for the picture, the text from its start and the result below
    // it, with the engine, model and write mode above.
    await output.evaluate((el: any) => {
      el.scrollTop = 0;
    });
    await form.locator('.options').evaluate((el: any) => el.scrollIntoView({ block: 'start' }));
    await form.locator('#result-message').scrollIntoViewIfNeeded();
    await parkMouse(page);
    saveDocImage(await screenshot(page, 'connections-08-written'), 'form-step2.png');

    // What landed in the stand-in page: native blocks, not one big paragraph of markdown.
    const blocks = journey.fakes.notion.pageBlocks(sharedPage.id);
    // The page was empty: the count the form reported is the page's, one block per list item.
    assert.equal(blocks.length, writtenBlocks, `the page holds ${blocks.length} blocks, the form reported ${writtenBlocks}`);
    assertDefaultAnswer(blocks, PROMPT);
    assert.match(journey.fakes.notion.pageMarkdown(sharedPage.id), /\*\*clear goal\*\*/, 'bold survives as an annotation');
    // The unshared page was never written to.
    assert.equal(journey.fakes.notion.pageBlocks(unsharedPage.id).length, 1);
  });

  it('lists the connection and its generation in the Connections tree; the generation opens as a document', async function () {
    const { page } = journey;
    // The welcome content gave way to the tree.
    const connection = treeRow(page, CONNECTION_NAME);
    await connection.waitFor({ state: 'visible', timeout: 30_000 });
    await page
      .locator('.part.sidebar .welcome-view-content', { hasText: 'Visen is connected to Notion' })
      .waitFor({ state: 'hidden', timeout: 10_000 });
    await connection.locator('.label-description', { hasText: /^1 prompt · / }).waitFor({ state: 'visible', timeout: 30_000 });
    const description = (await connection.locator('.label-description').innerText()).trim();
    assert.match(description, /^1 prompt · (just now|now|\d+ (seconds?|minutes?) ago)$/);

    // Expanded, it lists its generation: the prompt, with when, engine and blocks as description.
    if ((await connection.getAttribute('aria-expanded')) !== 'true') await connection.locator('.monaco-tl-twistie').click();
    await page.locator(`.part.sidebar .monaco-list-row[aria-expanded="true"]`, { hasText: CONNECTION_NAME }).waitFor({ timeout: 10_000 });
    const generation = treeRow(page, PROMPT);
    await generation.waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await generation.getAttribute('aria-level'), '2', 'the generation sits under the connection');
    assert.match(
      (await generation.locator('.label-description').innerText()).trim(),
      new RegExp(`^(just now|now|\\d+ (seconds?|minutes?) ago) · Google Gemini · ${writtenBlocks} blocks$`),
    );
    assert.ok((await generation.locator('.codicon-pass').count()) > 0, 'a written generation shows the pass icon');
    // Wider for the picture, so the descriptions show in full: drag the sidebar's edge like a person would,
    // and back afterwards (the walkthrough needs the room for its two columns).
    await resizeSidebar(page, 300);
    await parkMouse(page);
    saveDocImage(await screenshot(page, 'connections-09-tree'), 'tree.png');
    await resizeSidebar(page, -300);

    // Clicking the generation opens its text, read-only, as a visen-generation: document.
    await generation.click();
    const editor = page.locator('.editor-group-container .monaco-editor[data-uri^="visen-generation:"]').first();
    await editor.waitFor({ state: 'visible', timeout: 30_000 });
    const uri = decodeURIComponent((await editor.getAttribute('data-uri')) ?? '');
    assert.match(uri, /^visen-generation:\/A launch checklist for the Visen beta\.md\?[0-9a-f-]+$/);
    await tab(page, 'A launch checklist for the Visen beta.md').waitFor({ state: 'visible', timeout: 10_000 });
    await editor.locator('.view-lines', { hasText: /#\sA\slaunch\schecklist/ }).waitFor({ state: 'visible', timeout: 10_000 });
    await parkMouse(page);
    await screenshot(page, 'connections-10-generation-document');

    // Its Markdown preview beside it: the page as it was filled.
    // The command shows in the palette only while a Markdown editor is active: focus the document first
    // (its first line, so the preview's marker of the editor's line sits by the title).
    await runCommand(page, 'Markdown: Open Preview to the Side', 60_000, editor.locator('.view-line').first());
    const preview = markdownPreview(page);
    await preview.locator('h1', { hasText: PROMPT }).waitFor({ state: 'visible', timeout: 30_000 });
    for (const selector of ['h2', 'ul', 'ol', 'blockquote', 'pre', 'table']) {
      assert.ok((await preview.locator(selector).count()) > 0, `the preview shows a <${selector}>`);
    }
    await page.waitForTimeout(500); // the preview's own fade-in
    await parkMouse(page);
    saveDocImage(await screenshot(page, 'connections-11-filled-page'), 'filled-page.png');
  });

  it('shows steps 1, 2 and 4 of the walkthrough as completed, step 3 (connections database) not', async function () {
    const { page } = journey;
    // Focus from the sidebar's title, not the first editor tab (the form: a webview that would take the focus back).
    await runCommand(page, 'View: Close All Editors', 60_000, page.locator('.part.sidebar .composite.title .title-label').first());
    await openVisenWalkthrough(page);
    // The check marks follow the context keys: the secret (1), the engine key (2), a written generation (4);
    // no connections database is set (3).
    await walkthroughStep(page, 'generate').locator('.codicon.complete').waitFor({ state: 'attached', timeout: 15_000 });
    assert.deepEqual(await completedSteps(page), { integration: true, engine: true, database: false, generate: true });
    await walkthroughMediaShown(page);
    await parkMouse(page);
    saveDocImage(await screenshot(page, 'connections-12-walkthrough'), 'walkthrough.png');
  });

  it("undoes from the form's result: the result then says so, and the page is as it was", async function () {
    const { page } = journey;
    const before = journey.fakes.notion.pageBlocks(sharedPage.id).map((b) => b.id);
    // Clicking the connection in the tree opens its form.
    await treeRow(page, CONNECTION_NAME).click();
    const form = visenWebview(page);
    await form.locator('#prompt').waitFor({ state: 'visible', timeout: 30_000 });
    await form.locator('#prompt').fill('A short FAQ for the beta testers');
    await form.locator('#generate').click();
    await form.locator('.result.is-written').waitFor({ state: 'visible', timeout: 120_000 });
    assert.ok(journey.fakes.notion.pageBlocks(sharedPage.id).length > before.length, 'the second generation was appended');

    await form.locator('#undo-result').click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    await dialog.locator('.monaco-button', { hasText: /^Undo$/ }).click();
    // The result no longer says "Wrote N blocks": it says what the page holds now.
    await form.locator('.result.is-undone').waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(
      (await form.locator('#result-message').innerText()).trim(),
      'Undone: "Beta Launch" no longer holds what this generation wrote.',
    );
    assert.ok(!(await form.locator('#undo-result').isVisible()), 'nothing left to undo');
    assert.ok(!(await form.locator('#retry-write').isVisible()), 'nothing to retry');
    assert.ok(await form.locator('#open-in-notion').isVisible(), 'the page can still be opened');
    assert.deepEqual(
      journey.fakes.notion.pageBlocks(sharedPage.id).map((b) => b.id),
      before,
      'only the second generation is gone; the first keeps its ids',
    );
    await parkMouse(page);
    await screenshot(page, 'connections-13-undone-in-form');
  });
});
