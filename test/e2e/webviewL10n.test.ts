// The two webview forms speak the language of the bundle their host puts on <body> (`data-l10n`, see
// src/views/formPanel.ts), and nothing they show escapes it. The built bundles (dist/webview/*.js) load
// in a static page from a loopback server, under the same kind of CSP as in VS Code, with a stub
// `acquireVsCodeApi` that records what the page posts and answers as the form controllers do. With a
// pseudo-locale made from l10n/bundle.l10n.json, where every translation is `⟦…⟧`, every text node,
// placeholder, aria-label and title must be wrapped, apart from the data the stub's messages carried. With
// no bundle the forms show their English labels. No code-server: a few seconds.
import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';
import type { FormState, HistoryItem, HostMessage, ReplyResults, WebviewMessage } from '../../src/views/connectionProtocol';
import type { ModelList, SaveResult, SettingsHostMessage, SettingsState, SettingsWebviewMessage } from '../../src/views/settingsProtocol';
import { launchBrowser, repoRoot } from '../harness/codeServer';
import { webviewPage } from '../../src/views/webviewPage';

type Bundle = Record<string, string | { message: string; comment: string[] }>;
type Form = 'settings' | 'connection';

const root = repoRoot();
const sourceBundle = JSON.parse(fs.readFileSync(path.join(root, 'l10n', 'bundle.l10n.json'), 'utf8')) as Bundle;

/** Every translation of the source bundle wrapped in ⟦…⟧, placeholders kept. */
const PSEUDO: Bundle = Object.fromEntries(
  Object.entries(sourceBundle).map(([key, entry]) => [
    key,
    typeof entry === 'string' ? `⟦${entry}⟧` : { ...entry, message: `⟦${entry.message}⟧` },
  ]),
);

function format(message: string, args: readonly (string | number)[]): string {
  return message.replace(/\{(\d+)\}/g, (match, i: string) => (args[Number(i)] === undefined ? match : String(args[Number(i)])));
}

/**
 * The host's side of a language: what `vscode.l10n.t` returns for `message` with `bundle` loaded. The host's
 * strings come from the same l10n/bundle.l10n.json, so a message missing there is a mistake in this test.
 */
function hostT(bundle: Bundle, message: string, ...args: (string | number)[]): string {
  assert.ok(message in sourceBundle, `the host string "${message}" is not in l10n/bundle.l10n.json`);
  const entry = bundle[message];
  return format(typeof entry === 'string' ? entry : (entry?.message ?? message), args);
}

// ---- what the stub host sends ------------------------------------------------------------------------

const NOTION_URL = 'https://www.notion.so/acme/Launch-Plan-0123456789abcdef0123456789abcdef';
const DATABASE_URL = 'https://www.notion.so/acme/0123456789abcdef0123456789abcdef?v=fedcba9876543210fedcba9876543210';
const MARKDOWN = 'Launch plan body text';
const PROMPT = 'A one-page brief for the launch';
const CREATED_AT = '2025-05-01T10:00:00.000Z';

/**
 * What the stub's messages carry that the forms show as it is: a text shown anywhere, or only in the element
 * `where` describes (as `shownTexts` writes it), so that data cannot hide a label of the form's own.
 */
type Data = string | { readonly text: string; readonly where: string };

function settingsState(t: (message: string, ...args: (string | number)[]) => string): SettingsState {
  return {
    values: {
      connectionsDatabase: DATABASE_URL,
      engine: 'gemini',
      openaiBaseUrl: '',
      geminiBaseUrl: '',
      notionApiBaseUrl: 'http://127.0.0.1:8931/notion',
      writeMode: 'replace',
      instructions: 'Write for engineers.',
      promptBudget: 25,
    },
    keys: [
      { name: 'notion', label: t('Notion token'), set: true },
      { name: 'gemini', label: t('{0} API key', 'Gemini'), set: true },
      { name: 'openai', label: t('{0} API key', 'OpenAI'), set: false },
    ],
    engines: settingsEngines(t),
  };
}

