// The one description of how a generation ended or why it stopped (workflows/outcome.ts), which the palette's
// notifications and the connection form's result both show. The errors are the real ones: thrown by the
// engines and the Notion client against the loopback stand-ins, or by the key checks.
import assert from 'node:assert/strict';
import { EngineError } from '../../src/services/engines/engine';
import * as gemini from '../../src/services/engines/gemini';
import * as openai from '../../src/services/engines/openai';
import type { GenerationRecord } from '../../src/services/generation/generationRecord';
import { createNotionClient } from '../../src/services/notion/notionClient';
import { NotionPages } from '../../src/services/notion/notionPages';
import { MissingKeyError } from '../../src/workflows/missingKey';
import { describeError, describeNotStarted, describeOutcome } from '../../src/workflows/outcome';
import { GeminiFake, startGeminiFake } from '../fakes/geminiFake';
import { NotionFake, startNotionFake } from '../fakes/notionFake';
import { OpenAIFake, startOpenAIFake } from '../fakes/openaiFake';

async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}

async function drain(stream: AsyncIterable<string>): Promise<void> {
  for await (const piece of stream) void piece;
}

const labels = (actions: readonly { label: string }[]) => actions.map((a) => a.label);

describe('Outcome words: describeError and describeOutcome', () => {
  let notion: NotionFake;
  let geminiFake: GeminiFake;
  let openaiFake: OpenAIFake;
  before(async () => {
    [notion, geminiFake, openaiFake] = await Promise.all([
      startNotionFake(),
      startGeminiFake({ chunkDelayMs: 0 }),
      startOpenAIFake({ chunkDelayMs: 0 }),
    ]);
  });
  after(async () => {
    await Promise.all([notion.close(), geminiFake.close(), openaiFake.close()]);
  });

  it('a missing key: its own message, the command that fixes it (with its arguments), then Show Log', () => {
    const missing = new MissingKeyError(
      'Not sent: correct the setting visen.openai.baseUrl.',
      'workbench.action.openSettings',
      'Open Setting',
      ['visen.openai.baseUrl'],
    );
    const seen = describeError(missing, 'openai');
    assert.equal(seen.failure, 'missingKey');
    assert.equal(seen.level, 'error');
    assert.equal(seen.message, 'Not sent: correct the setting visen.openai.baseUrl.');
    assert.deepEqual(seen.actions, [
      { kind: 'command', label: 'Open Setting', command: 'workbench.action.openSettings', args: ['visen.openai.baseUrl'] },
      { kind: 'showLog', label: 'Show Log' },
    ]);
  });

  it('a key the engine rejected offers to set the key of the engine the run used', async () => {
    for (const [kind, module, fake, model, label] of [
      ['gemini', gemini, () => geminiFake, 'gemini-2.5-flash', 'Set Gemini API Key'],
      ['openai', openai, () => openaiFake, 'gpt-4.1-mini', 'Set OpenAI API Key'],
    ] as const) {
      const engine = module.createEngine({ apiKey: 'wrong-key', baseUrl: fake().url });
      const error = await thrown(drain(engine.stream({ model, prompt: 'x' }, new AbortController().signal)));
      assert.ok(error instanceof EngineError && error.kind === 'auth', String(error));
      const seen = describeError(error, kind);
      assert.equal(seen.failure, 'failed');
      assert.equal(seen.message, error.message);
      assert.deepEqual(seen.actions, [
        { kind: 'setKey', label, engine: kind },
        { kind: 'showLog', label: 'Show Log' },
      ]);
      // An engine that needs no key has none to set.
      assert.deepEqual(labels(describeError(error, 'vscode-lm').actions), ['Show Log']);
    }
  });

  it('no model to generate with offers another engine or model; a cancel is told plainly', async () => {
    const unavailable = describeError(new EngineError('unavailable', 'No language model is available in VS Code.'), 'vscode-lm');
    assert.deepEqual(labels(unavailable.actions), ['Choose Engine', 'Select Model']);

    const controller = new AbortController();
    controller.abort();
    const engine = gemini.createEngine({ apiKey: 'AIza-fake-gemini', baseUrl: geminiFake.url });
    const cancelled = describeError(
      await thrown(drain(engine.stream({ model: 'gemini-2.5-flash', prompt: 'x' }, controller.signal))),
      'gemini',
    );
    assert.deepEqual(
      [cancelled.failure, cancelled.level, cancelled.message, cancelled.actions],
      ['cancelled', 'info', 'Generation cancelled.', []],
    );
  });

  it('a Notion secret Notion rejects offers to set it again; anything else says what happened, with Show Log', async () => {
    const client = createNotionClient({ auth: 'secret_revoked', baseUrl: notion.url, requestsPerSecond: 100 });
    const rejected = describeError(await thrown(new NotionPages(client).identity()));
    assert.equal(rejected.failure, 'failed');
    assert.deepEqual(labels(rejected.actions), ['Set Notion Token', 'Show Log']);

    const other = describeError(new Error('Something broke.'), 'gemini');
    assert.deepEqual([other.failure, other.message, labels(other.actions)], ['failed', 'Something broke.', ['Show Log']]);
  });

  it('a generation that did not start, and a row the connections database did not take', () => {
    assert.equal(describeNotStarted('budget'), 'Not generated: the prompt would go past your monthly budget.');
    assert.equal(describeNotStarted('dismissed'), 'Nothing was written.');
    const record = {
      id: 'r1',
      createdAt: new Date().toISOString(),
      connectionId: 'c1',
      page: { id: 'p1', title: 'Plan', url: 'https://www.notion.so/p1' },
      prompt: 'x',
      engine: 'gemini',
      model: 'gemini-2.5-flash',
      mode: 'append',
      status: 'written',
      markdown: '# A\n\nB',
      blocks: 2,
      writtenBlocks: 2,
      blockIds: ['b1', 'b2'],
      timings: {},
    } as GenerationRecord;
    const written = describeOutcome({ record });
    assert.equal(written.message, 'Wrote 2 blocks to "Plan".');
    assert.equal(written.warning, undefined);
    const unsynced = describeOutcome({ record, syncError: new Error('Notion is unavailable') });
    assert.equal(unsynced.message, written.message, 'the generation itself went fine');
    assert.equal(unsynced.warning, 'The connections database in Notion was not updated: Notion is unavailable');
  });
});
