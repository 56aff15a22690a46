// New database entries and pasted links through the real UI: a Notion Database connection made in the
// connection form generates a new entry from its own Generate button (the properties to fill asked in the
// workbench's quick pick), and "Generate to Notion Page" takes a link pasted straight into its picker, a page
// link and a database link alike. The packaged .vsix runs in code-server; Notion and Gemini are the stand-ins.
import * as assert from 'assert';
import { screenshot, waitForNotification } from '../harness/codeServer';
import type { FakeDatabase, FakePage } from '../fakes/notionFake';
import type { GeminiRequest } from '../fakes/geminiFake';
import {
  clearNotifications,
  newConnectionInForm,
  quickInput,
  quickInputBox,
  run,
  setGeminiKey,
  setNotionSecret,
  visenJourney,
  waitForQuickInputTitle,
} from './workbench';

const NOTION_SECRET = 'secret_fake_notion';
const GEMINI_KEY = 'AIza-fake-gemini';

/** Gemini's answer: JSON of the requested schema for an entry's values, markdown for a body. */
function answer(req: GeminiRequest): string {
  const schema = req.generationConfig?.responseJsonSchema as { properties?: Record<string, unknown> } | undefined;
  const wanted = Object.keys(schema?.properties ?? {});
  if (wanted.length === 0) return `## Notes\n\nA body for: ${req.prompt}`;
  const values: Record<string, unknown> = {
    Name: /sequel/i.test(req.prompt) ? 'Dune Messiah' : 'Ship the beta',
    Genre: 'Science',
    Priority: 'High',
  };
  return JSON.stringify(Object.fromEntries(wanted.map((k) => [k, values[k]])));
}