/** The engines as the host lists them from the registry: one model row each, with its key field and base URL field. */
function settingsEngines(t: (message: string, ...args: (string | number)[]) => string): SettingsState['engines'] {
  return [
    {
      kind: 'gemini',
      label: 'Google Gemini',
      setting: 'visen.gemini.model',
      model: 'gemini-2.5-pro',
      defaultModel: 'gemini-2.5-flash',
      suggestedModels: ['gemini-2.5-flash', 'gemini-2.5-pro'],
      keyName: 'Gemini',
      keyField: {
        title: t('{0} API key', 'Gemini'),
        hint: t('Paste a Gemini API key from Google AI Studio (aistudio.google.com/apikey).'),
        removeLabel: t('Remove the {0} API key', 'Gemini'),
      },
      endpoint: {
        field: 'geminiBaseUrl',
        label: t('{0} base URL', 'Gemini'),
        hint: t('A proxy or gateway for Gemini.'),
        placeholder: 'https://generativelanguage.googleapis.com',
      },
    },
    {
      kind: 'openai',
      label: 'OpenAI',
      setting: 'visen.openai.model',
      model: 'gpt-4.1-mini',
      defaultModel: 'gpt-4.1-mini',
      suggestedModels: ['gpt-4.1-mini'],
      keyName: 'OpenAI',
      keyField: {
        title: t('{0} API key', 'OpenAI'),
        hint: t('Paste an OpenAI API key from platform.openai.com/api-keys, or the key of your OpenAI-compatible server.'),
        removeLabel: t('Remove the {0} API key', 'OpenAI'),
      },
      endpoint: {
        field: 'openaiBaseUrl',
        label: t('{0} base URL', 'OpenAI'),
        placeholder: 'https://api.openai.com/v1',
        hint: t('Any OpenAI-compatible server: Azure, Ollama (http://localhost:11434/v1), LM Studio, a proxy.'),
      },
    },
    {
      kind: 'vscode-lm',
      label: 'VS Code Language Models',
      setting: 'visen.vscodeLm.model',
      model: '',
      defaultModel: '',
      suggestedModels: [],
    },
  ];
}

const MODEL_LIST: ModelList = { engine: 'gemini', models: [{ id: 'gemini-2.5-pro', label: 'Gemini 2.5 Pro' }, { id: 'gemini-2.5-flash' }] };

function connectionStates(t: (message: string, ...args: (string | number)[]) => string) {
  const base: FormState = {
    notionSecretSet: false,
    setNotionSecret: { command: 'visen.setNotionSecret', label: t('Set Notion Token') },
    engines: [
      {
        kind: 'gemini',
        label: 'Google Gemini',
        keySet: false,
        defaultModel: 'gemini-2.5-flash',
        suggestedModels: ['gemini-2.5-flash', 'gemini-2.5-pro'],
        setKey: { command: 'visen.setGeminiKey', label: t('Set Gemini API Key') },
      },
      {
        kind: 'openai',
        label: 'OpenAI',
        keySet: true,
        defaultModel: 'gpt-4.1-mini',
        suggestedModels: ['gpt-4.1-mini'],
        setKey: { command: 'visen.setOpenAIKey', label: t('Set OpenAI API Key') },
      },
    ],
    defaultEngine: 'gemini',
    defaultWriteMode: 'append',
    history: [],
  };
  const history: HistoryItem[] = [
    {
      id: 'r2',
      prompt: PROMPT,
      createdAt: CREATED_AT,
      when: '2 hours ago',
      engine: 'Google Gemini · gemini-2.5-pro',
      blocks: 7,
      writtenBlocks: 7,
      status: 'written',
      statusLabel: t('Written · {0}', t('{0} blocks', 7)),
      mode: 'replace',
      undone: false,
      canUndo: true,
      canRetry: false,
    },
    {
      id: 'r1',
      prompt: 'An earlier brief',
      createdAt: '2025-04-30T09:00:00.000Z',
      when: 'yesterday',
      engine: 'OpenAI · gpt-4.1-mini',
      blocks: 7,
      writtenBlocks: 3,
      status: 'writeFailed',
      statusLabel: t('{0} · undone', t('Write failed · {0} of {1} blocks written', 3, 7)),
      mode: 'append',
      undone: true,
      canUndo: false,
      canRetry: true,
    },
  ];
  const page: FormState = {
    ...base,
    notionSecretSet: true,
    connection: {
      id: 'c1',
      name: 'Launch Plan',
      type: 'page',
      typeLabel: 'Notion Page',
      target: { title: 'Launch Plan', url: NOTION_URL },
      engine: 'gemini',
      model: 'gemini-2.5-pro',
      writeMode: 'replace',
      usage: `${t('{0} prompts', 3)} · 2 hours ago`,
    },
    history,
    run: {
      runId: 1,
      kind: 'generate',
      running: false,
      prompt: PROMPT,
      text: MARKDOWN,
      result: {
        status: 'written',
        message: t('Wrote {0} blocks to "{1}".', 7, 'Launch Plan'),
        recordId: 'r2',
        pageTitle: 'Launch Plan',
        writtenBlocks: 7,
        blocks: 7,
        canOpen: true,
        canRetry: false,
        warning: t('The connections database in Notion was not updated: {0}', 'Notion is unavailable'),
      },
    },
  };
  const database: FormState = {
    ...base,
    connection: {
      id: 'c2',
      name: 'Launch Tracker',
      type: 'database',
      typeLabel: 'Notion Database',
      target: { title: 'Launch Tracker', url: DATABASE_URL },
      engine: 'openai',
      model: 'gpt-4.1-mini',
      writeMode: 'append',
      lastPrompt: PROMPT,
      usage: t('No prompts yet'),
    },
  };
  const validation: ReplyResults['validate'] = {
    ok: true,
    id: '0123456789abcdef0123456789abcdef',
    title: 'Launch Plan',
    url: NOTION_URL,
    existingConnection: 'Launch Plan (team)',
  };
  return { base, page, database, validation };
}

