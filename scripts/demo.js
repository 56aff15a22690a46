// `npm run demo`: the packaged extension in a local VS Code (code-server) wired to the loopback stand-ins
// for Notion, OpenAI and Gemini (test/fakes), so the whole flow can be tried without accounts or network.
// State lives in .vscode-test/demo/ and survives restarts; Ctrl+C stops everything.
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const readline = require('readline');

const root = path.join(__dirname, '..');
const demoDir = path.join(root, '.vscode-test', 'demo');
const port = Number(process.env.PORT ?? 8080);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(command, args, env = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** The first URL under a key naming the service, wherever the fakes' JSON line nests it. */
function urlFor(info, service) {
  const pattern = new RegExp(service, 'i');
  const visit = (value, keyMatched) => {
    if (typeof value === 'string') return keyMatched && /^https?:\/\//.test(value) ? value : undefined;
    if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        const found = visit(child, keyMatched || pattern.test(key));
        if (found) return found;
      }
    }
    return undefined;
  };
  const url = visit(info, false);
  if (!url) throw new Error(`the fakes did not report a ${service} URL: ${JSON.stringify(info)}`);
  return url;
}

/** Starts the fakes and resolves with the JSON line they print once listening. */
function startFakes() {
  const child = spawn(process.execPath, ['--enable-source-maps', path.join(root, 'out', 'test', 'fakes', 'standalone.js')], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    let ready = false;
    lines.on('line', (line) => {
      if (ready) return void console.log(`[fakes] ${line}`);
      try {
        const info = JSON.parse(line);
        ready = true;
        resolve({ child, info });
      } catch {
        console.log(`[fakes] ${line}`);
      }
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (!ready) reject(new Error(`the fakes exited (code ${code}) before reporting their URLs`));
    });
  });
}

function samplePages(info) {
  if (!Array.isArray(info.pages) || info.pages.length === 0) return '';
  const lines = info.pages.map((page) => `    ${page.title}  ${page.url}`);
  return `\n\n  Sample pages in the stand-in Notion:\n${lines.join('\n')}`;
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
}

async function main() {
  run(npm, ['run', '--silent', 'package']);
  run(process.execPath, ['esbuild.js', '--tests'], { VISEN_TEST_BUNDLES: 'fakes,harness' });
  if (!fs.existsSync(path.join(root, 'out', 'test', 'fakes', 'standalone.js'))) {
    throw new Error('out/test/fakes/standalone.js was not built: test/fakes/standalone.ts is missing');
  }
  const { startCodeServer } = require(path.join(root, 'out', 'test', 'harness', 'codeServer.js'));

  const fakes = await startFakes();
  let server;
  let stopping = false;
  const stop = async (code) => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping…');
    await server?.close().catch(() => undefined);
    fakes.child.kill('SIGTERM');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  fakes.child.on('exit', (code) => {
    if (!stopping) {
      console.error(`the fakes exited (code ${code})`);
      void stop(1);
    }
  });

  const userDataDir = path.join(demoDir, 'user-data');
  const workspace = path.join(demoDir, 'workspace');
  fs.mkdirSync(workspace, { recursive: true });
  const settings = {
    // Whatever was changed in the window last time stays; only the endpoints are pinned to the fakes.
    ...readJson(path.join(userDataDir, 'User', 'settings.json')),
    'visen.notion.apiBaseUrl': urlFor(fakes.info, 'notion'),
    'visen.openai.baseUrl': urlFor(fakes.info, 'openai'),
    'visen.gemini.baseUrl': urlFor(fakes.info, 'gemini'),
  };
  server = await startCodeServer({
    port,
    userDataDir,
    extensionsDir: path.join(demoDir, 'extensions'),
    install: [path.join(root, 'dist', 'visen.vsix')],
    settings,
    folder: workspace,
  });

  console.log(`
Visen demo is running.

  Open  http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}

  Notion, OpenAI and Gemini are local stand-ins:
    Notion  ${settings['visen.notion.apiBaseUrl']}
    OpenAI  ${settings['visen.openai.baseUrl']}
    Gemini  ${settings['visen.gemini.baseUrl']}
  Any non-empty value works as the Notion secret and as an API key.${samplePages(fakes.info)}

Press Ctrl+C to stop.`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