describe('database entries and pasted links through the real UI', function () {
  this.timeout(300_000);
  const journey = visenJourney({ fakes: { acceptAnyKey: false } });
  let books: FakeDatabase;
  let tasks: FakeDatabase;
  let pastedPage: FakePage;
  const createdEntries = () => journey.fakes.notion.requests.filter((r) => r.method === 'POST' && r.path === '/v1/pages');
  before(() => {
    journey.fakes.gemini.respondWith(answer);
    books = journey.fakes.notion.addDatabase({
      title: 'Reading List',
      properties: { Name: { title: {} }, Genre: { select: { options: [{ name: 'Fiction' }, { name: 'Science' }] } } },
    });
    tasks = journey.fakes.notion.addDatabase({
      title: 'Tasks',
      properties: { Name: { title: {} }, Priority: { select: { options: [{ name: 'High' }, { name: 'Low' }] } } },
    });
    pastedPage = journey.fakes.notion.addPage({ title: 'Pasted Page', shared: true });
  });

  it('stores the keys from the Command Palette', async function () {
    const { page } = journey;
    assert.match(await setNotionSecret(page, NOTION_SECRET), /Connected as/);
    assert.match(await setGeminiKey(page, GEMINI_KEY), /Gemini key saved/);
    await clearNotifications(page);
  });

  it("generates a new entry from a database connection's form with its Generate button", async function () {
    const { page } = journey;
    const form = await newConnectionInForm(page, { url: books.url, title: 'Reading List', type: 'database' });
    assert.match(await form.locator('#database-notice').innerText(), /Generate adds a new entry to this database/);
    assert.ok(!(await form.locator('#write-mode').isVisible()), 'a new entry has no write mode to choose');
    await form.locator('#prompt').click();
    await page.keyboard.type('A sequel to "Dune"', { delay: 5 });
    assert.ok(await form.locator('#generate').isEnabled(), 'Generate is enabled for a database connection');
    await form.locator('#generate').click();

    // The properties the engine fills: asked once, in the workbench's quick pick.
    await waitForQuickInputTitle(page, 'Visen: new entry in "Reading List"');
    const genre = quickInput(page)
      .locator('.quick-input-list .monaco-list-row', { hasText: /^Genre/ })
      .first();
    await genre.waitFor({ state: 'visible', timeout: 10_000 });
    await genre.click();
    await genre
      .locator('input[type="checkbox"]:checked, .monaco-custom-toggle.checked, [aria-checked="true"]')
      .first()
      .waitFor({ state: 'attached', timeout: 5000 })
      .catch(() => undefined);
    await screenshot(page, 'entry-01-mapping');
    await quickInputBox(page).press('Enter');
    await quickInput(page).waitFor({ state: 'hidden', timeout: 10_000 });

    const result = form.locator('.result.is-written');
    await result.waitFor({ state: 'visible', timeout: 60_000 });
    assert.match((await form.locator('#result-message').innerText()).trim(), /^Wrote \d+ blocks? to "Dune Messiah"\.$/);
    await screenshot(page, 'entry-02-written');

    const created = createdEntries();
    assert.equal(created.length, 1, 'one new entry in the stand-in');
    const body = created[0].body as { parent: { data_source_id: string }; properties: Record<string, any> };
    assert.equal(body.parent.data_source_id, books.dataSourceId);
    assert.equal(body.properties.Name.title[0].text.content, 'Dune Messiah');
    assert.equal(body.properties.Genre.select.name, 'Science', 'the mapped property was filled');
    // The body went into the new entry: the page the last block append wrote to.
    const entry = journey.fakes.notion.requests
      .filter((r) => r.method === 'PATCH' && /^\/v1\/blocks\/[^/]+\/children$/.test(r.path))
      .at(-1)!
      .path.split('/')[3];
    assert.match(journey.fakes.notion.pageMarkdown(entry), /A body for: A sequel to "Dune"/, 'the body is in the new entry');
    await run(page, 'View: Close All Editors');
  });

  it('takes a page link pasted into the Generate picker as it is: the prompt comes next', async function () {
    const { page } = journey;
    await clearNotifications(page);
    await run(page, 'Visen: Generate to Notion Page');
    await waitForQuickInputTitle(page, 'Visen: Generate to Notion Page');
    assert.match((await quickInputBox(page).getAttribute('placeholder')) ?? '', /paste the link of a Notion page/);
    await page.keyboard.insertText(pastedPage.url);
    await quickInput(page)
      .locator('.quick-input-list .monaco-list-row', { hasText: 'Use the link typed above' })
      .waitFor({ state: 'visible', timeout: 10_000 });
    await screenshot(page, 'entry-03-pasted-in-picker');
    await page.keyboard.press('Enter');

    await waitForQuickInputTitle(page, 'Visen: what should be written to "Pasted Page"?');
    await page.keyboard.type('Notes for the pasted page', { delay: 2 });
    await page.keyboard.press('Enter');
    assert.match(await waitForNotification(page, /Wrote \d+ blocks? to/, 60_000), /^Wrote \d+ blocks? to "Pasted Page"\.$/);
    assert.ok(journey.fakes.notion.pageBlocks(pastedPage.id).length > 0, 'written to the pasted page');
  });

  it('takes a database link pasted into the Generate picker to a new entry', async function () {
    const { page } = journey;
    await clearNotifications(page);
    await run(page, 'Visen: Generate to Notion Page');
    await waitForQuickInputTitle(page, 'Visen: Generate to Notion Page');
    await page.keyboard.insertText(tasks.url);
    await quickInput(page)
      .locator('.quick-input-list .monaco-list-row', { hasText: 'Use the link typed above' })
      .waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.press('Enter');

    await waitForQuickInputTitle(page, 'Visen: new entry in "Tasks"');
    const priority = quickInput(page)
      .locator('.quick-input-list .monaco-list-row', { hasText: /^Priority/ })
      .first();
    await priority.waitFor({ state: 'visible', timeout: 10_000 });
    await priority.click();
    await quickInputBox(page).press('Enter');

    await waitForQuickInputTitle(page, 'Visen: what should be written to "Tasks"?');
    await page.keyboard.type('The next task', { delay: 2 });
    await page.keyboard.press('Enter');
    assert.match(await waitForNotification(page, /Wrote \d+ blocks? to/, 60_000), /^Wrote \d+ blocks? to "Ship the beta"\.$/);
    const created = createdEntries();
    assert.equal(created.length, 2, 'a second new entry');
    const body = created[1].body as { parent: { data_source_id: string }; properties: Record<string, any> };
    assert.equal(body.parent.data_source_id, tasks.dataSourceId);
    assert.equal(body.properties.Priority.select.name, 'High');
    await screenshot(page, 'entry-04-database-link');
  });
});
