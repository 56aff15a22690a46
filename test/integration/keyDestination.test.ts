// Keys go only where the user sent them: base URLs come from user settings only, a key is bound to the
// server that accepted it, and plain http to another machine needs the user's consent.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { engineFor, MissingKeyError } from '../../src/commands/deps';
import { readConfig } from '../../src/platform/config';
import { startGeminiFake } from '../fakes/geminiFake';
import { startNotionFake } from '../fakes/notionFake';
import { startOpenAIFake } from '../fakes/openaiFake';
import { GEMINI_KEY, NOTION_SECRET, OPENAI_KEY, setSetting, storeKeys, useStage } from './support/visen';

const settingsFile = () => path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.vscode', 'settings.json');

function configChange(): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => done.dispose() ?? resolve(), 3_000);
    const done = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('visen')) {
        clearTimeout(timer);
        done.dispose();
        resolve();
      }
    });
  });
}

describe('where keys are sent', () => {
  const stage = useStage();

  it('a workspace .vscode/settings.json that points the base URLs at its own servers sends them no key', async () => {
    // The workspace's servers: a second set of stand-ins, which record everything they receive.
    const theirs = {
      notion: await startNotionFake({ acceptAnyKey: true }),
      gemini: await startGeminiFake({ acceptAnyKey: true }),
      openai: await startOpenAIFake({ acceptAnyKey: true }),
    };
    const file = settingsFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const changed = configChange();
    fs.writeFileSync(
      file,
      JSON.stringify({
        'visen.openai.baseUrl': `${theirs.openai.url}/v1`,
        'visen.gemini.baseUrl': theirs.gemini.url,
        'visen.notion.apiBaseUrl': theirs.notion.url,
      }),
    );
    try {
      await changed;
      const config = readConfig();
      assert.strictEqual(config.openaiBaseUrl, stage.openai.url);
      assert.strictEqual(config.geminiBaseUrl, stage.gemini.url);
      assert.strictEqual(config.notionApiBaseUrl, stage.notion.url);
      stage.ui.inputs.push(OPENAI_KEY);
      await vscode.commands.executeCommand('visen.setOpenAIKey');
      assert.strictEqual(await stage.api.secrets.get('visen.openai.apiKey'), OPENAI_KEY, 'checked with the user-set server');
      assert.ok(stage.openai.requests.some((r) => r.headers.authorization === `Bearer ${OPENAI_KEY}`));

      // A whole generation, with every key stored: it all goes to the user's servers.
      await storeKeys(stage.api, { notion: NOTION_SECRET, gemini: GEMINI_KEY });
      const page = stage.notion.addPage({ title: 'Mine' });
      stage.ui.inputs.push(page.url, 'Write');
      await vscode.commands.executeCommand('visen.generateToPage');
      assert.match(stage.ui.last('info')!.message, /Wrote \d+ blocks?/);
      assert.deepStrictEqual(
        [theirs.notion.requests.length, theirs.gemini.requests.length, theirs.openai.requests.length],
        [0, 0, 0],
        "the workspace's servers received nothing",
      );
    } finally {
      fs.rmSync(file, { force: true });
      await Promise.all([theirs.notion.close(), theirs.gemini.close(), theirs.openai.close()]);
    }
  });

  it('a key is bound to the server that accepted it; a changed base URL asks for it again', async () => {
    stage.ui.inputs.push(OPENAI_KEY);
    await vscode.commands.executeCommand('visen.setOpenAIKey');
    assert.strictEqual(stage.api.secrets.origin('visen.openai.apiKey'), new URL(stage.openai.url).origin);

    // Same stand-in, another origin: localhost instead of 127.0.0.1.
    const moved = stage.openai.url.replace('127.0.0.1', 'localhost');
    await setSetting('openai.baseUrl', moved);
    try {
      stage.openai.reset();
      // Escape in the box: nothing is sent.
      await assert.rejects(
        engineFor(stage.api, 'openai'),
        (error: unknown) =>
          error instanceof Error && 'command' in error && /The key was not sent: the OpenAI base URL changed/.test(error.message),
      );
      assert.match(
        stage.ui.asked.at(-1)!.prompt ?? '',
        new RegExp(`^The OpenAI base URL changed to ${moved.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}; enter the key to use with it\\.$`),
      );
      assert.strictEqual(stage.openai.requests.length, 0, 'the stored key went nowhere');

      // Entered again: checked with the new server, then used there.
      stage.ui.inputs.push(OPENAI_KEY);
      const engine = await engineFor(stage.api, 'openai');
      assert.ok(engine);
      assert.strictEqual(stage.api.secrets.origin('visen.openai.apiKey'), new URL(moved).origin);
    } finally {
      await setSetting('openai.baseUrl', stage.openai.url);
    }
  });

  it('a key stored before origins were kept is bound to the current server on first use', async () => {
    await stage.api.secrets.store('visen.openai.apiKey', OPENAI_KEY);
    assert.strictEqual(stage.api.secrets.origin('visen.openai.apiKey'), undefined);
    await engineFor(stage.api, 'openai');
    assert.strictEqual(stage.api.secrets.origin('visen.openai.apiKey'), new URL(stage.openai.url).origin);
    assert.strictEqual(stage.ui.asked.length, 0, 'nothing asked');
  });

  it('plain http to another machine is refused unless the user agrees, once per address', async () => {
    await stage.api.secrets.store('visen.openai.apiKey', OPENAI_KEY);
    const lan = 'http://192.0.2.10:11434/v1';
    await setSetting('openai.baseUrl', lan);
    try {
      await assert.rejects(engineFor(stage.api, 'openai'), (error: unknown) => {
        assert.ok(error instanceof MissingKeyError || (error instanceof Error && 'command' in error));
        assert.match((error as Error).message, /Not sent: the OpenAI key would travel unencrypted to http:\/\/192\.0\.2\.10:11434\/v1/);
        assert.strictEqual((error as MissingKeyError).command, 'workbench.action.openSettings');
        assert.deepStrictEqual((error as MissingKeyError).args, ['visen.openai.baseUrl']);
        return true;
      });
      const asked = stage.ui.last('confirm')!;
      assert.strictEqual(asked.message, 'The key for OpenAI travels unencrypted to http://192.0.2.10:11434/v1. Send it anyway?');

      stage.ui.respond = (message) => (message.level === 'confirm' ? 'Send Anyway' : undefined);
      assert.ok(await engineFor(stage.api, 'openai'), 'agreed: the engine is made');
      const confirms = stage.ui.messages.filter((m) => m.level === 'confirm').length;
      await engineFor(stage.api, 'openai');
      assert.strictEqual(stage.ui.messages.filter((m) => m.level === 'confirm').length, confirms, 'remembered for this address');
    } finally {
      await stage.api.store.update('visen.insecureBaseUrls', undefined);
      await setSetting('openai.baseUrl', stage.openai.url);
    }
  });
});
