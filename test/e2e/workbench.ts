// Shared set-up for the UI tests: the packaged extension installed into a fresh code-server, opened in
// headless Chromium on an empty workspace folder.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import {
  CodeServer,
  launchBrowser,
  openWorkbench,
  remoteUri,
  repoRoot,
  runCommand,
  screenshot,
  startCodeServer,
  waitForNotification,
  workbenchUrl,
} from '../harness/codeServer';
import { AllFakes, AllFakesOptions, startAllFakes } from '../fakes/standalone';
import { FakeLm } from './fakeLm';

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

export interface OpenWorkbenchOptions {
  /** Unpacked extensions loaded beside the installed .vsix (the workbench's `extensionDevelopmentPath`s). */
  readonly developmentExtensions?: readonly string[];
  /** Environment of code-server and so of its extension host. */
  readonly env?: Record<string, string | undefined>;
}

export async function openVisenWorkbench(settings: Record<string, unknown> = {}, options: OpenWorkbenchOptions = {}): Promise<Workbench> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'visen-e2e-ws-'));
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close().catch(() => undefined);
    await server?.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  };
  try {
    server = await startCodeServer({ install: [vsixPath()], settings, env: options.env });
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const payload = (options.developmentExtensions ?? []).map((dir): [string, string] => [
      'extensionDevelopmentPath',
      remoteUri(server!, dir),
    ]);
    await openWorkbench(page, workbenchUrl(server, { folder: workspace, payload: payload.length ? payload : undefined }));
    return { server, browser, page, workspace, close };
  } catch (e) {
    await close();
    throw e;
  }
}

export interface VisenJourney {
  readonly fakes: AllFakes;
  /** The scripted chat model, with `fakeLm: true`. */
  readonly fakeLm: FakeLm;
  readonly workbench: Workbench;
  readonly page: Page;
}

export interface VisenJourneyOptions {
  readonly fakes?: AllFakesOptions;
  /** User settings besides the stand-ins' addresses. */
  readonly settings?: Record<string, unknown>;
  /** Open the Visen view first (which starts Visen and closes its first-run walkthrough); default true. */
  readonly activate?: boolean;
  /** Load the fake chat model and default chat participant (test/fixtures/fake-lm) beside Visen. */
  readonly fakeLm?: boolean;
}

/**
 * Mocha hooks for a suite that is one journey through the UI: the loopback stand-ins and a workbench with
 * Visen pointed at them before the first test, a picture of the window when a test fails, every later
 * test skipped once one has failed (it would start without the state it needs), and all of it closed at
 * the end. Call it at the top of a `describe`; the handles are there from the first test on.
 */
export function visenJourney(options: VisenJourneyOptions = {}): VisenJourney {
  let fakes: AllFakes | undefined;
  let workbench: Workbench | undefined;
  let fakeLm: FakeLm | undefined;
  let failed = false;
  before(async function () {
    fakes = await startAllFakes(options.fakes);
    if (options.fakeLm) fakeLm = new FakeLm();
    workbench = await openVisenWorkbench(
      {
        'visen.notion.apiBaseUrl': fakes.notion.url,
        'visen.gemini.baseUrl': fakes.gemini.url,
        'visen.openai.baseUrl': fakes.openai.url,
        ...options.settings,
      },
      fakeLm ? { developmentExtensions: [FakeLm.extensionPath()], env: { VISEN_FAKE_LM_DIR: fakeLm.dir } } : {},
    );
    if (options.activate ?? true) await activateVisen(workbench.page);
  });
  beforeEach(function () {
    if (failed) this.skip();
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') failed = true;
    await screenshotOnFailure(this, workbench);
  });
  after(async function () {
    await workbench?.close();
    await fakes?.close();
    fakeLm?.dispose();
  });
  const ready = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`the journey's ${name} is not open yet (its before hook failed or has not run)`);
    return value;
  };
  return {
    get fakes() {
      return ready(fakes, 'stand-ins');
    },
    get fakeLm() {
      return ready(fakeLm, 'fake chat model');
    },
    get workbench() {
      return ready(workbench, 'workbench');
    },
    get page() {
      return ready(workbench, 'workbench').page;
    },
  };
}

