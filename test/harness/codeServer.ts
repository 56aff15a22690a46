// A real VS Code for tests on machines that cannot download VS Code: code-server (VS Code's server build
// and web workbench, installed by scripts/install-code-server.sh) driven by Debian's headless Chromium.
// See /work/shared/reference/vscode-offline.md for why this and not @vscode/test-electron.
import { spawn, spawnSync, ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { chromium, Browser, Locator, Page } from 'playwright-core';

export const CODE_SERVER_VERSION = '4.100.3';

/** The extension's folder, found from the bundle's location so it works from out/ and from sources. */
export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'visen') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no Visen package.json above ${__dirname}`);
    dir = parent;
  }
}

export function codeServerDir(): string {
  return process.env.VISEN_CODE_SERVER_DIR ?? path.join(os.homedir(), '.cache', 'visen', `code-server-${CODE_SERVER_VERSION}`);
}

/** The code-server executable, installing it on first use (needs the npm registry and apt). */
export function codeServerBin(): string {
  const bin = path.join(codeServerDir(), 'node_modules', '.bin', 'code-server');
  if (!fs.existsSync(bin)) {
    const script = path.join(repoRoot(), 'scripts', 'install-code-server.sh');
    const result = spawnSync('bash', [script], { stdio: 'inherit' });
    if (result.status !== 0 || !fs.existsSync(bin)) throw new Error(`installing code-server failed (${script})`);
  }
  return bin;
}

export interface CodeServerOptions {
  extensionsDir?: string;
  userDataDir?: string;
  /** Merged over the defaults that keep trust dialogs and the welcome page out of the way. */
  settings?: Record<string, unknown>;
  folder?: string;
  env?: Record<string, string | undefined>;
  /** Packaged extensions (.vsix) to install into extensionsDir before the server starts. */
  install?: string[];
  /** Defaults to a free port. */
  port?: number;
  host?: string;
}

export interface CodeServer {
  url: string;
  port: number;
  userDataDir: string;
  extensionsDir: string;
  close(): Promise<void>;
  logs(): string;
}

export const DEFAULT_SETTINGS: Record<string, unknown> = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  // Chat and gallery prompts would otherwise pop up over the workbench in a fresh profile.
  'chat.commandCenter.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'workbench.tips.enabled': false,
  // Test workspaces live inside the repository; git's "open the parent repository?" toast would cover views.
  'git.openRepositoryInParentFolders': 'never',
  // The tests' loopback stand-ins listen on local ports; "Your application running on port … is available"
  // toasts would cover views too.
  'remote.autoForwardPorts': false,
};

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.setTimeout(2000, () => req.destroy(new Error('timeout')));
  });
}

function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Kills a detached child and everything it started (the extension host, pty host, file watcher), even when
 * the child itself is already gone: its helpers can outlive it.
 */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* the whole group is gone */
  }
}

export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  const owned: string[] = [];
  const own = (dir: string | undefined, prefix: string) => {
    if (dir) return path.resolve(dir);
    const created = tempDir(prefix);
    owned.push(created);
    return created;
  };
  const userDataDir = own(options.userDataDir, 'visen-user-');
  const extensionsDir = own(options.extensionsDir, 'visen-ext-');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...options.settings }, null, 2));
  // A config file of its own, so code-server neither reads nor writes ~/.config/code-server.
  const configFile = path.join(userDataDir, 'code-server.yaml');
  fs.writeFileSync(configFile, 'auth: none\n');
  try {
    for (const vsix of options.install ?? []) await installExtension(vsix, extensionsDir, userDataDir);
  } catch (e) {
    for (const dir of owned) fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await freePort(host));
  const args = [
    '--config',
    configFile,
    '--auth',
    'none',
    '--bind-addr',
    `${host}:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--extensions-dir',
    extensionsDir,
    '--user-data-dir',
    userDataDir,
  ];
  if (options.folder) args.push(path.resolve(options.folder));

  const child = spawn(codeServerBin(), args, {
    // Own process group, so close() can take the extension host and its helpers down with it.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let output = '';
  child.stdout!.on('data', (d) => {
    output += d;
  });
  child.stderr!.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);

  const close = async () => {
    process.removeListener('exit', killOnExit);
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    killGroup(child, 'SIGKILL');
    for (const dir of owned) fs.rmSync(dir, { recursive: true, force: true });
  };

  const url = `http://${host}:${port}/`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await close();
      throw new Error(`code-server exited before serving (code ${child.exitCode}):\n${output}`);
    }
    try {
      if ((await httpStatus(`${url}healthz`)) < 500) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await close();
      throw new Error(`code-server did not answer on ${url} within 90 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }

  return { url, port, userDataDir, extensionsDir, close, logs: () => output };
}

/** Installs a packaged .vsix the way a user would (`code-server --install-extension`). */
export function installExtension(vsixPath: string, extensionsDir: string, userDataDir?: string): Promise<void> {
  const scratch = userDataDir ? undefined : tempDir('visen-install-');
  const args = [
    '--extensions-dir',
    path.resolve(extensionsDir),
    '--user-data-dir',
    userDataDir ?? scratch!,
    '--config',
    path.join(userDataDir ?? scratch!, 'code-server.yaml'),
    '--install-extension',
    path.resolve(vsixPath),
    '--force',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(codeServerBin(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
      if (code === 0 && !/Failed Installing Extensions/.test(output)) resolve();
      else reject(new Error(`installing ${vsixPath} failed (exit ${code}):\n${output}`));
    });
  });
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  // Containers often give /dev/shm 64 MB, which Chromium outgrows and then crashes its renderer.
  '--disable-dev-shm-usage',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.VISEN_CHROMIUM ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: process.env.VISEN_HEADED ? false : true,
  });
}

export interface WorkbenchUrlOptions {
  folder?: string;
  /** Extra `[name, value]` pairs for the workbench's `payload` (extension development and test paths). */
  payload?: [string, string][];
}

export function workbenchUrl(server: Pick<CodeServer, 'url'>, options: WorkbenchUrlOptions = {}): string {
  const url = new URL(server.url);
  if (options.folder) url.searchParams.set('folder', path.resolve(options.folder));
  if (options.payload) url.searchParams.set('payload', JSON.stringify(options.payload));
  return url.toString();
}

/** A path on the code-server machine as the workbench addresses it (its remote authority is host:port). */
export function remoteUri(server: Pick<CodeServer, 'url'>, absPath: string): string {
  return `vscode-remote://${new URL(server.url).host}${path.resolve(absPath)}`;
}

export async function openWorkbench(page: Page, url: string, timeout = 120_000): Promise<void> {
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout });
  // The status bar fills in once the workbench has restored its parts; before that keys go nowhere.
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout });
}

