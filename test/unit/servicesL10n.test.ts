// The vscode-free services mark their messages with `l10n.t` from @vscode/l10n, which answers from whatever
// bundle it was given: the extension hands VS Code's once, at activation, to the one copy every bundle shares
// (dist/shared.js, which this test bundle requires too). Here a pseudo-translation of l10n/bundle.l10n.json
// (every message wrapped in ⟦…⟧) stands in for VS Code's, so an English message that slipped past `l10n.t`, a
// placeholder left unfilled or a bundle with a copy of its own that nothing configures shows.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as l10n from '@vscode/l10n';
import type { Client } from '@notionhq/client';
import { EngineError, EngineKind, EngineModule } from '../../src/services/engines/engine';
import { createNotionClient } from '../../src/services/notion/notionClient';
import { NotionDatabases } from '../../src/services/notion/notionDatabases';
import { NotionPages } from '../../src/services/notion/notionPages';
import { parseNotionUrl } from '../../src/services/notion/notionUrl';
import { coerceProperty } from '../../src/services/notion/propertyValues';
import type { RunModule } from '../../src/services/generation/lazyGeneration';
import { GeminiFake, startGeminiFake } from '../fakes/geminiFake';
import { NotionFake, startNotionFake } from '../fakes/notionFake';
import { OpenAIFake, startOpenAIFake } from '../fakes/openaiFake';
import { rejection } from '../support/async';

const SECRET = 'secret_fake_notion';

