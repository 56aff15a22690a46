// @visen and Visen's tools in the Chat view of a real VS Code: test/fixtures/fake-lm contributes a scripted
// chat model and the default chat participant (without one VS Code has no Chat view), loaded beside the
// installed .vsix. The prompts are typed into the chat's input as a person types them; Notion is the stand-in.
import * as assert from 'assert';
import type { Locator, Page } from 'playwright-core';
import { runCommand, screenshot, waitForNotification } from '../harness/codeServer';
import type { FakeDatabase, FakePage } from '../fakes/notionFake';
import { FakeLm } from './fakeLm';
import { clearNotifications, newConnectionInForm, quickInput, run, saveDocImage, setNotionSecret, visenJourney } from './workbench';

const ANSWER = `## Release 2.4

Visen now writes **release notes** straight into Notion.

- Streaming into the page
- Undo that takes back exactly what was written
- Follow-ups that rewrite in place
`;

const SHORTER = `## Release 2.4

Release notes, straight into Notion.
`;

const INTRO = 'This page collects the notes of every release.';

const chatView = (page: Page) => page.locator('.interactive-session').first();
const chatInput = (page: Page) => chatView(page).locator('.interactive-input-part .monaco-editor').first();
const responses = (page: Page) => chatView(page).locator('.interactive-item-container.interactive-response');
const lastResponse = (page: Page) => responses(page).last();

/**
 * Opens the Chat view (contributed by the default participant) and types a prompt into its empty input as a
 * person does, then Enter; resolves to the prompt's response. The chat's list renders only the rows in view,
 * so the response is the last one once the last request shows this prompt.
 */
async function ask(page: Page, prompt: string): Promise<Locator> {
  if (!(await chatInput(page).isVisible())) await runCommand(page, 'Chat: Focus on Chat View');
  await chatInput(page).waitFor({ state: 'visible', timeout: 30_000 });
  await chatInput(page).click();
  // @visen is sticky: the input starts with it after an answer of Visen's.
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(prompt, { delay: 2 });
  await page.keyboard.press('Enter');
  const words = prompt.replace(/^@\w+\s*/, '').replace(/^\/\w+\s*/, '');
  await chatView(page)
    .locator('.interactive-item-container.interactive-request')
    .last()
    .filter({ hasText: words })
    .waitFor({ state: 'visible', timeout: 30_000 });
  await lastResponse(page).waitFor({ state: 'visible', timeout: 30_000 });
  await page.mouse.move(700, 450);
  return lastResponse(page);
}

/** A new chat in the Chat view. */
async function newChat(page: Page): Promise<void> {
  await runCommand(page, "Fake LM: New Chat (VS Code's, whose button needs an editing participant)");
  await responses(page).first().waitFor({ state: 'detached', timeout: 10_000 });
}

/** Waits until a response shows this text (it renders as it streams). */
async function responseShows(response: Locator, text: string | RegExp, timeout = 60_000): Promise<string> {
  await response.filter({ hasText: text }).waitFor({ state: 'visible', timeout });
  return (await response.innerText()).replace(/\s+/g, ' ');
}

