// The live contract suite (`npm run test:live`) run on the loopback stand-ins with fake keys, inside `npm test`,
// so the script maintainers run against the real services cannot rot.
import assert from 'node:assert/strict';
import { type GeminiFake, type GeminiRequest, startGeminiFake } from '../fakes/geminiFake';
import { type NotionFake, startNotionFake } from '../fakes/notionFake';
import { type OpenAIChatRequest, type OpenAIFake, startOpenAIFake } from '../fakes/openaiFake';
import { runLiveContract, targetsFromEnvironment, type LiveStep } from '../live/liveContract';

/**
 * An answer that fits the JSON-mode call's schema when the request asks for JSON (OpenAI `response_format`,
 * Gemini `responseMimeType`), as the services answer; otherwise the stand-in's own text.
 */
function jsonWhenAsked(fallback: string) {
  return (req: OpenAIChatRequest | GeminiRequest): string => {
    const openaiFormat = 'body' in req ? (req.body.response_format as { type?: string } | undefined)?.type : undefined;
    const geminiFormat = 'generationConfig' in req ? req.generationConfig?.responseMimeType : undefined;
    return openaiFormat === 'json_schema' || geminiFormat === 'application/json' ? JSON.stringify({ answer: 'OK' }) : fallback;
  };
}

describe('live contract suite, on the stand-ins', function () {
  this.timeout(120_000);
  let notion: NotionFake;
  let gemini: GeminiFake;
  let openai: OpenAIFake;
  before(async () => {
    [notion, gemini, openai] = await Promise.all([
      startNotionFake(),
      startGeminiFake({ chunkDelayMs: 0 }),
      startOpenAIFake({ chunkDelayMs: 0 }),
    ]);
  });
  after(async () => {
    await Promise.all([notion.close(), gemini.close(), openai.close()]);
  });

  it('passes every step: users/me, the corpus written, read back and undone, the scratch page trashed; each engine listed, streamed and asked for JSON', async () => {
    const parent = notion.addPage({ title: 'Visen live checks' });
    gemini.respondWith(jsonWhenAsked('OK'));
    openai.respondWith(jsonWhenAsked('OK'));
    const steps = await runLiveContract({
      notion: { token: 'secret_fake_notion', parent: parent.id, baseUrl: notion.url, requestsPerSecond: 500 },
      gemini: { key: 'AIza-fake-gemini', baseUrl: gemini.url },
      openai: { key: 'sk-fake-openai', baseUrl: openai.url },
    });
    const failed = steps.filter((s) => s.status !== 'passed');
    assert.deepEqual(failed, [], failed.map((s) => `${s.part} ${s.name}: ${s.detail}`).join('\n'));
    const names = steps.map((s) => `${s.part}: ${s.name}`);
    assert.ok(names.includes('notion: users/me') && names.includes('notion: trash the scratch page'));
    assert.ok(steps.filter((s) => s.name.startsWith('write, read back and undo')).length >= 40, 'every answer of the corpus');
    for (const part of ['gemini', 'openai']) {
      assert.deepEqual(
        steps.filter((s) => s.part === part).map((s) => s.name),
        ['list models', 'one short stream', 'one JSON-mode call'],
      );
    }
    // What the real services will see: the scratch page under the parent, in the trash, empty.
    const scratch = notion.requests.find((r) => r.method === 'POST' && r.path === '/v1/pages');
    assert.ok(scratch, 'a page was created');
    assert.ok(
      notion.requests.some(
        (r) => r.method === 'PATCH' && /\/v1\/pages\//.test(r.path) && (r.body as { in_trash?: boolean }).in_trash === true,
      ),
      'and trashed',
    );
    assert.ok(
      openai.requests.some((r) => (r.body as { response_format?: { type?: string } } | undefined)?.response_format?.type === 'json_schema'),
      'OpenAI got a JSON-mode request',
    );
    assert.ok(
      gemini.requests.some((r) => JSON.stringify(r.body ?? '').includes('"responseMimeType":"application/json"')),
      'Gemini got a JSON-mode request',
    );
  });

  it('fails a step when the service answers otherwise (a JSON-mode answer that is not JSON)', async () => {
    openai.respondWith(() => 'not json');
    const steps = await runLiveContract({ openai: { key: 'sk-fake-openai', baseUrl: openai.url } });
    const json = steps.find((s) => s.part === 'openai' && s.name === 'one JSON-mode call');
    assert.equal(json?.status, 'failed');
    assert.match(json!.detail, /not JSON/);
  });

  it('skips each part whose variables are not set, saying which', async () => {
    assert.deepEqual(targetsFromEnvironment({}), {});
    assert.deepEqual(Object.keys(targetsFromEnvironment({ VISEN_LIVE_NOTION_TOKEN: 'ntn_x' })), [], 'Notion needs its parent page too');
    assert.deepEqual(
      Object.keys(
        targetsFromEnvironment({ VISEN_LIVE_NOTION_TOKEN: 'ntn_x', VISEN_LIVE_NOTION_PARENT: 'abc', VISEN_LIVE_OPENAI_KEY: 'sk-x' }),
      ),
      ['notion', 'openai'],
    );
    const steps: LiveStep[] = await runLiveContract({});
    assert.deepEqual(
      steps.map((s) => [s.part, s.status, s.detail]),
      [
        ['notion', 'skipped', 'VISEN_LIVE_NOTION_TOKEN or VISEN_LIVE_NOTION_PARENT is not set'],
        ['gemini', 'skipped', 'VISEN_LIVE_GEMINI_KEY is not set'],
        ['openai', 'skipped', 'VISEN_LIVE_OPENAI_KEY is not set'],
      ],
    );
  });
});