/**
 * The settings form's data: model names from the state (placeholders) and from the model list, and the
 * engines' names from the registry (in the engine select).
 */
const SETTINGS_DATA: readonly Data[] = [
  'gemini-2.5-pro',
  'gemini-2.5-flash',
  'gpt-4.1-mini',
  'Gemini 2.5 Pro',
  { text: 'Google Gemini', where: 'option' },
  { text: 'OpenAI', where: 'option' },
  { text: 'VS Code Language Models', where: 'option' },
  // The official addresses, shown in the empty base URL fields.
  { text: 'https://generativelanguage.googleapis.com', where: 'input#geminiBaseUrl.input[placeholder]' },
  { text: 'https://api.openai.com/v1', where: 'input#openaiBaseUrl.input[placeholder]' },
];

/**
 * The connection form's data: Notion titles and links, prompts, generated text, model names, the relative
 * times the host formats with Intl, a service's own error text, and the labels the host passes on without
 * vscode.l10n.t (engine names; the connection type, on its badge only).
 */
const CONNECTION_DATA: readonly Data[] = [
  'Launch Plan',
  'Launch Plan (team)',
  'Launch Tracker',
  NOTION_URL,
  DATABASE_URL,
  PROMPT,
  'An earlier brief',
  MARKDOWN,
  'Google Gemini · gemini-2.5-pro',
  'OpenAI · gpt-4.1-mini',
  'Google Gemini',
  'OpenAI',
  'Notion is unavailable',
  '2 hours ago',
  'yesterday',
  { text: 'Notion Page', where: 'span#target-type.badge' },
  { text: 'Notion Database', where: 'span#target-type.badge' },
];

// ---- the page ----------------------------------------------------------------------------------------

interface StubReply {
  readonly result: unknown;
  /** Sent right after the reply, as the controllers follow `create` and `save` with a fresh state. */
  readonly then?: unknown;
  /** Kept until the test calls `__stub.release(type)`. */
  readonly hold?: boolean;
}

interface StubConfig {
  readonly ready: unknown;
  readonly replies: Readonly<Record<string, StubReply>>;
}

/** Runs in the page before its scripts: VS Code's webview API, answering like the host. */
function installStub(config: StubConfig): void {
  const w = globalThis as any;
  const posted: unknown[] = [];
  const held = new Map<string, () => void>();
  const send = (message: unknown) => w.postMessage(message, '*');
  let state: unknown;
  w.__stub = {
    posted,
    send,
    release(type: string) {
      held.get(type)?.();
      held.delete(type);
    },
  };
  w.acquireVsCodeApi = () => ({
    postMessage(message: { type: string; requestId?: number }) {
      posted.push(message);
      if (message.type === 'ready') setTimeout(() => send(config.ready), 0);
      const reply = config.replies[message.type];
      if (!reply || message.requestId === undefined) return;
      const answer = () => {
        send({ type: 'reply', requestId: message.requestId, ok: true, result: reply.result });
        if (reply.then) setTimeout(() => send(reply.then), 0);
      };
      if (reply.hold) held.set(message.type, answer);
      else setTimeout(answer, 0);
    },
    getState: () => state,
    setState: (next: unknown) => (state = next),
  });
}

