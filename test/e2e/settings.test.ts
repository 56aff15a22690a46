// The settings form through the real UI: "Visen: Open Settings" opens the webview, a wrong Notion secret is
// rejected next to its field, the right keys are stored, "Choose…" lists the models the key can use, and
// each engine's model (VS Code's language models included) is typed in its own row and saved in its setting.
// The packaged .vsix runs in code-server; the services are the loopback stand-ins from test/fakes.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runCommand, screenshot } from '../harness/codeServer';
import { saveDocImage, visenJourney, visenWebview, type VisenJourney } from './workbench';

// The fakes' default valid keys (test/fakes/notionFake.ts, geminiFake.ts).
const RIGHT_NOTION_SECRET = 'secret_fake_notion';
const WRONG_NOTION_SECRET = 'secret_wrong_e2e_settings_93a1';
const GEMINI_KEY = 'AIza-fake-gemini';

/** The user's settings.json once `saved` holds (VS Code writes it a moment after Save), or as it is after 10 s. */
async function userSettings(
  journey: VisenJourney,
  saved: (settings: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  const file = path.join(journey.workbench.server.userDataDir, 'User', 'settings.json');
  let settings: Record<string, unknown> = {};
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await journey.page.waitForTimeout(200)) {
    settings = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    if (saved(settings)) break;
  }
  return settings;
}