/** Mocha afterEach hook body: keeps a picture of the window when a test fails. */
export async function screenshotOnFailure(ctx: Mocha.Context, workbench: Workbench | undefined): Promise<void> {
  const test = ctx.currentTest;
  if (!workbench || !test || test.state !== 'failed') return;
  const file = await screenshot(workbench.page, `failed-${test.fullTitle()}`).catch(() => undefined);
  if (file) console.log(`    screenshot: ${path.relative(repoRoot(), file)}`);
}

/** Copies a screenshot to docs/images/<name>, where the README shows it; every run refreshes it. */
export function saveDocImage(file: string, name: string): void {
  const dir = path.join(repoRoot(), 'docs', 'images');
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(file, path.join(dir, name));
}

// ---- the quick input (Command Palette, input boxes, quick picks) ------------------------------------

export const quickInput = (page: Page) => page.locator('.quick-input-widget');
export const quickInputBox = (page: Page) => quickInput(page).locator('.quick-input-box input');
const quickInputMessage = (page: Page) => quickInput(page).locator('.quick-input-message');
const quickInputTitle = (page: Page) => quickInput(page).locator('.quick-input-title');

/** Waits until the open quick input shows a message (validation or prompt) matching `text`; returns it. */
export async function waitForQuickInputMessage(page: Page, text: RegExp, timeout = 30_000): Promise<string> {
  const message = quickInputMessage(page).filter({ hasText: text });
  await message.waitFor({ state: 'visible', timeout });
  return (await message.innerText()).replace(/\s+/g, ' ').trim();
}

export async function waitForQuickInputTitle(page: Page, text: string | RegExp, timeout = 30_000): Promise<void> {
  await quickInputTitle(page).filter({ hasText: text }).waitFor({ state: 'visible', timeout });
  await quickInputBox(page).waitFor({ state: 'visible', timeout });
}

/** Whether keyboard focus is in the quick input's text box, so a person could type straight away. */
export function inputHasFocus(page: Page): Promise<boolean> {
  // Runs in the browser; the project's TypeScript has no DOM library, hence the casts.
  return quickInputBox(page).evaluate((el) => el === (globalThis as any).document.activeElement);
}

/** Replaces the text of the focused input the way a person does: select all, type, no `fill`. */
export async function retype(page: Page, text: string): Promise<void> {
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(text, { delay: 5 });
}

/**
 * Selects all the text of a field inside a webview with Ctrl+A, waiting until the selection is there: in a
 * webview VS Code handles the keybinding in the workbench and sends "select all" back to the page
 * asynchronously, so typing straight away would land before it.
 */
export async function selectAllInWebviewField(page: Page, field: Locator): Promise<void> {
  await field.click();
  await page.keyboard.press('Control+A');
  await field.evaluate(
    (el: any) =>
      new Promise<void>((resolve, reject) => {
        const deadline = Date.now() + 5000;
        const check = () => {
          if (el.selectionStart === 0 && el.selectionEnd === el.value.length) resolve();
          else if (Date.now() > deadline)
            reject(new Error(`Ctrl+A did not select the field's text (${el.selectionStart}–${el.selectionEnd} of ${el.value.length})`));
          else setTimeout(check, 20);
        };
        check();
      }),
  );
}

/** Runs a palette command, then moves the pointer off the quick input so no hover tooltip covers screenshots. */
export async function run(page: Page, title: string): Promise<void> {
  await runCommand(page, title);
  await page.mouse.move(900, 700);
}

// ---- notifications -------------------------------------------------------------------------------

export function toast(page: Page, text: string | RegExp): Locator {
  return page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
}

/** Waits until the toast with this text has finished sliding in, so a screenshot shows all of it. */
export async function toastSettled(page: Page, text: string | RegExp): Promise<void> {
  await page
    .locator('.notifications-toasts .notification-toast.notification-fade-in-done', { hasText: text })
    .first()
    .waitFor({ state: 'visible', timeout: 5000 })
    .catch(() => page.waitForTimeout(500));
}

/** Closes every notification toast, so the next screenshot shows only what comes next. */
export async function clearNotifications(page: Page): Promise<void> {
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page
    .locator('.notifications-toasts .notification-toast')
    .first()
    .waitFor({ state: 'hidden', timeout: 10_000 })
    .catch(() => undefined);
}

// ---- Visen ---------------------------------------------------------------------------------------