/** The page exactly as Visen's webview panels build it, with this server's addresses. */
function pageHtml(form: Form, bundle: Bundle, lang: string, origin: string): string {
  return webviewPage({
    nonce: 'l10n-test-nonce',
    cspSource: origin,
    scriptUri: `${origin}/dist/webview/${form}.js`,
    styleUris: [`${origin}/media/webview/shared/form.css`, `${origin}/media/webview/${form}.css`],
    title: 'Visen',
    lang,
    l10nBundle: bundle,
  });
}

/** Serves the pages and the built assets, from the repository, on a loopback port. */
function serve(): Promise<{ url: string; close(): Promise<void> }> {
  const bundles: Record<string, Bundle> = { pseudo: PSEUDO, en: {} };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const page = /^\/form\/(settings|connection)$/.exec(url.pathname);
    if (page) {
      const locale = url.searchParams.get('l10n') ?? 'en';
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(pageHtml(page[1] as Form, bundles[locale], locale === 'pseudo' ? 'qps-ploc' : 'en', `http://${req.headers.host}`));
      return;
    }
    if (url.pathname === '/favicon.ico') {
      // A browser tab asks for one (the page's CSP lets images come from this server); a webview does not.
      res.writeHead(204).end();
      return;
    }
    const asset = /^\/(dist\/webview\/\w+\.js|media\/webview\/(?:shared\/)?\w+\.css)$/.exec(url.pathname);
    const file = asset && path.join(root, asset[1]);
    if (!file || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/css' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    ),
  );
}

interface Shown {
  readonly where: string;
  readonly text: string;
}

/** Every non-empty text node, placeholder, aria-label and title in the page's body. */
function shownTexts(page: Page): Promise<Shown[]> {
  return page.evaluate(() => {
    const d = (globalThis as any).document;
    const out: { where: string; text: string }[] = [];
    const describe = (el: any) =>
      `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}`;
    const walker = d.createTreeWalker(d.body, 4 /* NodeFilter.SHOW_TEXT */);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.closest('script, style')) continue;
      if (node.data.trim()) out.push({ where: describe(parent), text: node.data.trim() });
    }
    for (const el of d.body.querySelectorAll('*')) {
      for (const attr of ['placeholder', 'aria-label', 'title']) {
        const value = el.getAttribute(attr);
        if (value && value.trim()) out.push({ where: `${describe(el)}[${attr}]`, text: value.trim() });
      }
    }
    return out;
  });
}

/**
 * What of a shown text escaped localisation: letters left once the ⟦…⟧ parts (innermost first, as a
 * translation may carry another as an argument) and the data the host sent are taken out.
 */
function unwrapped({ where, text }: Shown, data: readonly Data[]): string | undefined {
  let rest = text;
  for (let before = ''; before !== rest;) {
    before = rest;
    rest = rest.replace(/⟦[^⟦⟧]*⟧/g, ' ');
  }
  const here = data.flatMap((d) => (typeof d === 'string' ? [d] : d.where === where ? [d.text] : []));
  for (const value of here.sort((a, b) => b.length - a.length)) rest = rest.split(value).join(' ');
  return /\p{L}/u.test(rest) ? rest.replace(/\s+/g, ' ').trim() : undefined;
}

async function assertAllLocalised(page: Page, checkpoint: string, data: readonly Data[]): Promise<void> {
  const shown = await shownTexts(page);
  assert.ok(shown.length > 10, `${checkpoint}: the form rendered (${shown.length} texts)`);
  const escaped = shown.flatMap((s) => {
    const rest = unwrapped(s, data);
    return rest === undefined ? [] : [`${s.where}: "${s.text}" (unlocalised: "${rest}")`];
  });
  assert.deepStrictEqual(escaped, [], `${checkpoint}: text that is not localised`);
  const unformatted = shown.filter(({ text }) => /\{\d+\}/.test(text)).map(({ where, text }) => `${where}: ${text}`);
  assert.deepStrictEqual(unformatted, [], `${checkpoint}: a placeholder left unfilled`);
}

