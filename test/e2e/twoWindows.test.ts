// Two VS Code windows on one user-data folder, each with its own extension host, sharing Visen's folder
// under globalStorageUri (the generation records, the page locks, the Notion pacing): one code-server, one
// browser profile, two workbench pages on two workspaces. Everything goes through each window's own UI
// (Command Palette, notifications, the Connections tree, the connection form, Developer: Reload Window);
// the services are the loopback stand-ins, with Notion's 3 requests/s enforced (429 past it).
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Browser, Locator, Page } from 'playwright-core';
import {
  type CodeServer,
  launchBrowser,
  openWorkbench,
  runCommand,
  screenshot,
  startCodeServer,
  waitForNotification,
  workbenchUrl,
} from '../harness/codeServer';
import type { FakePage } from '../fakes/notionFake';
import { type AllFakes, startAllFakes } from '../fakes/standalone';
import {
  activateVisen,
  clearNotifications,
  quickInput,
  quickInputBox,
  run,
  setGeminiKey,
  toast,
  setNotionSecret,
  visenWebview,
  vsixPath,
  waitForQuickInputTitle,
  walkthroughTab,
} from './workbench';

const NOTION_SECRET = 'secret_fake_notion';
const GEMINI_KEY = 'AIza-fake-gemini';

/** What the engine stand-in writes for a prompt carrying `TOKEN:<tag>`: `count` plain paragraphs, numbered. */
const paragraph = (tag: string, i: number) => `Run ${tag}, paragraph ${i}: words for the page here.`;
const answerFor = (tag: string, count: number) => Array.from({ length: count }, (_, i) => paragraph(tag, i + 1)).join('\n\n');
const paragraphs = (tag: string, count: number) => Array.from({ length: count }, (_, i) => paragraph(tag, i + 1));

interface StoredRecord {
  id: string;
  prompt: string;
  status: string;
  blocks: number;
  writtenBlocks: number;
  blockIds?: string[];
}

interface Window {
  readonly name: string;
  readonly page: Page;
}

/** The most requests received within any `windowMs`, with their arrival times after the first of them. */
function busiest(times: number[], windowMs: number): { count: number; offsets: number[] } {
  const sorted = [...times].sort((a, b) => a - b);
  let best = { count: 0, offsets: [] as number[] };
  for (let start = 0, end = 0; end < sorted.length; end++) {
    while (sorted[end] - sorted[start] >= windowMs) start++;
    if (end - start + 1 > best.count)
      best = { count: end - start + 1, offsets: sorted.slice(start, end + 1).map((t) => t - sorted[start]) };
  }
  return best;
}

/**
 * How far an arrival time may move from when the request left the extension host: the stand-in stamps it
 * in the test's own process, which also drives two browser pages, and each extension host sends a request
 * a moment after its pacing slot, on a machine the tests share.
 */
const ARRIVAL_JITTER_MS = 100;

