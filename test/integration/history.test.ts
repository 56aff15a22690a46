import * as assert from 'assert';
import * as vscode from 'vscode';
import { recoverStoredState } from '../../src/commands/history';
import type { GenerationRecord } from '../../src/services/generation/generationRecord';
import { SET_ASIDE_KEY } from '../../src/services/storage/setAside';
import { useStage, visenLog } from './support/visen';

const PAGE = {
  id: '11111111-2222-3333-4444-555555555555',
  title: 'History page',
  url: 'https://www.notion.so/11111111222233334444555555555555',
};

function record(id: string, status: GenerationRecord['status'], writtenBlocks = 2): GenerationRecord {
  return {
    id,
    createdAt: new Date().toISOString(),
    page: PAGE,
    prompt: `Prompt ${id}`,
    engine: 'gemini',
    model: 'gemini-2.5-flash',
    mode: 'append',
    status,
    markdown: `# ${id}\n\ntext`,
    blocks: 2,
    writtenBlocks,
    blockIds: ['b1', 'b2'].slice(0, writtenBlocks),
    timings: {},
  };
}

describe('History: Clear History and damaged stored state', () => {
  const stage = useStage();
  afterEach(async () => {
    await stage.api.generations.clear({ unwritten: true });
    await stage.api.store.update(SET_ASIDE_KEY, undefined);
  });

  it('Clear History asks, clears what is in Notion, and asks again before clearing what is not', async () => {
    await stage.api.generations.save(record('written-1', 'written'));
    await stage.api.generations.save(record('written-2', 'written'));
    await stage.api.generations.save(record('failed-write', 'writeFailed', 1));
    await stage.api.generations.save(record('cut', 'interrupted', 0));

    await vscode.commands.executeCommand('visen.clearHistory');
    const asked = stage.ui.last('confirm')!;
    assert.match(asked.message, /Clear the history of 4 generations\?/);
    assert.match(asked.detail ?? '', /2 are fully in Notion.*2 are not fully written to Notion.*kept unless you also clear them/s);
    assert.strictEqual(stage.api.generations.list().length, 4, 'dismissed: nothing cleared');

    stage.ui.respond = (m) => (m.level === 'confirm' ? (m.actions.includes('Clear History') ? 'Clear History' : 'Keep Them') : undefined);
    await vscode.commands.executeCommand('visen.clearHistory');
    assert.match(stage.ui.last('confirm')!.message, /Also clear 2 generations not fully written to Notion\?/);
    assert.deepStrictEqual(
      stage.api.generations
        .list()
        .map((r) => r.id)
        .sort(),
      ['cut', 'failed-write'],
    );
    assert.match(stage.ui.last('info')!.message, /Cleared 2 generations from the history; kept 2 not fully written to Notion/);

    stage.ui.respond = (m) =>
      m.level === 'confirm' ? (m.actions.includes('Clear History') ? 'Clear History' : 'Clear Them Too') : undefined;
    await vscode.commands.executeCommand('visen.clearHistory');
    assert.deepStrictEqual(stage.api.generations.list(), []);
    assert.match(stage.ui.last('info')!.message, /Cleared 2 generations from the history\./);

    await vscode.commands.executeCommand('visen.clearHistory');
    assert.match(stage.ui.last('info')!.message, /no history of generations to clear/);
  });

  it('start-up sets damaged records, connections and usage aside, names them once, and keeps everything else', async () => {
    const damagedRecord = { ...record('no-count', 'writeFailed'), writtenBlocks: undefined };
    const badIds = { ...record('bad-ids', 'written'), blockIds: [1, 2] };
    await stage.api.store.update('visen.generations', [
      record('fine', 'written'),
      record('running', 'generating', 1),
      damagedRecord,
      badIds,
    ]);
    const connections = stage.api.store.get<unknown[]>('visen.connections') ?? [];
    await stage.api.store.update('visen.connections', [...connections, { id: 'broken', name: 42 }]);
    const usage = stage.api.store.get<Record<string, unknown>>('visen.usage.monthly') ?? {};
    await stage.api.store.update('visen.usage.monthly', { ...usage, '2020-01': { prompts: -3, inputTokens: 0, outputTokens: 0 } });

    // What activation runs, over the state of this VS Code, with the notification through the scripted UI.
    await recoverStoredState(stage.api);

    const warnings = stage.ui.messages.filter((m) => m.level === 'warn');
    assert.strictEqual(warnings.length, 1, 'one notification');
    assert.match(
      warnings[0].message,
      /could not read 2 generation records, 1 connection, 1 month of usage counts stored on this machine and set them aside/,
    );
    assert.deepStrictEqual(warnings[0].actions, ['Show Log']);
    // Both were made in the same moment: their order in the history is not what this checks.
    assert.deepStrictEqual(
      stage.api.generations
        .list()
        .map((r) => [r.id, r.status])
        .sort(([a], [b]) => a.localeCompare(b)),
      [
        ['fine', 'written'],
        ['running', 'interrupted'],
      ],
    );
    const aside = stage.api.store.get<{ from: string; value: { id?: string } }[]>(SET_ASIDE_KEY)!;
    assert.deepStrictEqual(
      aside.map((e) => e.from),
      ['visen.generations', 'visen.generations', 'visen.connections', 'visen.usage.monthly'],
    );
    assert.deepStrictEqual(
      aside.slice(0, 3).map((e) => e.value.id),
      ['no-count', 'bad-ids', 'broken'],
    );
    assert.match(await visenLog(stage.api), /generation record \(entry 3\) is damaged[^\n]*writtenBlocks/);

    await recoverStoredState(stage.api);
    assert.strictEqual(stage.ui.messages.filter((m) => m.level === 'warn').length, 1, 'nothing new to report');

    await stage.api.store.update('visen.usage.monthly', usage);
    assert.ok(vscode.extensions.getExtension('visen.visen')!.isActive);
  });
});