/**
 * Opens the Visen view, which activates Visen, and waits for its welcome content or its connections. On the first run in a
 * profile Visen also opens its walkthrough (behind the view); it is closed here, so a test starts from an
 * empty editor area. `firstRun: false` for a window where Visen has run before.
 */
export async function activateVisen(page: Page, { firstRun = true } = {}): Promise<void> {
  const title = page.locator('.part.sidebar .composite.title', { hasText: /visen/i }).first();
  // After a reload VS Code may restore the view on its own, and clicking its activity item then closes it:
  // click only while it is not showing, and again if a restore closed it meanwhile.
  for (const deadline = Date.now() + 60_000; !(await title.isVisible());) {
    if (Date.now() > deadline) throw new Error('The Visen view did not open from the activity bar.');
    await page.locator('.part.activitybar .action-item .action-label[aria-label^="Visen"]').first().click({ timeout: 60_000 });
    await title.waitFor({ state: 'visible', timeout: 3_000 }).catch(() => undefined);
  }
  // Its welcome content (no connections yet), or its connections.
  await page
    .locator('.part.sidebar')
    .locator('.welcome-view-content:visible, .monaco-list-row:visible')
    .first()
    .waitFor({ state: 'visible', timeout: 60_000 });
  if (!firstRun) return;
  const walkthrough = walkthroughTab(page);
  await walkthrough.waitFor({ state: 'visible', timeout: 30_000 });
  await runCommand(page, 'View: Close All Editors', 60_000, page.locator('.part.sidebar .composite.title .title-label').first());
  await walkthrough.waitFor({ state: 'hidden', timeout: 10_000 });
}

/**
 * Runs one of Visen's "Set … Key/Secret" commands from the palette and waits for its password box
 * (titled `title`) with keyboard focus in it; nothing is typed yet.
 */
export async function openKeyBox(page: Page, command: string, title: string | RegExp): Promise<void> {
  await run(page, command);
  await waitForQuickInputTitle(page, title);
  const type = await quickInputBox(page).getAttribute('type');
  if (type !== 'password') throw new Error(`the box of "${command}" shows what is typed (type=${type})`);
  if (!(await inputHasFocus(page))) throw new Error(`the box of "${command}" does not have keyboard focus`);
}

/** Stores the Notion secret the way a person does (palette, type, Enter); returns the "Connected to …" message. */
export async function setNotionSecret(page: Page, secret: string): Promise<string> {
  await openKeyBox(page, 'Visen: Set Notion Token', 'Visen: Notion Token');
  await page.keyboard.type(secret, { delay: 5 });
  await page.keyboard.press('Enter');
  return afterKeySaved(page, /Connected as/);
}

/** Stores the Gemini key the way a person does (palette, type, Enter); returns the "Gemini key saved" message. */
export async function setGeminiKey(page: Page, key: string): Promise<string> {
  await openKeyBox(page, 'Visen: Set Gemini API Key', /Visen: (Google )?Gemini API Key/);
  await page.keyboard.type(key, { delay: 5 });
  await page.keyboard.press('Enter');
  return afterKeySaved(page, /Gemini key saved/);
}

/** The notification that says a key was checked and stored, once its box has closed and the toast is in place. */
export async function afterKeySaved(page: Page, notification: RegExp): Promise<string> {
  const message = await waitForNotification(page, notification);
  await quickInput(page).waitFor({ state: 'hidden', timeout: 10_000 });
  await toastSettled(page, notification);
  return message;
}

/**
 * The document of one of Visen's webviews (the connection form, the settings form). VS Code nests a
 * webview's page in two iframes; other extensions' webviews (the Markdown preview) are told apart by the
 * extension id in the outer frame's address, and hidden ones by visibility.
 */
export function visenWebview(page: Page): FrameLocator {
  return page.locator('iframe.webview.ready[src*="extensionId=visen.visen"]:visible').first().contentFrame().frameLocator('#active-frame');
}

/**
 * "Visen: New Connection" through the form's real controls: the link typed into step 1 (a database's with
 * `type: 'database'`), checked by Notion as `title`, then Next; resolves to the form at step 2.
 */
