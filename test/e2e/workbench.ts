// Shared set-up for the UI tests: the packaged extension installed into a fresh code-server, opened in
// headless Chromium on an empty workspace folder.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';
import { CodeServer, launchBrowser, openWorkbench, repoRoot, screenshot, startCodeServer, workbenchUrl } from '../harness/codeServer';

export interface Workbench {
  server: CodeServer;
  browser: Browser;
  page: Page;
  workspace: string;
  close(): Promise<void>;
}

export function vsixPath(): string {
  const vsix = process.env.VISEN_VSIX ?? path.join(repoRoot(), 'dist', 'visen.vsix');
  if (!fs.existsSync(vsix)) throw new Error(`${vsix} is missing: run \`npm run package\` first`);
  return vsix;
}

export async function openVisenWorkbench(settings: Record<string, unknown> = {}): Promise<Workbench> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'visen-e2e-ws-'));
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close().catch(() => undefined);
    await server?.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  };
  try {
    server = await startCodeServer({ install: [vsixPath()], settings });
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await openWorkbench(page, workbenchUrl(server, { folder: workspace }));
    return { server, browser, page, workspace, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Mocha afterEach hook body: keeps a picture of the window when a test fails. */
export async function screenshotOnFailure(ctx: Mocha.Context, workbench: Workbench | undefined): Promise<void> {
  const test = ctx.currentTest;
  if (!workbench || !test || test.state !== 'failed') return;
  const file = await screenshot(workbench.page, `failed-${test.fullTitle()}`).catch(() => undefined);
  if (file) console.log(`    screenshot: ${path.relative(repoRoot(), file)}`);
}