async function text(page: Page, selector: string): Promise<string> {
  return ((await page.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

async function posted(page: Page): Promise<{ type: string; [key: string]: unknown }[]> {
  return page.evaluate(() => (globalThis as any).__stub.posted);
}

async function send(page: Page, message: HostMessage | SettingsHostMessage): Promise<void> {
  await page.evaluate((m) => (globalThis as any).__stub.send(m), message);
}

/** The dates the connection form writes itself (history titles), as this page's language formats them. */
async function pageDates(page: Page, isos: readonly string[]): Promise<string[]> {
  return page.evaluate(
    (list) =>
      list.flatMap((iso) => {
        const lang = (globalThis as any).document.documentElement.lang;
        try {
          return [new Date(iso).toLocaleString(lang || undefined)];
        } catch {
          return [new Date(iso).toLocaleString()];
        }
      }),
    isos,
  );
}

// ---- the tests ---------------------------------------------------------------------------------------

describe('webview forms: localisation', function () {
  this.timeout(60_000);
  let browser: Browser | undefined;
  let server: Awaited<ReturnType<typeof serve>> | undefined;
  let page: Page | undefined;

  before(async function () {
    for (const form of ['settings', 'connection']) {
      const bundle = path.join(root, 'dist', 'webview', `${form}.js`);
      if (!fs.existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npm run build\` first`);
    }
    server = await serve();
    browser = await launchBrowser();
  });

  after(async function () {
    await browser?.close();
    await server?.close();
  });

  afterEach(async function () {
    await page?.close();
    page = undefined;
  });

  async function open(form: Form, locale: 'pseudo' | 'en', config: StubConfig): Promise<Page> {
    page = await browser!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.addInitScript(installStub, config);
    await page.goto(`${server!.url}/form/${form}?l10n=${locale}`);
    await page.waitForFunction(() => (globalThis as any).__stub?.posted.some((m: { type: string }) => m.type === 'ready'));
    assert.deepStrictEqual(errors, [], 'the page loads without errors (CSP included)');
    return page;
  }

  describe('settings form', () => {
    function config(bundle: Bundle): { config: StubConfig } {
      const t = (message: string, ...args: (string | number)[]) => hostT(bundle, message, ...args);
      const state = settingsState(t);
      const saveResult: SaveResult = {
        errors: { geminiBaseUrl: t('Only http:// and https:// addresses work here.') },
        saved: ['instructions'],
        message: t('Saved, except the fields marked below.'),
      };
      const ready: SettingsHostMessage = { type: 'state', state };
      return {
        config: {
          ready,
          replies: { listModels: { result: MODEL_LIST }, save: { result: saveResult, then: ready, hold: true } },
        },
      };
    }

    it('in a pseudo-locale, shows nothing that is not localised', async () => {
      const { config: stub } = config(PSEUDO);
      const data = SETTINGS_DATA;
      const page = await open('settings', 'pseudo', stub);
      await page.locator('#key-notion-status[data-set="true"]').waitFor();
      await page.locator('#advanced summary').click();
      await assertAllLocalised(page, 'first render', data);
      // The hints are built while main.ts's module body runs: the bundle was loaded before it.
      assert.match(await text(page, '#key-notion-hint'), /^⟦A personal access token/);

      // One model row per engine the host lists, each with its own hint (a key set, a key not set, no key).
      assert.deepStrictEqual(await page.locator('.engine-model').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-engine'))), [
        'gemini',
        'openai',
        'vscode-lm',
      ]);

      // Choose… lists the models the key can use (a request answered by the stub host).
      await page.locator('#choose-model-gemini').click();
      await page.locator('#model-list-gemini:not([hidden])').waitFor();
      await assertAllLocalised(page, 'model list', data);

      // Another engine chosen.
      await page.locator('#engine').selectOption('openai');
      await assertAllLocalised(page, 'another engine', data);
      await page.locator('#engine').selectOption('gemini');

      // A budget the form itself refuses.
      await page.locator('#promptBudget').fill('-1');
      await page.locator('#save').click();
      await page.locator('#promptBudget-error:not(:empty)').waitFor();
      await assertAllLocalised(page, 'a field error of the form', data);

      // A save in progress, then the host's answer with an error next to a field.
      await page.locator('#promptBudget').fill('30');
      await page.locator('#save').click();
      await page.locator('#status.is-busy').waitFor();
      await assertAllLocalised(page, 'saving', data);
      await page.evaluate(() => (globalThis as any).__stub.release('save'));
      await page.locator('#status.is-error').waitFor();
      await page.locator('#geminiBaseUrl-error:not(:empty)').waitFor();
      await assertAllLocalised(page, 'saved with an error', data);

      const types = (await posted(page)).map((m) => m.type);
      assert.deepStrictEqual(types, ['ready', 'listModels', 'save'], 'what the page posted');
      const save = (await posted(page)).find(
        (m): m is Extract<SettingsWebviewMessage, { type: 'save' }> & { type: string } => m.type === 'save',
      )!;
      assert.deepStrictEqual(save.settings, { promptBudget: 30 });
    });

    it('with no bundle, shows its English labels', async () => {
      const { config: stub } = config({});
      const page = await open('settings', 'en', stub);
      await page.locator('#key-notion-status[data-set="true"]').waitFor();
      assert.strictEqual(await text(page, '#heading'), 'Visen Settings');
      assert.strictEqual(await text(page, 'label[for="connectionsDatabase"]'), 'Connections database');
      assert.strictEqual(
        await text(page, '#key-notion-hint'),
        "A personal access token (notion.so/developers/tokens) or an internal integration's secret (notion.so/profile/integrations).",
      );
      assert.strictEqual(await text(page, '#key-notion-status'), '✓ Set');
      assert.strictEqual(await text(page, '#key-openai-status'), 'Not set');
      assert.strictEqual(await page.locator('#remove-gemini').getAttribute('aria-label'), 'Remove the Gemini API key');
      assert.strictEqual(await page.locator('#connectionsDatabase').getAttribute('placeholder'), 'https://www.notion.so/…?v=…');
      assert.strictEqual(
        await text(page, '#model-gemini-hint'),
        'The Google Gemini model Visen generates with. Choose… lists those your key can use, current ones first.',
      );
      assert.strictEqual(
        await text(page, '#model-openai-hint'),
        'The OpenAI model Visen generates with. Save your OpenAI key to list the models it can use.',
      );
      assert.strictEqual(await text(page, 'label[for="model-vscode-lm"]'), 'Model for VS Code Language Models');
      assert.strictEqual(await page.locator('#model-vscode-lm').getAttribute('placeholder'), 'The first model VS Code offers');
      assert.strictEqual(await text(page, '#engine option[value="vscode-lm"]'), 'VS Code Language Models');
      assert.strictEqual(await text(page, '#save'), 'Save');
      await page.locator('#choose-model-gemini').click();
      await page.locator('#model-list-gemini:not([hidden])').waitFor();
      assert.strictEqual(await text(page, '#model-list-gemini option'), '2 models your Gemini key can use…');
      const shown = await shownTexts(page);
      assert.deepStrictEqual(
        shown.filter((s) => /[⟦⟧]/.test(s.text)),
        [],
      );
    });

    it("sends each engine's model, typed or chosen in its own row, under that engine", async () => {
      const { config: stub } = config({});
      const page = await open('settings', 'en', stub);
      await page.locator('#model-gemini').waitFor();
      assert.strictEqual(await page.locator('#model-gemini').inputValue(), 'gemini-2.5-pro', 'the saved model of each engine');
      assert.strictEqual(await page.locator('#model-vscode-lm').inputValue(), '');
      await page.locator('#model-vscode-lm').pressSequentially('copilot-gpt-4o');
      await page.locator('#model-openai').fill('gpt-4o');
      await page.locator('#choose-model-gemini').click();
      await page.locator('#model-list-gemini:not([hidden])').selectOption('gemini-2.5-flash');
      assert.strictEqual(
        await page.locator('#model-gemini').inputValue(),
        'gemini-2.5-flash',
        'the model chosen from the list is in the field',
      );
      await page.locator('#save').click();
      await page.locator('#status.is-busy').waitFor();
      await page.evaluate(() => (globalThis as any).__stub.release('save'));
      await page.locator('#status.is-error').waitFor();
      const save = (await posted(page)).find(
        (m): m is Extract<SettingsWebviewMessage, { type: 'save' }> & { type: string } => m.type === 'save',
      )!;
      assert.deepStrictEqual(save.models, { 'vscode-lm': 'copilot-gpt-4o', openai: 'gpt-4o', gemini: 'gemini-2.5-flash' });
      assert.deepStrictEqual(save.settings, {});
    });

    it("gives an engine the host lists its key and base URL fields, and sends them under that engine's names", async () => {
      // An engine the page has never heard of: all it knows of it comes from the state, as from the registry.
      const t = (message: string, ...args: (string | number)[]) => hostT({}, message, ...args);
      const base = settingsState(t);
      const extra = {
        kind: 'mistral',
        label: 'Mistral',
        setting: 'visen.mistral.model',
        model: 'mistral-small',
        defaultModel: 'mistral-small',
        suggestedModels: [],
        keyName: 'Mistral',
        keyField: { title: 'Mistral API key', hint: 'From console.mistral.ai.', removeLabel: 'Remove the Mistral API key' },
        endpoint: {
          field: 'mistralBaseUrl',
          label: 'Mistral base URL',
          hint: 'A proxy for Mistral.',
          placeholder: 'https://api.mistral.ai/v1',
        },
      } as unknown as SettingsState['engines'][number];
      const state = {
        ...base,
        values: { ...base.values, mistralBaseUrl: '' },
        keys: [...base.keys, { name: 'mistral', label: 'Mistral API key', set: true }],
        engines: [...base.engines, extra],
      } as SettingsState;
      const saved: SaveResult = { errors: {}, saved: [], message: 'Saved.' };
      const page = await open('settings', 'en', { ready: { type: 'state', state }, replies: { save: { result: saved } } });
      await page.locator('#key-mistral-status[data-set="true"]').waitFor();
      assert.deepStrictEqual(await page.locator('.key-field').evaluateAll((fields) => fields.map((f) => f.getAttribute('data-key'))), [
        'notion',
        'gemini',
        'openai',
        'mistral',
      ]);
      assert.strictEqual(await text(page, 'label[for="key-mistral"]'), 'Mistral API key');
      assert.strictEqual(await text(page, '#key-mistral-hint'), 'From console.mistral.ai.');
      assert.strictEqual(await page.locator('#remove-mistral').getAttribute('aria-label'), 'Remove the Mistral API key');
      assert.strictEqual(await page.locator('#remove-mistral').isDisabled(), false, 'its key is set: Remove works');
      await page.locator('#advanced summary').click();
      assert.strictEqual(await text(page, 'label[for="mistralBaseUrl"]'), 'Mistral base URL');
      assert.strictEqual(await page.locator('#mistralBaseUrl').getAttribute('placeholder'), 'https://api.mistral.ai/v1');

      await page.locator('#key-mistral').fill('mk-typed-key');
      await page.locator('#mistralBaseUrl').fill('https://proxy.example.com/v1');
      await page.locator('#save').click();
      await page.locator('#status.is-ok').waitFor();
      const save = (await posted(page)).find(
        (m): m is Extract<SettingsWebviewMessage, { type: 'save' }> & { type: string } => m.type === 'save',
      )!;
      assert.deepStrictEqual(save.keys, { mistral: 'mk-typed-key' });
      assert.deepStrictEqual(save.settings, { mistralBaseUrl: 'https://proxy.example.com/v1' });
      assert.strictEqual(await page.locator('#key-mistral').inputValue(), '', 'the typed key is not kept in the page');

      await page.locator('#remove-mistral').click();
      await page.waitForFunction(() => (globalThis as any).__stub.posted.some((m: { type: string }) => m.type === 'removeKey'));
      assert.deepStrictEqual(
        (await posted(page)).filter((m) => m.type === 'removeKey'),
        [{ type: 'removeKey', key: 'mistral' }],
      );
    });
  });

  describe('connection form', () => {
    function config(bundle: Bundle) {
      const t = (message: string, ...args: (string | number)[]) => hostT(bundle, message, ...args);
      const states = connectionStates(t);
      const ready: HostMessage = { type: 'state', state: states.base };
      const stub: StubConfig = {
        ready,
        replies: {
          validate: { result: states.validation },
          create: {
            result: { connectionId: 'c1' } satisfies ReplyResults['create'],
            then: { type: 'state', state: states.page } satisfies HostMessage,
          },
          historyContent: { result: MARKDOWN satisfies ReplyResults['historyContent'] },
        },
      };
      return { stub, states };
    }

    it('in a pseudo-locale, shows nothing that is not localised', async () => {
      const { stub, states } = config(PSEUDO);
      const page = await open('connection', 'pseudo', stub);
      const all = [
        ...CONNECTION_DATA,
        ...(await pageDates(
          page,
          states.page.history.map((h) => h.createdAt),
        )),
      ];

      // Step 1, before the Notion secret is set.
      await page.locator('body[data-step="connect"]').waitFor();
      await page.locator('#url-validation.is-error').waitFor();
      await assertAllLocalised(page, 'step 1 without a secret', all);

      // A URL checked by the host: a connection for it exists already.
      await page.locator('#url').fill(NOTION_URL);
      await page.locator('#url-validation.is-ok').waitFor();
      await assertAllLocalised(page, 'step 1 with a checked URL', all);

      // Next: the host creates the connection and sends step 2, with a finished run and the history.
      await page.locator('#next').click();
      await page.locator('body[data-step="generate"]').waitFor();
      await page.locator('.history-item[data-record-id="r2"] summary').click();
      await page.locator('.history-item[data-record-id="r2"] .history-content p').waitFor();
      await assertAllLocalised(page, 'step 2 with a result and the history', all);

      // A retried write in progress.
      await send(page, { type: 'runStarted', run: { runId: 2, kind: 'retryWrite', running: true, prompt: PROMPT, text: '' } });
      await page.locator('#progress:not([hidden])').waitFor();
      await assertAllLocalised(page, 'a write in progress', all);

      // A database connection, no history yet, and no Notion secret any more.
      await send(page, {
        type: 'result',
        runId: 2,
        result: { status: 'cancelled', message: hostT(PSEUDO, 'Generation cancelled.'), canOpen: false, canRetry: false },
      });
      await send(page, { type: 'state', state: states.database });
      await page.locator('#database-notice:not([hidden])').waitFor();
      await page.locator('.history-empty').waitFor();
      await assertAllLocalised(page, 'a database connection', all);

      const types = (await posted(page)).map((m) => m.type);
      assert.deepStrictEqual(
        types.filter((t) => t !== 'validate'),
        ['ready', 'create', 'historyContent'],
        'what the page posted',
      );
      const create = (await posted(page)).find((m) => m.type === 'create') as Extract<WebviewMessage, { type: 'create' }> | undefined;
      assert.deepStrictEqual(create && { url: create.url, connectionType: create.connectionType }, {
        url: NOTION_URL,
        connectionType: 'page',
      });
    });

    it('with no bundle, shows its English labels', async () => {
      const { stub } = config({});
      const page = await open('connection', 'en', stub);
      await page.locator('body[data-step="connect"]').waitFor();
      assert.strictEqual(await text(page, '#heading'), 'New Connection');
      assert.strictEqual(await text(page, 'label[for="url"]'), 'Notion URL');
      assert.strictEqual(await text(page, '#type option[value="database"]'), 'Notion Database');
      assert.strictEqual(await page.locator('#name').getAttribute('placeholder'), 'Defaults to the page title');
      assert.strictEqual(await text(page, '#url-validation .message'), 'Visen needs your Notion token first.');
      assert.strictEqual(await text(page, '#next'), 'Next');
      await page.locator('#url').fill(NOTION_URL);
      await page.locator('#url-validation.is-ok').waitFor();
      assert.strictEqual(await text(page, '#url-validation .hint-inline'), '— already connected as “Launch Plan (team)”: Next opens it.');
      await page.locator('#next').click();
      await page.locator('body[data-step="generate"]').waitFor();
      assert.strictEqual(
        await text(page, '#prompt-hint'),
        'Describe the content; Visen writes it as formatted Notion blocks. Ctrl+Enter generates. Variables: ${selection} ${file} ${fileName} ${language} ${workspaceFolder} ${gitDiff} ${date} {{page}}',
      );
      assert.strictEqual(
        await text(page, '#key-notice > span'),
        "Visen needs your Google Gemini API key to generate with it. It is kept in VS Code's secret storage.",
      );
      assert.strictEqual(await text(page, '#history-heading'), 'History');
      assert.strictEqual(
        await text(page, '.history-item[data-record-id="r2"] .history-meta'),
        '2 hours ago · Google Gemini · gemini-2.5-pro · Written · 7 blocks · replace',
      );
      assert.strictEqual(await page.locator('#output').getAttribute('aria-label'), 'Generated text');
      const shown = await shownTexts(page);
      assert.deepStrictEqual(
        shown.filter((s) => /[⟦⟧]/.test(s.text)),
        [],
      );
    });
  });
});