export async function newConnectionInForm(
  page: Page,
  link: { readonly url: string; readonly title: string; readonly type?: 'page' | 'database' },
): Promise<FrameLocator> {
  await run(page, 'Visen: New Connection');
  await tab(page, 'Visen: New Connection').waitFor({ state: 'visible', timeout: 30_000 });
  const form = visenWebview(page);
  await form.locator('body[data-step="connect"] #url').waitFor({ state: 'visible', timeout: 30_000 });
  if (link.type === 'database') await form.locator('#type').selectOption('database');
  await form.locator('#url').click();
  await page.keyboard.insertText(link.url);
  await form.locator('.validation.is-ok', { hasText: link.title }).waitFor({ state: 'visible', timeout: 30_000 });
  await form.locator('#next:not([disabled])').click();
  await form.locator('body[data-step="generate"] #prompt').waitFor({ state: 'visible', timeout: 30_000 });
  return form;
}

// ---- the walkthrough -------------------------------------------------------------------------------

const WALKTHROUGH_TITLE = 'Get started with Visen';

/** The editor tab with this title. */
export function tab(page: Page, title: string | RegExp): Locator {
  return page.locator('.editor-group-container .tab', { hasText: title }).first();
}

/** The walkthrough's editor tab: "Walkthrough: …" once a step is selected, "Welcome" while it loads. */
export function walkthroughTab(page: Page): Locator {
  return tab(page, /^\s*(Walkthrough|Welcome)\b/);
}

export const STEP_IDS = ['integration', 'engine', 'database', 'generate'] as const;

/** Opens "Get started with Visen" the way a person does: Welcome: Open Walkthrough... → pick it. */
export async function openVisenWalkthrough(page: Page): Promise<void> {
  await runCommand(page, 'Welcome: Open Walkthrough...');
  await quickInputBox(page).waitFor({ state: 'visible', timeout: 10_000 });
  await quickInputBox(page).fill(WALKTHROUGH_TITLE);
  const entry = quickInput(page).locator('.quick-input-list .monaco-list-row', { hasText: WALKTHROUGH_TITLE }).first();
  await entry.waitFor({ state: 'visible', timeout: 30_000 });
  await entry.click();
  await walkthroughStep(page, 'integration').waitFor({ state: 'visible', timeout: 30_000 });
  await walkthroughTab(page).waitFor({ state: 'visible', timeout: 10_000 });
}

/** Waits until the selected step's picture (a Markdown page VS Code shows in a webview) has loaded. */
export async function walkthroughMediaShown(page: Page): Promise<void> {
  const media = page
    .locator('.gettingStartedContainer .getting-started-media iframe.webview.ready:visible')
    .first()
    .contentFrame()
    .frameLocator('#active-frame');
  await media.locator('img').first().waitFor({ state: 'visible', timeout: 30_000 });
  await media
    .locator('img')
    .first()
    .evaluate(
      (img: any) =>
        img.complete ||
        new Promise((resolve) => {
          img.onload = resolve;
        }),
    );
  await page.waitForTimeout(300); // the webview lays the page out once the picture is in
}

export function walkthroughStep(page: Page, id: (typeof STEP_IDS)[number]): Locator {
  return page.locator(`.gettingStartedContainer button.getting-started-step[data-step-id="visen.visen#visen.getStarted#${id}"]`);
}

/**
 * Which steps the walkthrough shows as completed. A step's check box is a codicon: a completed one has the
 * classes "complete" and "codicon-getting-started-step-checked" (a filled check mark) and aria-checked=true;
 * an open one "codicon-getting-started-step-unchecked" (an empty circle).
 */
export async function completedSteps(page: Page): Promise<Record<(typeof STEP_IDS)[number], boolean>> {
  const states = {} as Record<(typeof STEP_IDS)[number], boolean>;
  for (const id of STEP_IDS) {
    const box = walkthroughStep(page, id).locator('.codicon[data-done-step-id]');
    const classes = (await box.getAttribute('class')) ?? '';
    const checked = /\bcomplete\b/.test(classes) && /\bcodicon-getting-started-step-checked\b/.test(classes);
    const unchecked = /\bcodicon-getting-started-step-unchecked\b/.test(classes) && !/\bcomplete\b/.test(classes);
    assert.ok(checked !== unchecked, `step ${id}: its check box is neither clearly checked nor unchecked (${classes})`);
    assert.equal(await box.getAttribute('aria-checked'), String(checked), `step ${id}: aria-checked matches the icon`);
    states[id] = checked;
  }
  return states;
}
