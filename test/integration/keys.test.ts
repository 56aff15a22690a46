import * as assert from 'assert';
import * as vscode from 'vscode';
import { GEMINI_KEY, NOTION_SECRET, OPENAI_KEY, storeKeys, useStage, visenLog } from './support/visen';

describe('key commands', () => {
  const stage = useStage();

  it('Set Notion Token rejects a wrong secret, keeps the box open, and stores the right one', async () => {
    stage.ui.inputs.push('', 'secret_wrong_value', NOTION_SECRET);
    await vscode.commands.executeCommand('visen.setNotionSecret');
    const asked = stage.ui.asked[0];
    assert.strictEqual(asked.password, true, 'typed into a password box');
    assert.match(asked.problems[0], /Paste the value/);
    assert.match(
      asked.problems[1],
      /^Notion rejected the token\. Paste a personal access token \(notion\.so\/developers\/tokens\) or the secret of an internal integration here; a personal access token expires a year after it is made\.$/,
      'the advice fits the box the secret is typed in',
    );
    assert.strictEqual(await stage.api.secrets.get('visen.notion.secret'), NOTION_SECRET);
    assert.match(
      stage.ui.last('info')!.message,
      new RegExp(
        stage.notion.tokenKind === 'pat'
          ? `^Connected as ${stage.notion.personName} \\(personal access token\\)`
          : `^Connected as the integration ${stage.notion.botName} in ${stage.notion.workspaceName}\\.`,
      ),
    );
    assert.ok(stage.notion.requests.some((r) => r.path === '/v1/users/me' && r.headers.authorization === `Bearer ${NOTION_SECRET}`));
  });

  it('Set Notion Token takes a personal access token: says whom it connected as, and words 404 and 401 for a token that acts as a person', async () => {
    stage.notion.tokenKind = 'pat';
    await storeKeys(stage.api, { gemini: GEMINI_KEY });
    stage.ui.inputs.push(NOTION_SECRET);
    await vscode.commands.executeCommand('visen.setNotionSecret');
    assert.strictEqual(
      stage.ui.last('info')!.message,
      `Connected as ${stage.notion.personName} (personal access token). Visen sees the pages your Notion account can open in the token's workspace.`,
    );

    // An unshared page is no problem for a person; a page their account cannot open is, without "share it with the integration".
    const unshared = stage.notion.addPage({ title: 'Not shared with any integration', shared: false });
    const closed = stage.notion.addPage({ title: "Someone else's", shared: false, personAccess: false });
    stage.ui.inputs.push(closed.url, unshared.url);
    const asked = stage.ui.asked.length;
    await vscode.commands.executeCommand('visen.generateToPage');
    const box = stage.ui.asked[asked];
    assert.ok(box, `the link box: ${JSON.stringify(stage.ui.messages)}`);
    assert.match(
      box.problems[0],
      /^Notion can't find this page, or your Notion account cannot open it\. Check the link, or ask the page's owner to give you access\.$/,
    );
    assert.ok(!box.problems.some((p) => /integration|Connections/.test(p)), 'no sharing with an integration is suggested');
    assert.strictEqual(box.problems.length, 1, 'the unshared page was taken');

    // The token expired: Notion answers 401, and Visen, remembering the token's kind, says where to make a new one.
    stage.notion.validTokens.delete(NOTION_SECRET);
    await assert.rejects(stage.api.generation.service.resolvePage(unshared.url), (e: Error) =>
      /^Notion rejected your personal access token: it may have expired \(they last a year\) or been revoked\. Make a new one at notion\.so\/developers\/tokens, then run "Visen: Set Notion Token"\.$/.test(
        e.message,
      ),
    );
  });

  it('does not store a secret that was never accepted', async () => {
    stage.ui.inputs.push('secret_wrong_value');
    await vscode.commands.executeCommand('visen.setNotionSecret');
    assert.strictEqual(await stage.api.secrets.get('visen.notion.secret'), undefined);
    assert.strictEqual(stage.ui.messages.length, 0, 'leaving the box says nothing more');
  });

  it('Set Gemini API Key checks the key by listing models', async () => {
    stage.ui.inputs.push('AIza-wrong', GEMINI_KEY);
    await vscode.commands.executeCommand('visen.setGeminiKey');
    assert.match(stage.ui.asked[0].problems[0], /^Gemini rejected the API key\. Paste a key from Google AI Studio here\.$/);
    assert.strictEqual(await stage.api.secrets.get('visen.gemini.apiKey'), GEMINI_KEY);
    assert.match(stage.ui.last('info')!.message, /Google Gemini key saved: it can use \d+ text models/);
    assert.ok(stage.gemini.requests.some((r) => /\/models/.test(r.path) && r.headers['x-goog-api-key'] === GEMINI_KEY));
  });

  it('Set OpenAI API Key checks the key against the configured server', async () => {
    stage.ui.inputs.push('sk-wrong', OPENAI_KEY);
    await vscode.commands.executeCommand('visen.setOpenAIKey');
    assert.match(stage.ui.asked[0].problems[0], /^OpenAI rejected the API key\. Paste a key from platform\.openai\.com here\.$/);
    assert.strictEqual(await stage.api.secrets.get('visen.openai.apiKey'), OPENAI_KEY);
  });

  it('says when the key cannot be checked because the server is down, and stores nothing', async () => {
    await vscode.workspace.getConfiguration('visen').update('openai.baseUrl', 'http://127.0.0.1:9/v1', vscode.ConfigurationTarget.Global);
    try {
      stage.ui.inputs.push(OPENAI_KEY);
      await vscode.commands.executeCommand('visen.setOpenAIKey');
      assert.match(stage.ui.asked[0].problems[0], /Could not reach the OpenAI server/);
      assert.strictEqual(await stage.api.secrets.get('visen.openai.apiKey'), undefined);
    } finally {
      await vscode.workspace.getConfiguration('visen').update('openai.baseUrl', stage.openai.url, vscode.ConfigurationTarget.Global);
    }
  });

  it('Clear Stored Keys asks first, and clears all keys only when confirmed', async () => {
    await stage.api.secrets.store('visen.notion.secret', NOTION_SECRET);
    await stage.api.secrets.store('visen.gemini.apiKey', GEMINI_KEY);
    await stage.api.secrets.store('visen.openai.apiKey', OPENAI_KEY);

    await vscode.commands.executeCommand('visen.clearKeys');
    assert.strictEqual(stage.ui.last('confirm')!.actions[0], 'Clear Keys');
    assert.strictEqual(
      stage.ui.last('confirm')!.message,
      'Clear the Notion token and the Gemini and OpenAI keys stored by Visen?',
      'every engine key of the registry is named',
    );
    assert.strictEqual(await stage.api.secrets.get('visen.notion.secret'), NOTION_SECRET, 'dismissing keeps them');

    stage.ui.respond = (m) => (m.level === 'confirm' ? 'Clear Keys' : undefined);
    await vscode.commands.executeCommand('visen.clearKeys');
    for (const name of ['visen.notion.secret', 'visen.gemini.apiKey', 'visen.openai.apiKey'] as const) {
      assert.strictEqual(await stage.api.secrets.get(name), undefined, `${name} is cleared`);
    }
  });

  it('keeps keys out of settings and the log', async () => {
    stage.ui.inputs.push('secret_wrong_but_long_value', NOTION_SECRET, GEMINI_KEY);
    await vscode.commands.executeCommand('visen.setNotionSecret');
    stage.ui.inputs.push(GEMINI_KEY);
    await vscode.commands.executeCommand('visen.setGeminiKey');
    const settings = JSON.stringify(vscode.workspace.getConfiguration('visen'));
    const log = await visenLog(stage.api);
    assert.match(log, /Connected as/, "the log file was found and holds the key commands' lines");
    for (const key of [NOTION_SECRET, GEMINI_KEY, 'secret_wrong_but_long_value']) {
      assert.ok(!settings.includes(key), 'no key in settings');
      assert.ok(!log.includes(key), 'no key in the log');
    }
  });
});
