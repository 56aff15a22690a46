// The forms' length limits, through the real pages: the built bundles (dist/webview/*.js) load in the page
// Visen's panels build, from a loopback server, with a stub `acquireVsCodeApi` that hands every message to
// this process, where the real protocol validation (connectionProtocol.ts, settingsProtocol.ts) answers a
// refused request the way FormController does. No code-server: a few seconds.
import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';
import { LIMITS } from '../../src/views/formLimits';
import { parseWebviewMessage, type FormState } from '../../src/views/connectionProtocol';
import { parseSettingsMessage, type SettingsState } from '../../src/views/settingsProtocol';
import { webviewPage } from '../../src/views/webviewPage';
import { launchBrowser, repoRoot } from '../harness/codeServer';

type Form = 'settings' | 'connection';
const root = repoRoot();

const CONNECTION_STATE: FormState = {
  notionSecretSet: true,
  setNotionSecret: { command: 'visen.setNotionSecret', label: 'Set Notion Token' },
  engines: [
    {
      kind: 'gemini',
      label: 'Google Gemini',
      keySet: true,
      defaultModel: 'gemini-2.5-flash',
      suggestedModels: [],
      setKey: { command: 'visen.setGeminiKey', label: 'Set Gemini API Key' },
    },
  ],
  defaultEngine: 'gemini',
  defaultWriteMode: 'append',
  history: [],
};

const SETTINGS_STATE: SettingsState = {
  values: {
    connectionsDatabase: '',
    engine: 'gemini',
    openaiBaseUrl: '',
    geminiBaseUrl: '',
    notionApiBaseUrl: '',
    writeMode: 'append',
    instructions: '',
    promptBudget: 0,
  },
  keys: [
    { name: 'notion', label: 'Notion token', set: false },
    { name: 'gemini', label: 'Gemini API key', set: false },
    { name: 'openai', label: 'OpenAI API key', set: false },
  ],
  engines: [
    {
      kind: 'gemini',
      label: 'Google Gemini',
      setting: 'visen.gemini.model',
      model: 'gemini-2.5-flash',
      defaultModel: 'gemini-2.5-flash',
      suggestedModels: [],
      keyName: 'Gemini',
      keyField: { title: 'Gemini API key', hint: 'From Google AI Studio.', removeLabel: 'Remove the Gemini API key' },
      endpoint: {
        field: 'geminiBaseUrl',
        label: 'Gemini base URL',
        hint: 'A proxy.',
        placeholder: 'https://generativelanguage.googleapis.com',
      },
    },
    {
      kind: 'openai',
      label: 'OpenAI',
      setting: 'visen.openai.model',
      model: 'gpt-4.1-mini',
      defaultModel: 'gpt-4.1-mini',
      suggestedModels: [],
      keyName: 'OpenAI',
      keyField: { title: 'OpenAI API key', hint: 'From platform.openai.com.', removeLabel: 'Remove the OpenAI API key' },
      endpoint: {
        field: 'openaiBaseUrl',
        label: 'OpenAI base URL',
        hint: 'Any OpenAI-compatible server.',
        placeholder: 'https://api.openai.com/v1',
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
  ],
};

/** What the host answers: the state to `ready`; a refusal, as FormController sends it, to an invalid message; valid requests are held. */
function hostAnswer(form: Form, message: { type?: unknown; requestId?: unknown }): unknown {
  if (message.type === 'ready') return { type: 'state', state: form === 'connection' ? CONNECTION_STATE : SETTINGS_STATE };
  const parsed = form === 'connection' ? parseWebviewMessage(message) : parseSettingsMessage(message);
  if (parsed.ok) return undefined;
  const field = parsed.field ? { field: parsed.field } : {};
  return typeof message.requestId === 'number'
    ? { type: 'reply', requestId: message.requestId, ok: false, error: parsed.error, ...field }
    : { type: 'rejected', messageType: String(message.type), error: parsed.error, ...field };
}

function installStub(): void {
  const w = globalThis as any;
  w.__posted = [];
  let state: unknown;
  w.acquireVsCodeApi = () => ({
    postMessage(message: unknown) {
      w.__posted.push(message);
      void w.__toHost(message).then((answer: unknown) => answer && w.postMessage(answer, '*'));
    },
    getState: () => state,
    setState: (next: unknown) => (state = next),
  });
}

function serve(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = `http://${req.headers.host}`;
    const page = /^\/form\/(settings|connection)$/.exec(url.pathname);
    if (page) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        webviewPage({
          nonce: 'limits-test-nonce',
          cspSource: origin,
          scriptUri: `${origin}/dist/webview/${page[1]}.js`,
          styleUris: [`${origin}/media/webview/shared/form.css`, `${origin}/media/webview/${page[1]}.css`],
          title: 'Visen',
          lang: 'en',
          l10nBundle: {},
        }),
      );
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

/** Pastes `text` into the field the way a browser delivers a paste (the page decides what to do with it). */
async function paste(page: Page, selector: string, text: string): Promise<void> {
  await page.locator(selector).focus();
  await page.evaluate(
    ([sel, value]) => {
      const d = (globalThis as any).document;
      const data = new (globalThis as any).DataTransfer();
      data.setData('text', value);
      const event = new (globalThis as any).ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true });
      const el = d.querySelector(sel);
      if (el.dispatchEvent(event)) {
        // Not refused: insert it as the browser would, up to maxlength.
        el.value = value.slice(0, el.maxLength >= 0 ? el.maxLength : undefined);
        el.dispatchEvent(new (globalThis as any).Event('input', { bubbles: true }));
      }
    },
    [selector, text] as const,
  );
}