const quickInput = (page: Page) => page.locator('.quick-input-widget');

/**
 * Opens the Command Palette (closing whatever quick input is open first), retrying because early key
 * presses can land before the workbench has installed its keybindings. `focus` is clicked first instead of
 * the editor area's corner, for commands that only show when a particular editor is active.
 */
export async function openCommandPalette(page: Page, timeout = 30_000, focus?: Locator): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await quickInput(page).isVisible()) {
      await page.keyboard.press('Escape');
      await quickInput(page).waitFor({ state: 'hidden', timeout: 5000 });
    }
    // Focus the page without triggering anything: the editor area is inert when no editor is open, and
    // the status bar's corner (an easier target) is the remote indicator, which opens a quick pick.
    if (focus) await focus.click();
    else await page.locator('.monaco-workbench .part.editor').click({ position: { x: 20, y: 20 } });
    await page.keyboard.press('Control+Shift+P');
    try {
      await quickInput(page).waitFor({ state: 'visible', timeout: 3000 });
      // A webview that takes focus just after the click (when the click landed on its tab) closes the
      // palette again; only a palette still open a moment later counts.
      await page.waitForTimeout(200);
      if (await quickInput(page).isVisible()) return;
      if (Date.now() > deadline) throw new Error('the Command Palette closed again right after opening');
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
  }
}

/** Labels of the Command Palette's entries matching `query` (left open; press Escape to close). */
export async function paletteEntries(page: Page, query: string, timeout = 30_000, focus?: Locator): Promise<string[]> {
  await openCommandPalette(page, timeout, focus);
  const input = quickInput(page).locator('.quick-input-box input');
  await input.fill(`>${query}`);
  const rows = quickInput(page).locator('.quick-input-list .monaco-list-row');
  try {
    await rows.first().waitFor({ state: 'visible', timeout: 5000 });
  } catch {
    /* no entries */
  }
  return (await rows.locator('.label-name').allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim());
}

/**
 * Runs a command from the Command Palette by its title ("Visen: Generate to Notion Page"), waiting for
 * the entry to show up because contributed commands appear only once the extension host has scanned them.
 */
export async function runCommand(page: Page, title: string, timeout = 60_000, focus?: Locator): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const labels = await paletteEntries(page, title, timeout, focus);
    if (labels.includes(title)) break;
    if (Date.now() > deadline) throw new Error(`"${title}" is not in the Command Palette (saw: ${labels.join(' | ')})`);
    await page.keyboard.press('Escape');
    await page.waitForTimeout(1000);
  }
  const row = quickInput(page).locator('.quick-input-list .monaco-list-row', {
    has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`) }),
  });
  await row.first().click();
  await quickInput(page)
    .waitFor({ state: 'hidden', timeout: 5000 })
    .catch(() => {
      /* a follow-up quick input */
    });
}

/** Types into the open quick input (an input box or a quick pick filter) and accepts it with Enter. */
export async function typeInQuickInput(page: Page, text: string, timeout = 30_000): Promise<void> {
  const input = quickInput(page).locator('.quick-input-box input');
  await input.waitFor({ state: 'visible', timeout });
  await input.fill(text);
  await input.press('Enter');
}

/** Waits for a notification toast containing the text and returns its message. */
export async function waitForNotification(page: Page, text: string | RegExp, timeout = 60_000): Promise<string> {
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
  await toast.waitFor({ state: 'visible', timeout });
  return (await toast.locator('.notification-list-item-message').innerText()).trim();
}

export function artifactsDir(...sub: string[]): string {
  const dir = path.join(repoRoot(), 'test-artifacts', ...sub);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Saves test-artifacts/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(artifactsDir('screenshots'), `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path: file });
  return file;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
