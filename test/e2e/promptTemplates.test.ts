// Prompt templates through the connection form's real controls: the prompt box saved as a template (its
// name asked inline, under the list), chosen from the list into an emptied prompt box and generated with,
// then renamed and deleted. The packaged .vsix runs in code-server; Notion and Gemini are the loopback stand-ins.
import * as assert from 'assert';
import { screenshot } from '../harness/codeServer';
import type { FakePage } from '../fakes/notionFake';
import {
  clearNotifications,
  newConnectionInForm,
  selectAllInWebviewField,
  setGeminiKey,
  setNotionSecret,
  visenJourney,
  visenWebview,
} from './workbench';

const NOTION_SECRET = 'secret_fake_notion';
const GEMINI_KEY = 'AIza-fake-gemini';
const PROMPT = 'Weekly notes for ${date}: what shipped, what is next';
/** Markup in a name shows as the text it is. */
const NAME = 'Weekly <b>notes</b>';
const RENAMED = 'Friday notes';

describe('prompt templates in the connection form through the real UI', function () {
  this.timeout(300_000);
  const journey = visenJourney({ fakes: { acceptAnyKey: false } });
  let notes: FakePage;
  before(() => {
    notes = journey.fakes.notion.addPage({ title: 'Team Notes', shared: true });
  });

  it('stores the keys and opens the form at step 2 for a page', async function () {
    const { page } = journey;
    assert.match(await setNotionSecret(page, NOTION_SECRET), /Connected as/);
    assert.match(await setGeminiKey(page, GEMINI_KEY), /Gemini key saved/);
    await clearNotifications(page);
    const form = await newConnectionInForm(page, { url: notes.url, title: 'Team Notes' });
    assert.ok(await form.locator('#template-select').isDisabled(), 'no templates yet: the list is disabled');
    assert.equal((await form.locator('#template-select option').first().innerText()).trim(), 'No templates yet');
    assert.ok(await form.locator('#delete-template').isDisabled());
  });

  it('saves the prompt box as a template, its name asked inline with the keyboard', async function () {
    const { page } = journey;
    const form = visenWebview(page);
    await form.locator('#prompt:focus').waitFor({ timeout: 10_000 });
    await page.keyboard.type(PROMPT, { delay: 2 });
    await form.locator('#save-template').click();
    await form.locator('#template-editor:not([hidden]) #template-name:focus').waitFor({ timeout: 10_000 });
    assert.match(await form.locator('#template-note').innerText(), /variables are filled each time/);
    await page.keyboard.type(NAME, { delay: 2 });
    await screenshot(page, 'templates-01-name');
    await page.keyboard.press('Enter');

    await form.locator('#template-status', { hasText: `Template "${NAME}" saved.` }).waitFor({ timeout: 30_000 });
    assert.ok(await form.locator('#template-editor').isHidden(), 'the name row closes once saved');
    const option = form.locator('#template-select option', { hasText: NAME });
    await option.waitFor({ state: 'attached', timeout: 10_000 });
    assert.equal(await form.locator('#template-select').inputValue(), NAME, 'the template saved is the one chosen');
    assert.equal(await form.locator('#template-select b').count(), 0, 'the name is text, not markup');
    assert.ok(await form.locator('#delete-template').isEnabled());
  });

  it('refuses an empty name next to the field, and leaves with Escape', async function () {
    const { page } = journey;
    const form = visenWebview(page);
    await form.locator('#save-template').click();
    const name = form.locator('#template-name');
    await form.locator('#template-name:focus').waitFor({ timeout: 10_000 });
    assert.equal(await name.inputValue(), NAME, "the chosen template's name is offered: saving would replace it");
    assert.match(await form.locator('#template-note').innerText(), /is already a template: saving replaces its prompt/);
    await selectAllInWebviewField(page, name);
    await page.keyboard.press('Delete');
    await page.keyboard.press('Enter');
    await form.locator('#template-error', { hasText: 'Type a name for the template.' }).waitFor({ timeout: 30_000 });
    assert.equal(await name.getAttribute('aria-invalid'), 'true');
    await page.keyboard.press('Escape');
    await form.locator('#template-editor').waitFor({ state: 'hidden', timeout: 10_000 });
    assert.equal(await form.locator('#template-error').innerText(), '');
  });

  it('choosing the template fills an emptied prompt box, and Generate sends it with its variables filled', async function () {
    const { page } = journey;
    const form = visenWebview(page);
    await selectAllInWebviewField(page, form.locator('#prompt'));
    await page.keyboard.press('Delete');
    assert.equal(await form.locator('#prompt').inputValue(), '');
    await form.locator('#template-select').selectOption({ label: 'Choose a template…' });
    await form.locator('#template-select').selectOption({ label: NAME });
    assert.equal(await form.locator('#prompt').inputValue(), PROMPT);

    const geminiCalls = journey.fakes.gemini.requests.length;
    await form.locator('#generate').click();
    await form.locator('.result.is-written').waitFor({ state: 'visible', timeout: 120_000 });
    const sent = JSON.stringify(journey.fakes.gemini.requests.slice(geminiCalls).map((r) => r.body));
    assert.match(sent, /Weekly notes for \d{4}-\d{2}-\d{2}: what shipped, what is next/, 'the template went out with ${date} filled');
    assert.match(await form.locator('.history-item .history-prompt').first().innerText(), /^Weekly notes for \d{4}-\d{2}-\d{2}/);
    await screenshot(page, 'templates-02-generated');
  });

  it('renames the template chosen, its new name asked in the same row; its prompt stays', async function () {
    const { page } = journey;
    const form = visenWebview(page);
    assert.equal(await form.locator('#template-select').inputValue(), NAME);
    await form.locator('#rename-template').click();
    const name = form.locator('#template-name');
    await form.locator('#template-editor:not([hidden]) #template-name:focus').waitFor({ timeout: 10_000 });
    assert.equal(await name.inputValue(), NAME, "the name offered is the template's");
    assert.equal(await form.locator('#template-note').innerText(), `Gives "${NAME}" a new name; its prompt stays as it is.`);
    await selectAllInWebviewField(page, name);
    await page.keyboard.type(RENAMED, { delay: 2 });
    await page.keyboard.press('Enter');
    await form.locator('#template-status', { hasText: `Template "${NAME}" renamed to "${RENAMED}".` }).waitFor({ timeout: 30_000 });
    await form.locator('#template-select option', { hasText: NAME }).waitFor({ state: 'detached', timeout: 10_000 });
    assert.equal(await form.locator('#template-select').inputValue(), RENAMED, 'the renamed template stays chosen');
    await selectAllInWebviewField(page, form.locator('#prompt'));
    await page.keyboard.press('Delete');
    await form.locator('#template-select').selectOption({ label: 'Choose a template…' });
    await form.locator('#template-select').selectOption({ label: RENAMED });
    assert.equal(await form.locator('#prompt').inputValue(), PROMPT, 'under its new name, the same prompt');
  });

  it('deletes the template chosen', async function () {
    const { page } = journey;
    const form = visenWebview(page);
    assert.equal(await form.locator('#template-select').inputValue(), RENAMED);
    await form.locator('#delete-template').click();
    await form.locator('#template-status', { hasText: `Template "${RENAMED}" deleted.` }).waitFor({ timeout: 30_000 });
    await form.locator('#template-select option', { hasText: RENAMED }).waitFor({ state: 'detached', timeout: 10_000 });
    assert.ok(await form.locator('#template-select').isDisabled());
    await form.locator('#save-template:focus').waitFor({ timeout: 10_000 });
  });
});