async function until<T>(what: string, probe: () => T | undefined | false, timeout = 60_000): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('two windows: two extension hosts on one user-data folder through the real UI', function () {
  this.timeout(240_000);
  let fakes: AllFakes;
  let server: CodeServer;
  let browser: Browser;
  let a: Window;
  let b: Window;
  let alpha: FakePage;
  let beta: FakePage;
  let notes: FakePage;
  let failed = false;
  const workspaces: string[] = [];

  /** The folder every window shares: Visen's globalStorageUri. */
  const generationsDir = () => path.join(server.userDataDir, 'User', 'globalStorage', 'visen.visen', 'generations');
  const readJson = <T>(file: string): T | undefined => {
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
    } catch {
      return undefined; // being replaced, or gone
    }
  };
  /** The stored record of the run whose prompt carries `TOKEN:<tag>`, as it is on disk now. */
  const recordOf = (tag: string): StoredRecord | undefined => {
    const dir = generationsDir();
    if (!fs.existsSync(dir)) return undefined;
    for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.json'))) {
      const record = readJson<StoredRecord>(path.join(dir, name));
      if (record?.prompt.includes(`TOKEN:${tag}`)) return record;
    }
    return undefined;
  };
  const texts = (page: FakePage) =>
    fakes.notion.pageBlocks(page.id).map((block) => {
      const data = (block as unknown as Record<string, { rich_text?: Array<{ plain_text: string }> }>)[block.type];
      return (data?.rich_text ?? []).map((t) => t.plain_text).join('');
    });

  async function openWindow(name: string, firstRun: boolean): Promise<Window> {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), `visen-e2e-${name}-`));
    workspaces.push(workspace);
    const page = await browser.contexts()[0].newPage();
    await openWorkbench(page, workbenchUrl(server, { folder: workspace }));
    await activateVisen(page, { firstRun });
    if (!firstRun && (await walkthroughTab(page).isVisible())) await runCommand(page, 'View: Close All Editors');
    return { name, page };
  }

  before(async function () {
    fakes = await startAllFakes({ acceptAnyKey: false, chunkDelayMs: 60, seed: false });
    // Notion's documented average, enforced with 429 + Retry-After from the first request on.
    fakes.notion.rateLimitPerSecond = 3;
    fakes.gemini.respondWith((req) => {
      const tag = /TOKEN:(\w+)/.exec(req.prompt)?.[1] ?? 'unknown';
      return answerFor(tag, Number(/COUNT:(\d+)/.exec(req.prompt)?.[1] ?? 12));
    });
    alpha = fakes.notion.addPage({ title: 'Alpha', shared: true });
    beta = fakes.notion.addPage({ title: 'Beta', shared: true });
    notes = fakes.notion.addPage({ title: 'Notes', markdown: 'Existing line.', shared: true });
    server = await startCodeServer({
      install: [vsixPath()],
      settings: {
        'visen.notion.apiBaseUrl': fakes.notion.url,
        'visen.gemini.baseUrl': fakes.gemini.url,
        'visen.openai.baseUrl': fakes.openai.url,
      },
    });
    // One browser profile: the two windows share VS Code's state and secrets, as two desktop windows do.
    browser = await launchBrowser();
    await browser.newContext({ viewport: { width: 1400, height: 900 } });
    a = await openWindow('a', true);
    assert.match(await setNotionSecret(a.page, NOTION_SECRET), /Connected as/);
    assert.match(await setGeminiKey(a.page, GEMINI_KEY), /Gemini key saved/);
    await clearNotifications(a.page);
    // The three pages become connections: the link pasted into Generate, the prompt box then dismissed.
    for (const target of [alpha, beta, notes]) {
      await run(a.page, 'Visen: Generate to Notion Page');
      await quickInputBox(a.page).waitFor({ state: 'visible', timeout: 30_000 });
      await quickInputBox(a.page).fill(target.url);
      await quickInputBox(a.page).press('Enter');
      await waitForQuickInputTitle(a.page, `Visen: what should be written to "${target.title}"?`);
      await a.page.keyboard.press('Escape');
      await quickInput(a.page).waitFor({ state: 'hidden', timeout: 10_000 });
    }
    // The second window opens on its own workspace once the first has made them.
    b = await openWindow('b', false);
  });
  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    failed = true;
    for (const w of [a, b]) {
      if (!w) continue;
      const file = await screenshot(w.page, `failed-${this.currentTest.fullTitle()}-${w.name}`).catch(() => undefined);
      if (file) console.log(`    screenshot: ${file}`);
    }
  });
  beforeEach(function () {
    if (failed) this.skip();
  });
  after(async function () {
    await browser?.close().catch(() => undefined);
    await server?.close();
    await fakes?.close();
    for (const dir of workspaces) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Generate through the Command Palette, up to the typed prompt: the connection picked, the prompt typed. */
  async function prepare(w: Window, connection: string, prompt: string): Promise<void> {
    await runCommand(w.page, 'Visen: Generate to Notion Page', 60_000, sidebarTitle(w));
    await w.page.mouse.move(900, 700);
    await waitForQuickInputTitle(w.page, 'Visen: Generate to Notion Page');
    await quickInput(w.page).locator('.quick-input-list .monaco-list-row', { hasText: connection }).first().click();
    await waitForQuickInputTitle(w.page, `Visen: what should be written to "${connection}"?`);
    await w.page.keyboard.type(prompt, { delay: 1 });
  }

  /** Enter in the prompt box: the run starts. */
  async function submit(w: Window): Promise<void> {
    await w.page.keyboard.press('Enter');
    await quickInput(w.page).waitFor({ state: 'hidden', timeout: 10_000 });
  }

  /** Both windows' prompts typed, then Enter in both at the same moment. */
  async function generateAtOnce(runs: Array<[Window, string, string]>): Promise<void> {
    await Promise.all(runs.map(([w, connection, prompt]) => prepare(w, connection, prompt)));
    await Promise.all(runs.map(([w]) => submit(w)));
  }

  const treeRow = (w: Window, label: string | RegExp): Locator =>
    w.page.locator('.part.sidebar .monaco-list-row', { has: w.page.locator('.label-name', { hasText: label }) }).first();

  async function expand(w: Window, connection: string): Promise<void> {
    const row = treeRow(w, new RegExp(`^${connection}$`));
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    for (const deadline = Date.now() + 20_000; (await row.getAttribute('aria-expanded')) !== 'true';) {
      if (Date.now() > deadline) throw new Error(`${w.name}: "${connection}" in the Connections tree does not expand`);
      if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.monaco-tl-twistie').click();
      await w.page.waitForTimeout(300);
    }
  }

  /** The run's row in this window's tree: shown with its status icon, and offering Undo when it may be undone. */
  async function seeInTree(w: Window, connection: string, tag: string, icon: string, undoable: boolean): Promise<void> {
    await expand(w, connection);
    const row = treeRow(w, `TOKEN:${tag}`);
    await row.locator(`.codicon-${icon}`).waitFor({ state: 'visible', timeout: 30_000 });
    await row.hover();
    const undo = row.locator('.action-label[aria-label="Undo Last Generation"]');
    if (undoable) await undo.waitFor({ state: 'visible', timeout: 10_000 });
    else assert.equal(await undo.count(), 0, `${w.name}: TOKEN:${tag} offers no Undo`);
    await w.page.mouse.move(900, 700);
  }

  /** Undo from the run's row in this window's Connections tree, confirmed in the dialog. */
  async function undoFromTree(w: Window, connection: string, tag: string, blocks: number): Promise<void> {
    await expand(w, connection);
    const row = treeRow(w, `TOKEN:${tag}`);
    await row.hover();
    await row.locator('.action-label[aria-label="Undo Last Generation"]').click();
    const dialog = w.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await dialog.innerText()).replace(/\s+/g, ' '), new RegExp(`Visen deletes the ${blocks} blocks it wrote`));
    await dialog.locator('.monaco-button', { hasText: /^Undo$/ }).click();
    await waitForNotification(w.page, new RegExp(`Undone: "${connection}"`), 60_000);
    await w.page.mouse.move(900, 700);
  }

  /**
   * Where the palette is opened from: the sidebar's title. A click in the editor area would land on a connection
   * form the tree opened, and the form's webview takes the focus back, closing the palette.
   */
  const sidebarTitle = (w: Window): Locator => w.page.locator('.part.sidebar .composite.title .title-label').first();

  /** Clears this window's notifications (one window after the other: two palettes at once can close each other). */
  async function clearIn(w: Window): Promise<void> {
    await runCommand(w.page, 'Notifications: Clear All Notifications', 60_000, sidebarTitle(w));
    await w.page
      .locator('.notifications-toasts .notification-toast')
      .first()
      .waitFor({ state: 'hidden', timeout: 10_000 })
      .catch(() => undefined);
  }

  /** Every notification this window holds (the toasts that went by included), from its notification center. */
  async function notificationsIn(w: Window): Promise<string[]> {
    await runCommand(w.page, 'Notifications: Show Notifications', 60_000, sidebarTitle(w));
    const center = w.page.locator('.notifications-center');
    await center.waitFor({ state: 'visible', timeout: 10_000 });
    const messages = (await center.locator('.notification-list-item-message').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    await runCommand(w.page, 'Notifications: Hide Notifications', 60_000, sidebarTitle(w));
    return messages;
  }

  const notionRequestsSince = (from: number) => fakes.notion.requests.slice(from);
  /**
   * Notion's limit as the stand-in enforces it (a token bucket: 3 a second, a burst of 3 at most) answered no
   * request 429; Visen's pacing lets at most 3 requests leave in any 1,050 ms, which the arrivals show within
   * their jitter; and on average the windows together stayed at 3 a second or less.
   */
  function assertPaced(from: number, what: string): void {
    assert.equal(fakes.notion.rateLimitedCount, 0, `${what}: Notion never answered 429`);
    const times = notionRequestsSince(from).map((r) => r.receivedAt!);
    const second = busiest(times, 1000);
    const strict = busiest(times, 1000 - ARRIVAL_JITTER_MS);
    const span = (Math.max(...times) - Math.min(...times)) / 1000;
    const average = (times.length - 3) / span;
    console.log(
      `      ${what}: ${times.length} Notion requests in ${span.toFixed(1)} s (${average.toFixed(2)}/s past the first 3), ` +
        `at most ${second.count} in any second (at ${second.offsets.join(', ')} ms), 0 × 429`,
    );
    assert.ok(
      strict.count <= 3,
      `${what}: at most 3 requests within any ${1000 - ARRIVAL_JITTER_MS} ms (saw ${strict.count}: ${strict.offsets.join(', ')} ms)`,
    );
    assert.ok(average <= 3, `${what}: on average at most 3 requests a second (${average.toFixed(2)})`);
  }

  it('both generate at once into two pages: both written, both records in both trees, paced, each Undo exact', async function () {
    fakes.gemini.chunkDelayMs = 120;
    const from = fakes.notion.requests.length;
    await generateAtOnce([
      [a, 'Alpha', 'Notes for the first window TOKEN:a1 COUNT:14'],
      [b, 'Beta', 'Notes for the second window TOKEN:b1 COUNT:14'],
    ]);
    const [doneA, doneB] = await Promise.all([
      waitForNotification(a.page, /Wrote \d+ blocks? to "Alpha"/, 120_000),
      waitForNotification(b.page, /Wrote \d+ blocks? to "Beta"/, 120_000),
    ]);
    assert.equal(doneA, 'Wrote 14 blocks to "Alpha".');
    assert.equal(doneB, 'Wrote 14 blocks to "Beta".');
    // The two runs wrote side by side: each page's appends overlap the other's in time.
    const appends = (page: FakePage) =>
      notionRequestsSince(from)
        .filter((r) => r.method === 'PATCH' && r.path.replace(/-/g, '').includes(page.id.replace(/-/g, '')))
        .map((r) => r.receivedAt!);
    const [ta, tb] = [appends(alpha), appends(beta)];
    assert.ok(ta.length > 1 && tb.length > 1, `several appends each (${ta.length}, ${tb.length})`);
    assert.ok(ta[0] < tb[tb.length - 1] && tb[0] < ta[ta.length - 1], 'the two windows wrote at the same time');
    assertPaced(from, 'two pages at once');

    // Block for block: each page holds its own run's text, in order, once.
    assert.deepEqual(texts(alpha), paragraphs('a1', 14));
    assert.deepEqual(texts(beta), paragraphs('b1', 14));
    const ra = recordOf('a1')!;
    const rb = recordOf('b1')!;
    assert.equal(ra.status, 'written');
    assert.equal(rb.status, 'written');
    assert.deepEqual(
      ra.blockIds,
      fakes.notion.pageBlocks(alpha.id).map((x) => x.id),
    );
    assert.deepEqual(
      rb.blockIds,
      fakes.notion.pageBlocks(beta.id).map((x) => x.id),
    );
    // Each window's tree has both runs, written, each offering Undo.
    for (const w of [a, b]) {
      await seeInTree(w, 'Alpha', 'a1', 'pass', true);
      await seeInTree(w, 'Beta', 'b1', 'pass', true);
    }
    await screenshot(a.page, 'two-windows-01-a-tree');
    await screenshot(b.page, 'two-windows-01-b-tree');

    // Undo in each window takes back exactly its own run's blocks.
    await undoFromTree(a, 'Alpha', 'a1', 14);
    assert.deepEqual(texts(alpha), []);
    assert.deepEqual(texts(beta), paragraphs('b1', 14), "the other window's page is untouched");
    await undoFromTree(b, 'Beta', 'b1', 14);
    assert.deepEqual(texts(beta), []);
    for (const w of [a, b]) await clearIn(w);
  });

  it('both generate at once into the same page: the shared page lock makes one wait, no block interleaved', async function () {
    fakes.gemini.chunkDelayMs = 100;
    const from = fakes.notion.requests.length;
    // Both prompts typed; A's run starts, and B's while A's streams.
    await Promise.all([
      prepare(a, 'Notes', 'Same page, first window TOKEN:a2 COUNT:10'),
      prepare(b, 'Notes', 'Same page, second window TOKEN:b2 COUNT:12'),
    ]);
    await submit(a);
    await until("A's run streaming", () => recordOf('a2')?.status === 'generating');
    await submit(b);
    // B's window says its run waits while A's writes.
    await toast(b.page, /Waiting for the other run into "Notes" to finish/).waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(recordOf('a2')?.status, 'generating', "A's run still going while B's waits");
    await screenshot(b.page, 'two-windows-02-b-waits');
    const [doneA, doneB] = await Promise.all([
      waitForNotification(a.page, /Wrote \d+ blocks? to "Notes"/, 120_000),
      waitForNotification(b.page, /Wrote \d+ blocks? to "Notes"/, 120_000),
    ]);
    assert.equal(doneA, 'Wrote 10 blocks to "Notes".');
    assert.equal(doneB, 'Wrote 12 blocks to "Notes".');
    assertPaced(from, 'one page at once');

    // One run after the other, each contiguous and exact, after what the page held.
    assert.deepEqual(texts(notes), ['Existing line.', ...paragraphs('a2', 10), ...paragraphs('b2', 12)]);
    const ra = recordOf('a2')!;
    const rb = recordOf('b2')!;
    assert.deepEqual([ra.status, rb.status], ['written', 'written']);
    assert.deepEqual(
      fakes.notion
        .pageBlocks(notes.id)
        .slice(1)
        .map((x) => x.id),
      [...ra.blockIds!, ...rb.blockIds!],
    );
    for (const w of [a, b]) {
      await seeInTree(w, 'Notes', 'a2', 'pass', true);
      await seeInTree(w, 'Notes', 'b2', 'pass', true);
    }

    // Each window's Undo takes back its own blocks only: the older run's first, though the newer one follows it.
    await undoFromTree(a, 'Notes', 'a2', 10);
    assert.deepEqual(texts(notes), ['Existing line.', ...paragraphs('b2', 12)]);
    await undoFromTree(b, 'Notes', 'b2', 12);
    assert.deepEqual(texts(notes), ['Existing line.']);
    for (const w of [a, b]) await clearIn(w);
  });

  it("a window reloaded mid-run: the other's run completes, never interrupted; the reloaded one's only after its lease, then Retry Write finishes it", async function () {
    // Slow answers (about 20 s each), so the reload happens while both stream, and a slow Notion (2 s an
    // answer), so the reloaded window goes with generated blocks not yet written and an append in flight.
    fakes.gemini.chunkDelayMs = 200;
    fakes.notion.latencyMs = 2000;
    const from = fakes.notion.requests.length;
    const COUNT = 36;
    await generateAtOnce([
      [a, 'Alpha', `Long notes, first window TOKEN:a3 COUNT:${COUNT}`],
      [b, 'Beta', `Long notes, second window TOKEN:b3 COUNT:${COUNT}`],
    ]);
    await until('both runs writing', () => (recordOf('a3')?.writtenBlocks ?? 0) >= 2 && (recordOf('b3')?.writtenBlocks ?? 0) >= 2);
    await until('B with blocks waiting to be written', () => {
      const record = recordOf('b3');
      return record !== undefined && record.blocks - record.writtenBlocks >= 2;
    });

    // Watch the shared folder: the lease B's run held last, when its record turned interrupted, and A's states.
    const aStates = new Set<string>();
    let bLease: { expiresAt: number } | undefined;
    let bInterruptedAt: number | undefined;
    const bId = recordOf('b3')!.id;
    const watch = setInterval(() => {
      const ra = recordOf('a3');
      if (ra) aStates.add(ra.status);
      const lease = readJson<{ expiresAt: number }>(path.join(generationsDir(), `${bId}.lease`));
      if (lease) bLease = lease;
      const file = path.join(generationsDir(), `${bId}.json`);
      if (bInterruptedAt === undefined && readJson<StoredRecord>(file)?.status === 'interrupted')
        bInterruptedAt = fs.statSync(file).mtimeMs;
    }, 100);
    try {
      const reloaded = b.page.waitForEvent('domcontentloaded', { timeout: 60_000 });
      await runCommand(b.page, 'Developer: Reload Window', 60_000, sidebarTitle(b));
      const reloadedAt = Date.now();
      await reloaded;
      await b.page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 120_000 });
      await activateVisen(b.page, { firstRun: false });
      assert.equal(recordOf('a3')?.status, 'generating', "A's run still streams while B is back");

      // A's run ends normally, in A's own window.
      const doneA = await waitForNotification(a.page, /Wrote \d+ blocks? to "Alpha"/, 120_000);
      assert.equal(doneA, `Wrote ${COUNT} blocks to "Alpha".`);
      // B's run: its window went away, so once its lease has run out it is interrupted (by either window).
      await until('B run interrupted', () => bInterruptedAt, 60_000);
      console.log(
        `      B's run interrupted ${((bInterruptedAt! - reloadedAt) / 1000).toFixed(1)} s after the reload, ` +
          `${((bInterruptedAt! - bLease!.expiresAt) / 1000).toFixed(1)} s after its last lease expired`,
      );
      assert.ok(bLease, 'the run held a lease in the shared folder');
      assert.ok(bInterruptedAt! >= bLease!.expiresAt, 'marked interrupted only once its lease had expired');
    } finally {
      clearInterval(watch);
    }
    assert.deepEqual([...aStates].sort(), ['generating', 'written'], "A's run was never marked interrupted");
    assert.equal(recordOf('a3')!.status, 'written');
    assert.deepEqual(texts(alpha), paragraphs('a3', COUNT));
    const [seenA, seenB] = [await notificationsIn(a), await notificationsIn(b)];
    assert.ok(seenA.includes(`Wrote ${COUNT} blocks to "Alpha".`), `A's notifications: ${seenA.join(' | ')}`);
    for (const seen of [seenA, seenB])
      assert.ok(!seen.some((m) => /did not take all|interrupted/i.test(m)), `no window says a run was interrupted: ${seen.join(' | ')}`);
    await seeInTree(a, 'Alpha', 'a3', 'pass', true);
    await seeInTree(b, 'Alpha', 'a3', 'pass', true);
    await seeInTree(b, 'Beta', 'b3', 'debug-disconnect', true);
    await screenshot(b.page, 'two-windows-03-b-interrupted');

    // B's page holds the blocks written before the reload, once each; Retry Write from the connection form adds the rest.
    const cut = recordOf('b3')!;
    fakes.notion.latencyMs = 0;
    const before = texts(beta);
    assert.deepEqual(before, paragraphs('b3', before.length), 'what landed before the reload, in order, once');
    assert.ok(cut.blocks > cut.writtenBlocks, `the run was cut short (${cut.writtenBlocks} of ${cut.blocks} blocks known written)`);
    assert.ok(before.length <= cut.blocks && before.length >= cut.writtenBlocks, `${before.length} blocks in Notion`);
    console.log(`      B's record: ${cut.writtenBlocks} of ${cut.blocks} blocks known written, ${before.length} in Notion`);
    await treeRow(b, /^Beta$/)
      .locator('.label-name')
      .click();
    const form = visenWebview(b.page);
    const item = form.locator(`.history-item[data-record-id="${cut.id}"]`);
    await form
      .locator(`.history-item[data-record-id="${cut.id}"][data-status="interrupted"]`)
      .waitFor({ state: 'visible', timeout: 30_000 });
    await item.locator('summary').click();
    await item.locator('.history-retry').click();
    await form.locator(`.history-item[data-record-id="${cut.id}"][data-status="written"]`).waitFor({ state: 'visible', timeout: 60_000 });
    const written = recordOf('b3')!;
    assert.equal(written.status, 'written');
    assert.equal(written.blocks, cut.blocks, 'the kept text, not a new generation');
    assert.deepEqual(texts(beta), paragraphs('b3', cut.blocks), 'only what was missing was written: no block twice');
    assert.deepEqual(
      written.blockIds,
      fakes.notion.pageBlocks(beta.id).map((x) => x.id),
    );
    await screenshot(b.page, 'two-windows-04-b-retried');
    assertPaced(from, 'reload while the other runs');

    // Undo: each window's run, from its own window, exactly.
    const undoB = item.locator('.history-undo');
    if (!(await undoB.isVisible())) await item.locator('summary').click();
    await undoB.click();
    const dialog = b.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    await dialog.locator('.monaco-button', { hasText: /^Undo$/ }).click();
    await until('Beta emptied', () => texts(beta).length === 0, 60_000);
    assert.deepEqual(texts(alpha), paragraphs('a3', COUNT), "B's Undo leaves A's page alone");
    await undoFromTree(a, 'Alpha', 'a3', COUNT);
    assert.deepEqual(texts(alpha), []);
  });
});