/** Sets a value past maxlength (as a script could) and lets the page react: the host's limits must answer. */
async function forceValue(page: Page, selector: string, value: string, event = 'input'): Promise<void> {
  await page.evaluate(
    ([sel, text, type]) => {
      const el = (globalThis as any).document.querySelector(sel);
      el.value = text;
      el.dispatchEvent(new (globalThis as any).Event(type, { bubbles: true }));
    },
    [selector, value, event] as const,
  );
}

describe('webview forms: length limits', function () {
  this.timeout(60_000);
  let browser: Browser | undefined;
  let server: Awaited<ReturnType<typeof serve>> | undefined;
  let page: Page | undefined;

  before(async () => {
    for (const form of ['settings', 'connection']) {
      const bundle = path.join(root, 'dist', 'webview', `${form}.js`);
      if (!fs.existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npm run build\` first`);
    }
    server = await serve();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  afterEach(async () => {
    await page?.close();
    page = undefined;
  });

  async function open(form: Form): Promise<Page> {
    page = await browser!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.exposeFunction('__toHost', (message: { type?: unknown; requestId?: unknown }) => hostAnswer(form, message));
    await page.addInitScript(installStub);
    await page.goto(`${server!.url}/form/${form}`);
    await page.waitForFunction(() => (globalThis as any).__posted?.some((m: { type: string }) => m.type === 'ready'));
    assert.deepStrictEqual(errors, [], 'the page loads without errors');
    return page;
  }

  const posted = (p: Page) => p.evaluate(() => (globalThis as any).__posted as Array<{ type: string; url?: string }>);

  describe('connection form', () => {
    it('its fields carry the protocol limits as maxlength', async () => {
      const p = await open('connection');
      for (const [selector, limit] of [
        ['#url', LIMITS.url],
        ['#name', LIMITS.name],
        ['#prompt', LIMITS.prompt],
        ['#model', LIMITS.model],
      ] as const) {
        assert.strictEqual(await p.locator(selector).getAttribute('maxlength'), String(limit), selector);
      }
    });

    it('a pasted link past the limit is refused with its length, not cut and checked', async () => {
      const p = await open('connection');
      await paste(p, '#url', `https://www.notion.so/${'a'.repeat(2_001 - 22)}`);
      await p.locator('#url-validation.is-error').waitFor();
      assert.strictEqual(
        (await p.locator('#url-validation').textContent())?.replace('✗', '').trim(),
        'The link is too long (2,001 characters; at most 2,000).',
      );
      assert.strictEqual(await p.locator('#url').inputValue(), '', 'the field is left as it was');
      assert.ok(!(await posted(p)).some((m) => m.type === 'validate'), 'nothing was sent to check');
    });

    it('typing stops at the limit', async () => {
      const p = await open('connection');
      await p.locator('#url').fill(`https://www.notion.so/${'b'.repeat(LIMITS.url - 22)}`);
      await p.locator('#url').press('End');
      await p.keyboard.type('cc');
      assert.strictEqual((await p.locator('#url').inputValue()).length, LIMITS.url);
    });

    it('a link past the limit that reaches the host anyway gets an answer next to the field, not an endless "Checking with Notion…"', async () => {
      const p = await open('connection');
      await forceValue(p, '#url', `https://www.notion.so/${'a'.repeat(2_001 - 22)}`, 'blur');
      await p.locator('#url-validation.is-error').waitFor({ timeout: 5_000 });
      assert.match((await p.locator('#url-validation').textContent()) ?? '', /The link is too long \(2,001 characters; at most 2,000\)\./);
      assert.strictEqual(await p.locator('#url-validation.is-checking').count(), 0);
      assert.ok(
        (await posted(p)).some((m) => m.type === 'validate' && m.url?.length === 2_001),
        'the page did ask',
      );
    });
  });

  describe('settings form', () => {
    it('its fields carry the protocol limits as maxlength', async () => {
      const p = await open('settings');
      for (const [selector, limit] of [
        ['#connectionsDatabase', LIMITS.url],
        ['#model-gemini', LIMITS.model],
        ['#model-openai', LIMITS.model],
        ['#model-vscode-lm', LIMITS.model],
        ['#instructions', LIMITS.instructions],
        ['#openaiBaseUrl', LIMITS.baseUrl],
        ['#geminiBaseUrl', LIMITS.baseUrl],
        ['#notionApiBaseUrl', LIMITS.baseUrl],
        ['#key-notion', LIMITS.key],
        ['#key-gemini', LIMITS.key],
        ['#key-openai', LIMITS.key],
      ] as const) {
        assert.strictEqual(await p.locator(selector).getAttribute('maxlength'), String(limit), selector);
      }
    });

    it('a pasted key past the limit is refused next to its field', async () => {
      const p = await open('settings');
      await paste(p, '#key-notion', `ntn_${'k'.repeat(1_200)}`);
      await p.locator('#key-notion-error:not(:empty)').waitFor();
      assert.strictEqual(await p.locator('#key-notion-error').textContent(), 'The key is too long (1,204 characters; at most 1,000).');
      assert.strictEqual(await p.locator('#key-notion').inputValue(), '');
    });

    it('a base URL past the limit that reaches the host anyway is answered next to its field', async () => {
      const p = await open('settings');
      await p.locator('#advanced summary').click();
      await forceValue(p, '#openaiBaseUrl', `https://example.com/${'v'.repeat(2_100)}`);
      await p.locator('#save').click();
      await p.locator('#openaiBaseUrl-error:not(:empty)').waitFor({ timeout: 5_000 });
      assert.strictEqual(
        await p.locator('#openaiBaseUrl-error').textContent(),
        'The address is too long (2,120 characters; at most 2,000).',
      );
      assert.match((await p.locator('#status').textContent()) ?? '', /Nothing was saved/);
    });

    it("an engine's model past the limit that reaches the host anyway is answered next to that engine's field", async () => {
      const p = await open('settings');
      await p.locator('#model-vscode-lm').waitFor();
      await forceValue(p, '#model-vscode-lm', `copilot-${'m'.repeat(LIMITS.model)}`);
      await p.locator('#save').click();
      await p.locator('#model-vscode-lm-error:not(:empty)').waitFor({ timeout: 5_000 });
      assert.strictEqual(
        await p.locator('#model-vscode-lm-error').textContent(),
        `The model name is too long (${LIMITS.model + 8} characters; at most ${LIMITS.model}).`,
      );
      assert.strictEqual(await p.locator('#model-vscode-lm').getAttribute('aria-invalid'), 'true');
      assert.strictEqual(await p.locator('#model-gemini-error').textContent(), '', "the other engines' fields are fine");
      const save = (await posted(p)).find((m) => m.type === 'save') as { models?: Record<string, string> } | undefined;
      assert.deepStrictEqual(Object.keys(save?.models ?? {}), ['vscode-lm'], 'the model went under its engine');
    });
  });
});
