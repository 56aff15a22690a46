// "After a heading" through the real UI: the connection form's write mode offers it, fills a select with the
// page's headings read from Notion, and Generate writes right after the one chosen; every other block keeps
// its place and id. The packaged .vsix runs in code-server; Notion and Gemini are the stand-ins.
import * as assert from 'assert';
import { screenshot } from '../harness/codeServer';
import { clearNotifications, newConnectionInForm, setGeminiKey, setNotionSecret, visenJourney } from './workbench';

describe('after a heading through the real UI', function () {
  this.timeout(300_000);
  const journey = visenJourney({ fakes: { acceptAnyKey: false } });

  it('writes right after the heading chosen in the connection form', async function () {
    const { page } = journey;
    journey.fakes.gemini.respondWith(() => 'Inserted under the target.');
    const notionPage = journey.fakes.notion.addPage({
      title: 'Sections',
      shared: true,
      markdown: '# Intro\n\nHello.\n\n## Target\n\nUnder the target.\n\n## Last\n\nThe end.',
    });
    const before = journey.fakes.notion.pageBlocks(notionPage.id).map((b) => b.id);
    assert.match(await setNotionSecret(page, 'secret_fake_notion'), /Connected as/);
    assert.match(await setGeminiKey(page, 'AIza-fake-gemini'), /Gemini key saved/);
    await clearNotifications(page);

    const form = await newConnectionInForm(page, { url: notionPage.url, title: 'Sections' });
    await form.locator('#mode-heading').check();
    await form.locator('#write-heading option', { hasText: '## Target' }).waitFor({ state: 'attached', timeout: 30_000 });
    assert.deepEqual(await form.locator('#write-heading option').allInnerTexts(), ['# Intro', '## Target', '## Last']);
    await form.locator('#write-heading').selectOption({ label: '## Target' });
    await form.locator('#prompt').click();
    await page.keyboard.type('One more line', { delay: 5 });
    await screenshot(page, 'heading-01-chosen');
    await form.locator('#generate').click();

    await form.locator('.result.is-written').waitFor({ state: 'visible', timeout: 60_000 });
    await screenshot(page, 'heading-02-written');
    const after = journey.fakes.notion.pageBlocks(notionPage.id).map((b) => b.id);
    assert.equal(after.length, before.length + 1);
    assert.deepEqual([...after.slice(0, 3), ...after.slice(4)], before, 'every other block keeps its place and id');
    assert.match(journey.fakes.notion.pageMarkdown(notionPage.id), /## Target\n+Inserted under the target\.\n+Under the target\./);
  });
});
