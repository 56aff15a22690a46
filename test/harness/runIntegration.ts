// The offline twin of @vscode/test-electron's runTests: loads the extension from source into a real
// extension host (code-server) and runs out/test/integration/index.js's run() inside it, reporting through
// the browser console. Exits with the suite's exit code.
import * as fs from 'fs';
import * as path from 'path';
import * as util from 'util';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { CodeServer, artifactsDir, launchBrowser, openWorkbench, remoteUri, repoRoot, startCodeServer, workbenchUrl } from './codeServer';

const TIMEOUT_MS = Number(process.env.VISEN_INTEGRATION_TIMEOUT_MS ?? 15 * 60_000);
const VERBOSE = !!process.env.VISEN_VERBOSE;

/**
 * The extension host's console.log reaches the page through the workbench's log service, as
 * `console.log('%c INFO', 'color: …', ...originalArgs)`; the workbench's own start-up chatter arrives the
 * same way, so it is recognised by content and dropped.
 */
const WORKBENCH_CHATTER =
  /^(Resolving connection token|Resolved connection token|Creating a socket|\[Service Worker\]|Updating additional builtin extensions cache|ChatSessionStore|Started local extension host|Extension host)/;

async function formatConsoleArgs(message: ConsoleMessage): Promise<string | undefined> {
  const args = await Promise.all(message.args().map((arg) => arg.jsonValue().catch(() => String(arg))));
  if (typeof args[0] !== 'string' || !/^%c\s*(INFO|TRACE|DEBUG)\b/.test(args[0])) return undefined;
  const text = util.format(...args.slice(2));
  return WORKBENCH_CHATTER.test(text) ? undefined : text;
}

async function saveFailureArtifacts(root: string, page: Page | undefined, server: CodeServer | undefined): Promise<void> {
  const shot = path.join(artifactsDir(), 'integration-failure.png');
  const log = path.join(artifactsDir(), 'integration-code-server.log');
  if (page) await page.screenshot({ path: shot }).catch(() => undefined);
  if (server) fs.writeFileSync(log, server.logs());
  console.error(`screenshot ${path.relative(root, shot)}, code-server log ${path.relative(root, log)}`);
}

async function main(): Promise<number> {
  const root = repoRoot();
  const testsIndex = path.join(root, 'out', 'test', 'integration', 'index.js');
  for (const required of [path.join(root, 'dist', 'extension.js'), testsIndex]) {
    if (!fs.existsSync(required)) {
      console.error(`${path.relative(root, required)} is missing: run \`node esbuild.js --tests\` first`);
      return 1;
    }
  }
  const workspace = path.join(root, '.vscode-test', 'integration-workspace');
  fs.mkdirSync(workspace, { recursive: true });

  const started = Date.now();
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  let timer: NodeJS.Timeout | undefined;
  let output = Promise.resolve();
  let code = 1;
  try {
    server = await startCodeServer({ env: { VISEN_TEST: '1' } });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });

    const exitCode = new Promise<number>((resolve) => {
      timer = setTimeout(() => {
        console.error(`\nintegration tests did not finish within ${TIMEOUT_MS / 1000} s`);
        resolve(124);
      }, TIMEOUT_MS);
      // Must exist before the workbench loads: it calls this with run()'s outcome (0 when it resolved).
      void page!.exposeFunction('codeAutomationExit', (exit: number) => resolve(Number(exit)));
    });
    page.on('console', (message) => {
      // Arguments are read asynchronously; chaining keeps the report in order.
      output = output.then(async () => {
        const line = await formatConsoleArgs(message);
        if (line !== undefined) process.stdout.write(`${line}\n`);
        else if (VERBOSE) process.stdout.write(`[workbench ${message.type()}] ${message.text()}\n`);
      });
    });
    page.on('pageerror', (error) => {
      if (VERBOSE) console.error(`[workbench error] ${error.message}`);
    });

    const url = workbenchUrl(server, {
      folder: workspace,
      payload: [
        ['extensionDevelopmentPath', remoteUri(server, root)],
        ['extensionTestsPath', remoteUri(server, testsIndex)],
      ],
    });
    console.log(`code-server ${server.url} — running ${path.relative(root, testsIndex)}`);
    await openWorkbench(page, url);
    code = await exitCode;
    await output;
  } catch (error) {
    console.error(error);
  } finally {
    if (timer) clearTimeout(timer);
    if (code !== 0) {
      console.error(`integration run failed (exit ${code})`);
      await saveFailureArtifacts(root, page, server);
    }
    await browser?.close().catch(() => undefined);
    await server?.close();
  }
  console.log(`integration run took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return code;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