describe("@visen and Visen's tools in the Chat view", function () {
  this.timeout(300_000);
  const journey = visenJourney({ fakeLm: true, settings: { 'visen.engine': 'vscode-lm' } });
  let notes: FakePage;
  let tasks: FakeDatabase;
  let blocksOfAnswer: string[] = [];
  const createdEntries = () => journey.fakes.notion.requests.filter((r) => r.method === 'POST' && r.path === '/v1/pages');
  before(() => {
    notes = journey.fakes.notion.addPage({ title: 'Launch Notes', shared: true, markdown: INTRO });
    tasks = journey.fakes.notion.addDatabase({
      title: 'Tasks',
      properties: { Name: { title: {} }, Priority: { select: { options: [{ name: 'High' }, { name: 'Low' }] } } },
    });
  });

  it('has a page and a database connection', async function () {
    const { page } = journey;
    await setNotionSecret(page, 'secret_fake_notion');
    await clearNotifications(page);
    await newConnectionInForm(page, { url: notes.url, title: 'Launch Notes' });
    await newConnectionInForm(page, { url: tasks.url, title: 'Tasks', type: 'database' });
    await runCommand(page, 'View: Close All Editors');
  });

  it('streams "@visen write release notes into …" into the chat and into the page', async function () {
    const { page } = journey;
    journey.fakeLm.script({ match: 'release notes', text: ANSWER, chunkSize: 12, delayMs: 40 });
    const before = journey.fakeLm.requests().length;
    const response = await ask(page, '@visen write release notes into "Launch Notes"');
    // While it streams: part of the answer in the chat already.
    await responseShows(response, 'Streaming into the page', 30_000);
    const shown = await responseShows(response, /Wrote \d+ blocks? to "Launch Notes"/);
    assert.match(shown, /Release 2\.4/);
    assert.match(shown, /Undo that takes back exactly what was written/);
    await response.locator('.monaco-button', { hasText: /^Undo$/ }).waitFor({ state: 'visible', timeout: 10_000 });
    await page.mouse.move(700, 450);
    saveDocImage(await screenshot(page, 'chat-01-written'), 'chat.png');
    const markdown = journey.fakes.notion.pageMarkdown(notes.id);
    assert.equal(markdown.trim(), `${INTRO}\n\n${ANSWER.trim()}`);
    const blocks = journey.fakes.notion.pageBlocks(notes.id);
    blocksOfAnswer = blocks.slice(1).map((b) => b.id);
    assert.deepEqual(
      blocks.map((b) => b.type),
      ['paragraph', 'heading_2', 'paragraph', 'bulleted_list_item', 'bulleted_list_item', 'bulleted_list_item'],
    );
    assert.match(shown, new RegExp(`Wrote ${blocksOfAnswer.length} blocks`));
    const sent = journey.fakeLm.requests().slice(before);
    assert.equal(sent.length, 1);
    assert.equal(sent[0].initiator, 'visen.visen');
    assert.match(FakeLm.text(sent[0]), /write release notes/);
    assert.doesNotMatch(FakeLm.text(sent[0]), /into "Launch Notes"/, 'the words naming the connection are not part of the prompt');
  });

  it("opens the page in Notion from the chat's button", async function () {
    const { page } = journey;
    const response = lastResponse(page);
    // notion.so is out of reach here: the browser is handed a stand-in page for it.
    const visited: string[] = [];
    await page.context().route('https://www.notion.so/**', (route) => {
      visited.push(route.request().url());
      return route.fulfill({ contentType: 'text/html', body: '<title>Notion</title>' });
    });
    const popup = page.context().waitForEvent('page', { timeout: 30_000 });
    await response.locator('.monaco-button', { hasText: /^Open in Notion$/ }).click();
    // The web workbench asks before it opens a site it does not trust yet.
    const dialog = page.locator('.monaco-dialog-box');
    if (
      await dialog.waitFor({ state: 'visible', timeout: 5000 }).then(
        () => true,
        () => false,
      )
    ) {
      assert.match(await dialog.innerText(), /notion/i);
      await screenshot(page, 'chat-02-open-in-notion');
      await dialog.locator('.monaco-button', { hasText: /^Open$/ }).click();
    }
    const opened = await popup;
    await opened.waitForLoadState('domcontentloaded');
    assert.deepEqual(
      visited.map((u) => u.replace(/[#?].*$/, '')),
      [notes.url.replace(/[#?].*$/, '')],
      "the page's own address opened",
    );
    await opened.close();
  });

  it('rewrites exactly those blocks in place on the follow-up "make it shorter"', async function () {
    const { page } = journey;
    journey.fakeLm.script({ match: 'shorter', text: SHORTER, chunkSize: 12, delayMs: 20 });
    const before = journey.fakeLm.requests().length;
    const response = await ask(page, '@visen make it shorter');
    const shown = await responseShows(response, /Wrote \d+ blocks? to "Launch Notes"|Replaced|blocks/);
    console.log(`      ${shown.slice(-200)}`);
    await screenshot(page, 'chat-03-shorter');
    const sent = journey.fakeLm.requests().slice(before);
    assert.equal(sent.length, 1);
    assert.match(FakeLm.text(sent[0]), /make it shorter/);
    assert.match(FakeLm.text(sent[0]), /Undo that takes back exactly what was written/, 'the model is given the earlier answer to rewrite');
    // The intro stays first; the answer's blocks are replaced by the shorter ones, in the same place.
    assert.equal(journey.fakes.notion.pageMarkdown(notes.id).trim(), `${INTRO}\n\n${SHORTER.trim()}`);
    const ids = journey.fakes.notion.pageBlocks(notes.id).map((b) => b.id);
    for (const id of blocksOfAnswer) assert.ok(!ids.includes(id), `block ${id} of the first answer is gone`);
  });

  it("takes the rewrite back with the chat's Undo", async function () {
    const { page } = journey;
    await clearNotifications(page);
    await lastResponse(page)
      .locator('.monaco-button', { hasText: /^Undo$/ })
      .click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, 'chat-04-undo-confirm');
    await dialog.locator('.monaco-button', { hasText: /^Undo$/ }).click();
    const undone = await waitForNotification(page, /Undone: "Launch Notes"/, 60_000);
    console.log(`      ${undone}`);
    const markdown = journey.fakes.notion.pageMarkdown(notes.id).trim();
    assert.equal(markdown, `${INTRO}\n\n${ANSWER.trim()}`, 'the page is as it was before the rewrite');
  });

  it('adds a database entry with /entry', async function () {
    const { page } = journey;
    await clearNotifications(page);
    journey.fakeLm.script(
      { match: 'JSON schema', text: JSON.stringify({ Name: 'Ship the beta', Priority: 'High' }) },
      { match: 'ship the beta', text: 'Ship the beta to the first testers.' },
    );
    const createdBefore = createdEntries().length;
    const response = await ask(page, '@visen /entry ship the beta into "Tasks"');
    // The properties to fill are asked once, in the workbench's quick pick.
    const pick = quickInput(page);
    await pick.locator('.quick-input-title', { hasText: 'Visen: new entry in "Tasks"' }).waitFor({ state: 'visible', timeout: 60_000 });
    await pick
      .locator('.quick-input-list .monaco-list-row', { hasText: /^Priority/ })
      .first()
      .click();
    await screenshot(page, 'chat-05-entry-properties');
    await pick.locator('.quick-input-box input').press('Enter');
    const shown = await responseShows(response, /Wrote \d+ blocks? to "Ship the beta"/);
    await response.locator('.monaco-button', { hasText: /^Open in Notion$/ }).waitFor({ state: 'visible', timeout: 10_000 });
    await screenshot(page, 'chat-06-entry');
    assert.match(shown, /Ship the beta to the first testers\./);
    const created = createdEntries().slice(createdBefore);
    assert.equal(created.length, 1, 'one new entry');
    const body = created[0].body as { parent: { data_source_id: string }; properties: Record<string, any> };
    assert.equal(body.parent.data_source_id, tasks.dataSourceId);
    assert.equal(body.properties.Name.title[0].text.content, 'Ship the beta');
    assert.equal(body.properties.Priority.select.name, 'High');
  });

  it('opens Fill Database Rows with /fill', async function () {
    const { page } = journey;
    const response = await ask(page, '@visen /fill one row per sprint into "Tasks"');
    await responseShows(response, /Fill Database Rows/);
    const pick = quickInput(page);
    await pick.locator('.quick-input-title', { hasText: 'Visen: Fill Database Rows' }).waitFor({ state: 'visible', timeout: 30_000 });
    const fields = (await pick.locator('.quick-input-list .monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    assert.ok(
      fields.some((f) => /^Priority/.test(f)),
      `it offers the database's properties: ${fields.join(' | ')}`,
    );
    await screenshot(page, 'chat-07-fill');
    await page.keyboard.press('Escape');
    await pick.waitFor({ state: 'hidden', timeout: 10_000 });
  });

  it("offers the connections as follow-ups when a new chat's prompt names none", async function () {
    const { page } = journey;
    // A new chat: in this one, a prompt naming no connection is a follow-up to the last answer.
    await newChat(page);
    journey.fakeLm.script({ match: 'haiku', text: 'Leaves fall on the page\n' });
    const before = journey.fakeLm.requests().length;
    const response = await ask(page, '@visen draft a haiku about autumn');
    // It asks which connection (in words that may change), listing them and offering each as a follow-up.
    const shown = await responseShows(response, /Launch Notes/);
    assert.match(shown, /Tasks/);
    assert.equal(journey.fakeLm.requests().length, before, 'nothing was asked of the model yet');
    const followup = chatView(page)
      .locator('.interactive-session-followups .monaco-button, .interactive-session-followups a, .chat-followup', {
        hasText: 'Launch Notes',
      })
      .first();
    await followup.waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, 'chat-08-followups');
    const blocksBefore = journey.fakes.notion.pageBlocks(notes.id).length;
    await followup.click();
    await responseShows(lastResponse(page), /Wrote 1 block to "Launch Notes"/);
    assert.match(journey.fakes.notion.pageMarkdown(notes.id), /Leaves fall on the page\s*$/);
    assert.equal(journey.fakes.notion.pageBlocks(notes.id).length, blocksBefore + 1);
  });

  describe('a tool call confirmed in the chat', function () {
    const SUMMARY = '## Summary\n\n- Faster streaming\n- Exact undo\n';
    const writeCall = { name: 'visen_writeToPage', input: { target: 'Launch Notes', markdown: SUMMARY } };
    let markdownBefore = '';

    it('asks in the chat before visen_writeToPage writes; Cancel writes nothing', async function () {
      const { page } = journey;
      await newChat(page);
      markdownBefore = journey.fakes.notion.pageMarkdown(notes.id);
      const blocksBefore = journey.fakes.notion.pageBlocks(notes.id).map((b) => b.id);
      journey.fakeLm.script({ match: 'summary', toolCalls: [writeCall] }, { text: 'Nothing was written.' });
      const before = journey.fakeLm.requests().length;
      const response = await ask(page, 'Save a summary of the release to my notes');
      const confirmation = chatView(page).locator('.chat-confirmation-widget').last();
      await confirmation.waitFor({ state: 'visible', timeout: 60_000 });
      const asked = (await confirmation.innerText()).replace(/\s+/g, ' ');
      console.log(`      ${asked}`);
      assert.match(asked, /Launch Notes/, 'the confirmation names the page');
      await page.mouse.move(700, 450);
      await screenshot(page, 'chat-09-tool-confirmation');
      // The model was handed Visen's tools with the request.
      const first = journey.fakeLm.requests()[before];
      assert.equal(first.initiator, 'visen-test.fake-lm');
      assert.deepEqual([...first.tools].sort(), ['visen_addDatabaseEntry', 'visen_listConnections', 'visen_readPage', 'visen_writeToPage']);

      await confirmation.locator('.monaco-button', { hasText: /^Cancel$/ }).click();
      await responseShows(response, 'Nothing was written.');
      assert.deepEqual(
        journey.fakes.notion.pageBlocks(notes.id).map((b) => b.id),
        blocksBefore,
        'Cancel wrote nothing',
      );
      assert.equal(journey.fakes.notion.pageMarkdown(notes.id), markdownBefore);
    });

    it('writes on Continue, and Undo takes back exactly those blocks', async function () {
      const { page } = journey;
      await clearNotifications(page);
      const blocksBefore = journey.fakes.notion.pageBlocks(notes.id).map((b) => b.id);
      journey.fakeLm.script({ match: 'summary', toolCalls: [writeCall] }, { text: 'The summary is in your notes.' });
      const before = journey.fakeLm.requests().length;
      const response = await ask(page, 'Save a summary of the release to my notes, please');
      const confirmation = chatView(page).locator('.chat-confirmation-widget').last();
      await confirmation.waitFor({ state: 'visible', timeout: 60_000 });
      await confirmation.locator('.monaco-button', { hasText: /^Continue$/ }).click();
      await responseShows(response, 'The summary is in your notes.');
      await screenshot(page, 'chat-10-tool-written');
      const after = journey.fakes.notion.pageBlocks(notes.id);
      const added = after.filter((b) => !blocksBefore.includes(b.id));
      assert.deepEqual(
        after.slice(0, blocksBefore.length).map((b) => b.id),
        blocksBefore,
        'appended after what was there',
      );
      assert.deepEqual(
        added.map((b) => b.type),
        ['heading_2', 'bulleted_list_item', 'bulleted_list_item'],
      );
      assert.equal(journey.fakes.notion.pageMarkdown(notes.id).trim(), `${markdownBefore.trim()}\n\n${SUMMARY.trim()}`);
      // What the tool told the model.
      const result = journey.fakeLm.requests().slice(before)[1];
      const told = result.messages
        .flatMap((m) => m.parts)
        .filter((p) => p.type === 'toolResult')
        .map((p) => (p.content ?? []).join(' '))
        .join(' ');
      assert.match(told, /Wrote 3 blocks to "Launch Notes"/);

      await run(page, 'Visen: Undo Last Generation');
      const pick = quickInput(page);
      if (await pick.isVisible()) {
        await screenshot(page, 'chat-11-undo-pick');
        await pick.locator('.quick-input-list .monaco-list-row').first().click();
      }
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible', timeout: 30_000 });
      assert.match((await dialog.innerText()).replace(/\s+/g, ' '), /Visen deletes the 3 blocks it wrote\./);
      await dialog.locator('.monaco-button', { hasText: /^Undo$/ }).click();
      await waitForNotification(page, /Undone: "Launch Notes"/, 60_000);
      assert.deepEqual(
        journey.fakes.notion.pageBlocks(notes.id).map((b) => b.id),
        blocksBefore,
        "exactly the tool's blocks are gone",
      );
      assert.equal(journey.fakes.notion.pageMarkdown(notes.id), markdownBefore);
    });
  });
});
