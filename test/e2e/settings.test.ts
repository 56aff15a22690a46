// The settings form through the real UI: "Visen: Open Settings" opens the webview, a wrong Notion secret is
// rejected next to its field, the right keys are stored, and "Choose…" lists the models the key can use.
// The packaged .vsix runs in code-server; the services are the loopback stand-ins from test/fakes.
import * as assert from 'assert';
import { runCommand, screenshot } from '../harness/codeServer';
import { saveDocImage, visenJourney, visenWebview } from './workbench';

// The fakes' default valid keys (test/fakes/notionFake.ts, geminiFake.ts).
const RIGHT_NOTION_SECRET = 'secret_fake_notion';
const WRONG_NOTION_SECRET = 'secret_wrong_e2e_settings_93a1';
const GEMINI_KEY = 'AIza-fake-gemini';

describe('settings form through the real UI', function () {
  this.timeout(300_000);
  const journey = visenJourney({ fakes: { acceptAnyKey: false, chunkDelayMs: 0 } });

  it('opens from the Command Palette, shows keys as set or not set, checks and stores them on Save', async function () {
    const { page } = journey;
    await runCommand(page, 'Visen: Open Settings');
    await page.locator('.editor-group-container .tab', { hasText: 'Visen Settings' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    const form = visenWebview(page);
    await form.locator('#heading').waitFor({ state: 'visible', timeout: 30_000 });
    await form.locator('#key-notion-status', { hasText: 'Not set' }).waitFor({ timeout: 15_000 });
    assert.equal(await form.locator('#key-notion').getAttribute('type'), 'password');

    // A wrong secret: the error appears next to its field, and the field is already empty.
    await form.locator('#key-notion').fill(WRONG_NOTION_SECRET);
    await form.locator('#save').click();
    const rejected = form.locator('#key-notion-error', { hasText: /rejected the integration secret/ });
    await rejected.waitFor({ timeout: 30_000 });
    assert.match(await rejected.innerText(), /Paste the secret of your internal integration here\./, 'the advice fits the form');
    assert.equal(await form.locator('#key-notion').inputValue(), '', 'the typed secret is not kept in the page');
    await page.mouse.move(5, 5);
    await screenshot(page, 'settings-01-secret-rejected');

    // The right secret and a Gemini key, then the models that key can use.
    await form.locator('#key-notion').fill(RIGHT_NOTION_SECRET);
    await form.locator('#key-gemini').fill(GEMINI_KEY);
    await form.locator('#instructions').fill('Write for busy engineers: short sections, concrete examples.');
    await form.locator('#save').click();
    await form.locator('#status', { hasText: 'Saved.' }).waitFor({ timeout: 30_000 });
    await form.locator('#key-notion-status', { hasText: 'Set' }).waitFor({ timeout: 15_000 });
    await form.locator('#key-gemini-status', { hasText: 'Set' }).waitFor({ timeout: 15_000 });
    assert.equal(await form.locator('#key-notion-error').innerText(), '');

    await form.locator('#choose-model').click();
    await form.locator('#model-list').waitFor({ state: 'visible', timeout: 30_000 });
    const options = await form.locator('#model-list option').allInnerTexts();
    assert.ok(options.some((o) => /gemini-2\.5-flash/.test(o)), `the models listed: ${options.join(' | ')}`);
    // Notifications (the key checks' progress) fade; the picture should show the form alone, from its top.
    await form.locator('#heading').scrollIntoViewIfNeeded();
    await page.waitForTimeout(1500);
    await page.mouse.move(5, 5);
    saveDocImage(await screenshot(page, 'settings-02-saved'), 'settings.png');
  });
});
