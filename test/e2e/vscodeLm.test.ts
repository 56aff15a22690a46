// The `vscode-lm` engine in a real VS Code with a chat model: test/fixtures/fake-lm registers a scripted
// model beside the installed .vsix, and Visen lists it, generates with it block for block into the Notion
// stand-in, stops it on Cancel and shows its error.
import * as assert from 'assert';
import { screenshot, waitForNotification } from '../harness/codeServer';
import type { FakePage } from '../fakes/notionFake';
import { FAKE_MODEL_NAME } from './fakeLm';
import {
  clearNotifications,
  quickInput,
  run,
  setNotionSecret,
  toast,
  toastSettled,
  visenJourney,
  waitForQuickInputTitle,
} from './workbench';

const ANSWER = `# Release 2.4

Visen now writes **release notes** straight into Notion.

## Highlights

- Streaming into the page
- Undo that takes back exactly what was written

1. Install the update
2. Reload the window

\`\`\`typescript
const visen = 'fast';
\`\`\`

> Thanks to everyone who tested the beta.
`;

describe('the vscode-lm engine with a chat model in VS Code', function () {
  this.timeout(300_000);
  const journey = visenJourney({ fakeLm: true, settings: { 'visen.engine': 'vscode-lm' } });
  let notes: FakePage;
  before(() => {
    notes = journey.fakes.notion.addPage({ title: 'Release Notes', shared: true });
  });

  async function generate(prompt: string): Promise<void> {
    const { page } = journey;
    await run(page, 'Visen: Generate to Notion Page');
    await waitForQuickInputTitle(page, 'Visen: Generate to Notion Page');
    const recent = quickInput(page).locator('.quick-input-list .monaco-list-row', { hasText: 'Release Notes' }).first();
    if (await recent.isVisible().catch(() => false)) await recent.click();
    else {
      await page.keyboard.type(notes.url, { delay: 1 });
      await page.keyboard.press('Enter');
    }
    await waitForQuickInputTitle(page, 'Visen: what should be written to "Release Notes"?');
    await page.keyboard.type(prompt, { delay: 2 });
    await page.keyboard.press('Enter');
    await quickInput(page).waitFor({ state: 'hidden', timeout: 10_000 });
  }

  it('lists the chat model in Select Model', async function () {
    const { page } = journey;
    await setNotionSecret(page, 'secret_fake_notion');
    await clearNotifications(page);
    await run(page, 'Visen: Select Model');
    await waitForQuickInputTitle(page, /Visen: .* model/);
    const rows = quickInput(page).locator('.quick-input-list .monaco-list-row');
    await rows.first().waitFor({ state: 'visible', timeout: 30_000 });
    const labels = (await rows.allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim());
    const fake = labels.find((l) => l.includes(FAKE_MODEL_NAME));
    assert.ok(fake, `Select Model lists the fake model: ${labels.join(' | ')}`);
    await screenshot(page, 'vscode-lm-01-select-model');
    await rows.filter({ hasText: FAKE_MODEL_NAME }).first().click();
    const chosen = await waitForNotification(page, /Visen now generates with/);
    console.log(`      ${chosen}`);
  });

  it("writes the model's markdown into the page block for block", async function () {
    const { page } = journey;
    await clearNotifications(page);
    journey.fakeLm.script({ match: 'release notes', text: ANSWER, chunkSize: 16, delayMs: 15 });
    const before = journey.fakeLm.requests().length;
    await generate('Write the release notes');
    const done = await waitForNotification(page, /Wrote \d+ blocks? to/, 120_000);
    await toastSettled(page, /Wrote \d+ blocks?/);
    await screenshot(page, 'vscode-lm-02-generated');
    const blocks = journey.fakes.notion.pageBlocks(notes.id);
    assert.equal(done, `Wrote ${blocks.length} blocks to "Release Notes".`);
    assert.deepEqual(
      blocks.map((b) => b.type),
      [
        'heading_1',
        'paragraph',
        'heading_2',
        'bulleted_list_item',
        'bulleted_list_item',
        'numbered_list_item',
        'numbered_list_item',
        'code',
        'quote',
      ],
    );
    assert.equal(journey.fakes.notion.pageMarkdown(notes.id).trim(), ANSWER.trim());
    const sent = journey.fakeLm.requests().slice(before);
    assert.equal(sent.length, 1, 'one request to the model');
    assert.equal(sent[0].initiator, 'visen.visen');
    assert.match(
      sent[0].messages
        .at(-1)!
        .parts.map((p) => p.value)
        .join(''),
      /Write the release notes/,
    );
  });

  it('stops within a second of Cancel, while the model is between chunks', async function () {
    const { page } = journey;
    await clearNotifications(page);
    const blocksBefore = journey.fakes.notion.pageBlocks(notes.id).length;
    // A slow model: a chunk every 1.5 s, so Cancel lands while Visen waits for the next one.
    journey.fakeLm.script({
      match: 'changelog',
      text: 'A long changelog line that keeps going. '.repeat(100),
      chunkSize: 40,
      delayMs: 1500,
    });
    await generate('Write the full changelog');
    const progress = toast(page, /writing to "Release Notes"/);
    await progress.filter({ hasText: /characters generated/ }).waitFor({ state: 'visible', timeout: 30_000 });
    await toastSettled(page, /writing to/);
    await screenshot(page, 'vscode-lm-03-streaming');
    const cancel = progress.locator('.monaco-button, .action-label', { hasText: /Cancel/ }).first();
    const clickedAt = Date.now();
    await cancel.click();
    const shown = await waitForNotification(page, /cancelled/i, 30_000);
    const stoppedIn = Date.now() - clickedAt;
    console.log(`      ${shown} (${stoppedIn} ms after Cancel)`);
    assert.ok(stoppedIn < 1000, `Visen stopped ${stoppedIn} ms after Cancel`);
    assert.match(shown, /Generation cancelled/);
    await progress.filter({ hasText: /writing to/ }).waitFor({ state: 'hidden', timeout: 5000 });
    await toastSettled(page, /cancelled/i);
    await screenshot(page, 'vscode-lm-04-cancelled');
    // Nothing reaches the page after Cancel, though the model would go on for a minute more.
    await page.waitForTimeout(3000);
    assert.equal(journey.fakes.notion.pageBlocks(notes.id).length, blocksBefore, 'Cancel wrote nothing to the page');
  });

  it("shows the model's error", async function () {
    const { page } = journey;
    await clearNotifications(page);
    journey.fakeLm.script({ match: 'roadmap', text: '## Roadmap\n\n', error: 'The fake model is overloaded (quota exceeded).' });
    await generate('Write the roadmap');
    const shown = await waitForNotification(page, /overloaded/, 60_000);
    console.log(`      ${shown}`);
    assert.match(shown, /Fake Model/);
    assert.match(shown, /The fake model is overloaded \(quota exceeded\)\./);
    await toastSettled(page, /overloaded/);
    await screenshot(page, 'vscode-lm-05-error');
  });
});