describe('settings form through the real UI', function () {
  this.timeout(300_000);
  const journey = visenJourney({ fakes: { acceptAnyKey: false, chunkDelayMs: 0 } });

  it('opens from the Command Palette, shows keys as set or not set, checks and stores them on Save', async function () {
    const { page } = journey;
    await runCommand(page, 'Visen: Open Settings');
    await page
      .locator('.editor-group-container .tab', { hasText: 'Visen Settings' })
      .first()
      .waitFor({ state: 'visible', timeout: 30_000 });
    const form = visenWebview(page);
    await form.locator('#heading').waitFor({ state: 'visible', timeout: 30_000 });
    await form.locator('#key-notion-status', { hasText: 'Not set' }).waitFor({ timeout: 15_000 });
    assert.equal(await form.locator('#key-notion').getAttribute('type'), 'password');

    // A wrong secret: the error appears next to its field, and the field is already empty.
    await form.locator('#key-notion').fill(WRONG_NOTION_SECRET);
    await form.locator('#save').click();
    const rejected = form.locator('#key-notion-error', { hasText: /rejected the token/ });
    await rejected.waitFor({ timeout: 30_000 });
    assert.match(
      await rejected.innerText(),
      /Paste a personal access token .* or the secret of an internal integration here/,
      'the advice fits the form',
    );
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

    await form.locator('#choose-model-gemini').click();
    await form.locator('#model-list-gemini').waitFor({ state: 'visible', timeout: 30_000 });
    const options = await form.locator('#model-list-gemini option').allInnerTexts();
    assert.ok(
      options.some((o) => /gemini-2\.5-flash/.test(o)),
      `the models listed: ${options.join(' | ')}`,
    );
    // Notifications (the key checks' progress) fade; the picture should show the form alone, from its top.
    await form.locator('#heading').scrollIntoViewIfNeeded();
    await page.waitForTimeout(1500);
    await page.mouse.move(5, 5);
    saveDocImage(await screenshot(page, 'settings-02-saved'), 'settings.png');
  });

  it("saves the model typed or chosen in each engine's row to that engine's setting", async function () {
    const { page } = journey;
    const form = visenWebview(page);
    // One row per engine of the registry, each showing the model it uses.
    await form.locator('.engine-model[data-engine="vscode-lm"]').waitFor({ timeout: 15_000 });
    assert.deepStrictEqual(await form.locator('.engine-model').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-engine'))), [
      'gemini',
      'openai',
      'vscode-lm',
    ]);
    assert.strictEqual(await form.locator('label[for="model-vscode-lm"]').innerText(), 'Model for VS Code Language Models');
    assert.strictEqual(
      await form.locator('#model-gemini').inputValue(),
      'gemini-3.8-flash',
      "the default while the setting is empty (the model catalog's recommended one)",
    );

    // The Gemini model from the list Choose… filled (recommended first, none past its shutdown date), the others typed.
    assert.ok(
      !(await form.locator('#model-list-gemini option').allTextContents()).some((t) => t.includes('gemini-2.5-pro')),
      'a model past its shutdown date is not offered',
    );
    await form.locator('#model-list-gemini').selectOption('gemini-3.5-flash-lite');
    await form.locator('#model-openai').fill('');
    await form.locator('#model-openai').pressSequentially('gpt-4o');
    await form.locator('#model-vscode-lm').pressSequentially('copilot-gpt-4o');
    await form.locator('#save').click();
    await form.locator('#status', { hasText: 'Saved.' }).waitFor({ timeout: 30_000 });

    const settings = await userSettings(journey, (s) => !!s['visen.vscodeLm.model']);
    assert.strictEqual(settings['visen.gemini.model'], 'gemini-3.5-flash-lite');
    assert.strictEqual(settings['visen.openai.model'], 'gpt-4o');
    assert.strictEqual(settings['visen.vscodeLm.model'], 'copilot-gpt-4o');

    // Opened again, the form shows what the settings now say.
    await runCommand(page, 'View: Close All Editors');
    await page.locator('.editor-group-container .tab', { hasText: 'Visen Settings' }).waitFor({ state: 'detached', timeout: 15_000 });
    await runCommand(page, 'Visen: Open Settings');
    const reloaded = visenWebview(page);
    await reloaded.locator('#model-vscode-lm').waitFor({ timeout: 30_000 });
    await reloaded.locator('#key-gemini-status', { hasText: 'Set' }).waitFor({ timeout: 15_000 });
    assert.strictEqual(await reloaded.locator('#model-vscode-lm').inputValue(), 'copilot-gpt-4o');
    assert.strictEqual(await reloaded.locator('#model-openai').inputValue(), 'gpt-4o');
    assert.strictEqual(await reloaded.locator('#model-gemini').inputValue(), 'gemini-3.5-flash-lite');
  });

  it('gives each engine its key field and, under Advanced, its base URL field, and saves a base URL to its setting', async function () {
    const { page, fakes } = journey;
    const form = visenWebview(page);
    // The key fields: Notion's, then one per engine of the registry that needs a key.
    await form.locator('#key-openai-status').waitFor({ timeout: 15_000 });
    assert.deepStrictEqual(await form.locator('.key-field').evaluateAll((fields) => fields.map((f) => f.getAttribute('data-key'))), [
      'notion',
      'gemini',
      'openai',
    ]);
    assert.strictEqual(await form.locator('label[for="key-openai"]').innerText(), 'OpenAI API key');
    assert.strictEqual(await form.locator('#remove-gemini').getAttribute('aria-label'), 'Remove the Gemini API key');

    // Under Advanced, one base URL field per engine that talks to a server, showing what settings.json says.
    await form.locator('#advanced summary').click();
    await form.locator('#openaiBaseUrl').waitFor({ state: 'visible', timeout: 15_000 });
    assert.strictEqual(await form.locator('label[for="openaiBaseUrl"]').innerText(), 'OpenAI base URL');
    assert.strictEqual(await form.locator('#openaiBaseUrl').getAttribute('placeholder'), 'https://api.openai.com/v1');
    assert.strictEqual(await form.locator('#openaiBaseUrl').inputValue(), fakes.openai.url);
    assert.strictEqual(await form.locator('#geminiBaseUrl').inputValue(), fakes.gemini.url);

    // A base URL that is not http(s): answered next to its field, nothing saved.
    await form.locator('#geminiBaseUrl').fill('ftp://files.example.com');
    await form.locator('#save').click();
    await form.locator('#geminiBaseUrl-error', { hasText: 'Only http:// and https:// addresses work here.' }).waitFor({ timeout: 30_000 });
    await form.locator('#geminiBaseUrl').fill(fakes.gemini.url);

    // Another address for the OpenAI-compatible server: saved in visen.openai.baseUrl.
    const other = `${fakes.openai.url}/`;
    await form.locator('#openaiBaseUrl').fill(other);
    await form.locator('#save').click();
    await form.locator('#status', { hasText: 'Saved.' }).waitFor({ timeout: 30_000 });
    const settings = await userSettings(journey, (s) => s['visen.openai.baseUrl'] === other);
    assert.strictEqual(settings['visen.openai.baseUrl'], other);
    assert.strictEqual(settings['visen.gemini.baseUrl'], fakes.gemini.url, 'the refused value was never written');
    await form.locator('#openaiBaseUrl').scrollIntoViewIfNeeded();
    await page.mouse.move(5, 5);
    await screenshot(page, 'settings-03-endpoints');
  });
});
