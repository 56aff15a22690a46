import * as assert from 'assert';
import { paletteEntries, screenshot } from '../harness/codeServer';
import { Workbench, openVisenWorkbench, screenshotOnFailure } from './workbench';

describe('smoke: packaged Visen in code-server', function () {
  let workbench: Workbench | undefined;

  before(async function () {
    this.timeout(300_000);
    workbench = await openVisenWorkbench();
  });

  afterEach(async function () {
    await screenshotOnFailure(this, workbench);
  });

  after(async function () {
    await workbench?.close();
  });

  it('lists "Visen: Generate to Notion Page" in the Command Palette', async function () {
    const { page } = workbench!;
    const title = 'Visen: Generate to Notion Page';
    // Contributed commands show up once the extension host has scanned the installed extension.
    let labels: string[] = [];
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
      labels = await paletteEntries(page, 'Visen:');
      if (labels.includes(title)) break;
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1000);
    }
    await screenshot(page, 'smoke-command-palette');
    await page.keyboard.press('Escape');
    assert.ok(labels.includes(title), `Command Palette shows: ${labels.join(' | ') || '(nothing)'}`);
  });

  it('adds a Visen view container to the activity bar', async function () {
    const { page } = workbench!;
    const item = page.locator('.part.activitybar .action-item .action-label[aria-label^="Visen"]');
    await item.first().waitFor({ state: 'visible', timeout: 60_000 });
    await item.first().click();
    await page.locator('.part.sidebar .composite.title', { hasText: /visen/i }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, 'smoke-visen-view');
  });
});