/** The repository: the nearest folder up from this bundle whose package.json is Visen's. */
function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'visen') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no Visen package.json above ${__dirname}`);
  }
}

/** l10n/bundle.l10n.json with every message wrapped: what VS Code would load for a display language. */
function pseudoBundle(root: string): Record<string, string> {
  const bundle = JSON.parse(fs.readFileSync(path.join(root, 'l10n', 'bundle.l10n.json'), 'utf8')) as Record<
    string,
    string | { message: string }
  >;
  return Object.fromEntries(Object.entries(bundle).map(([key, value]) => [key, `⟦${typeof value === 'string' ? value : value.message}⟧`]));
}

/** The engine bundle the extension requires on first use, as `npm run build` left it in dist. */
function engineBundle(root: string, kind: EngineKind): EngineModule {
  return require(path.join(root, 'dist', 'engines', `${kind}.js`)) as EngineModule;
}

describe('service messages in the display language', () => {
  const root = repoRoot();
  const pseudo = pseudoBundle(root);

  before(() => l10n.config({ contents: pseudo }));
  // The one @vscode/l10n of every bundle in this process: English again, whatever runs next here.
  after(() => l10n.config({ contents: {} }));

  describe('Notion', () => {
    let notion: NotionFake;
    const client = (secret = SECRET): Client => createNotionClient({ auth: secret, baseUrl: notion.url, requestsPerSecond: 100 });

    before(async () => {
      notion = await startNotionFake();
    });
    after(async () => {
      await notion.close();
    });
    beforeEach(() => notion.reset());

    it('a rejected secret (401)', async () => {
      const error = await rejection(new NotionPages(client('secret_wrong')).identity());
      assert.equal(
        error.message,
        '⟦Notion rejected the integration secret. Run "Visen: Set Notion Token" with the secret of your internal integration.⟧',
      );
      const pat = client('secret_wrong');
      notion.tokenKind = 'pat';
      notion.validTokens.add('secret_wrong');
      await new NotionPages(pat).identity();
      notion.validTokens.delete('secret_wrong');
      const expired = await rejection(new NotionPages(pat).resolvePage(notion.addPage({ title: 'Any' }).url));
      assert.equal(
        expired.message,
        '⟦Notion rejected your personal access token: it may have expired (they last a year) or been revoked. Make a new one at notion.so/developers/tokens, then run "Visen: Set Notion Token".⟧',
      );
    });

    it('a page or row Notion cannot find (404), named for what was asked', async () => {
      const hidden = notion.addPage({ title: 'Hidden', shared: false, personAccess: false });
      const page = await rejection(new NotionPages(client()).resolvePage(hidden.url));
      assert.equal(
        page.message,
        "⟦Notion can't find this page, or it is not shared with your integration. In Notion, open the page → ••• → Connections → add your integration, then try again.⟧",
      );
      const row = await rejection(new NotionDatabases(client()).row(hidden.id));
      assert.equal(
        row.message,
        "⟦Notion can't find this row, or it is not shared with your integration. In Notion, open the page → ••• → Connections → add your integration, then try again.⟧",
      );
    });

    it("fills in Notion's own words and the page's title", async () => {
      notion.failNext(
        { path: /^\/v1\/users\/me/ },
        { status: 403, code: 'restricted_resource', message: 'Insufficient permissions for this endpoint.' },
      );
      const restricted = await rejection(new NotionPages(client()).identity());
      assert.equal(
        restricted.message,
        '⟦Your integration is not allowed to do this. In Notion\'s integration settings, enable the "Read content", "Update content" and "Insert content" capabilities. (Insufficient permissions for this endpoint.)⟧',
      );
      const page = notion.addPage({ title: 'Plain Page' });
      const notDatabase = await rejection(new NotionPages(client()).resolveDatabase(page.url));
      assert.equal(
        notDatabase.message,
        '⟦"Plain Page" is a Notion page, not a database. Use the link of a database (open it as a full page, then Share → Copy link), or choose Notion Page as the type.⟧',
      );
    });

    it("a pasted link that is not Notion's, read when the message is made rather than when the module loaded", async () => {
      const parsed = parseNotionUrl('https://example.com/page-0123456789abcdef0123456789abcdef');
      assert.equal(
        parsed.ok ? undefined : parsed.message,
        '⟦That is not a Notion link: expected notion.so, notion.com or a notion.site address.⟧',
      );
      assert.equal((await rejection(new NotionPages(client()).resolvePage(''))).message, '⟦Paste a Notion page URL or id.⟧');
    });
  });

  describe('property values', () => {
    const priority = { name: 'Priority', type: 'select', options: ['High', 'Low'] };

    it('says why a value does not fit, with the value, the property and its options', () => {
      assert.throws(() => coerceProperty(priority, 'Urgent', { allowNewOptions: false }), {
        message: '⟦"Urgent" is not an option of Priority. Options: High, Low.⟧',
      });
      assert.throws(() => coerceProperty({ ...priority, options: [] }, 'Urgent', { allowNewOptions: false }), {
        message: '⟦"Urgent" is not an option of Priority.⟧',
      });
      assert.throws(() => coerceProperty({ name: 'Pages', type: 'number' }, 'many', { allowNewOptions: false }), {
        message: '⟦"many" is not a number.⟧',
      });
      assert.throws(() => coerceProperty({ name: 'Owner', type: 'people' }, 'Ada', { allowNewOptions: false }), {
        message: '⟦Visen cannot fill people properties.⟧',
      });
    });
  });

  // The generation machinery is a bundle of its own too (dist/run.js, required on the first run): the
  // configuration above reaches it, with nothing handed to it.
  describe('run bundle', () => {
    const run = require(path.join(root, 'dist', 'run.js')) as RunModule;
    let notion: NotionFake;

    before(async () => {
      notion = await startNotionFake();
    });
    after(async () => {
      l10n.config({ contents: pseudo });
      await notion.close();
    });

    it('English until l10n is configured, then translated', async () => {
      const client = createNotionClient({ auth: SECRET, baseUrl: notion.url, requestsPerSecond: 100 });
      const hidden = notion.addPage({ title: 'Hidden', shared: false, personAccess: false });
      const english =
        "Notion can't find this row, or it is not shared with your integration. In Notion, open the page → ••• → Connections → add your integration, then try again.";
      l10n.config({ contents: {} });
      assert.equal((await rejection(new run.NotionDatabases(client).row(hidden.id))).message, english);
      l10n.config({ contents: pseudo });
      assert.equal((await rejection(new run.NotionDatabases(client).row(hidden.id))).message, `⟦${english}⟧`);
    });
  });

  // The engines are read from their dist bundles: the one configuration reaches them too.
  describe('engine bundles', () => {
    let gemini: GeminiFake;
    let openai: OpenAIFake;
    const geminiModule = engineBundle(root, 'gemini');
    const openaiModule = engineBundle(root, 'openai');

    before(async () => {
      gemini = await startGeminiFake({ chunkDelayMs: 0 });
      openai = await startOpenAIFake({ chunkDelayMs: 0 });
    });
    beforeEach(() => l10n.config({ contents: {} }));
    after(async () => {
      l10n.config({ contents: pseudo });
      await gemini.close();
      await openai.close();
    });

    async function engineError(promise: Promise<unknown>): Promise<EngineError> {
      const error = await rejection(promise);
      assert.ok(error instanceof EngineError, `expected an EngineError, got ${error.name}: ${error.message}`);
      return error;
    }

    it('Gemini: English until l10n is configured, then translated with the details filled', async () => {
      const engine = geminiModule.createEngine({ apiKey: 'wrong-key', baseUrl: gemini.url });
      assert.equal(
        (await engineError(engine.listModels())).message,
        'Gemini rejected the API key. Run "Visen: Set Gemini API Key" with a key from Google AI Studio.',
      );

      l10n.config({ contents: pseudo });
      const auth = await engineError(engine.listModels());
      assert.equal(auth.kind, 'auth');
      assert.equal(auth.message, '⟦Gemini rejected the API key. Run "Visen: Set Gemini API Key" with a key from Google AI Studio.⟧');

      gemini.failNext({
        status: 404,
        body: { error: { code: 404, message: 'models/gemini-0 is not found for API version v1beta.', status: 'NOT_FOUND' } },
      });
      const keyed = geminiModule.createEngine({ apiKey: 'AIza-fake-gemini', baseUrl: gemini.url });
      const notFound = await engineError(keyed.complete({ model: 'gemini-0', prompt: 'x' }, new AbortController().signal));
      assert.equal(notFound.kind, 'modelGone');
      assert.equal(notFound.message, '⟦gemini-0 is no longer available — choose another model.⟧');
    });

    it('OpenAI: English until l10n is configured, then translated with the details filled', async () => {
      const engine = openaiModule.createEngine({ apiKey: 'sk-fake-openai', baseUrl: openai.url });
      const notFoundBody = {
        error: {
          message: 'The model `gpt-0` does not exist or you do not have access to it.',
          type: 'invalid_request_error',
          param: null,
          code: 'model_not_found',
        },
      };
      openai.failNext({ status: 404, body: notFoundBody });
      const english = await engineError(engine.complete({ model: 'gpt-0', prompt: 'x' }, new AbortController().signal));
      assert.equal(english.message, 'gpt-0 is no longer available — choose another model.');

      l10n.config({ contents: pseudo });
      openai.failNext({ status: 404, body: notFoundBody });
      const notFound = await engineError(engine.complete({ model: 'gpt-0', prompt: 'x' }, new AbortController().signal));
      assert.equal(notFound.kind, 'modelGone');
      assert.equal(notFound.message, '⟦gpt-0 is no longer available — choose another model.⟧');

      const auth = await engineError(openaiModule.createEngine({ apiKey: 'sk-wrong', baseUrl: openai.url }).listModels());
      assert.equal(auth.message, '⟦OpenAI rejected the API key. Run "Visen: Set OpenAI API Key" with a key from platform.openai.com.⟧');
    });
  });
});
