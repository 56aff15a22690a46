import * as assert from 'assert';
import * as vscode from 'vscode';

const EXTENSION_ID = 'visen.visen';

describe('activation', () => {
  it('is installed as visen.visen', () => {
    assert.ok(vscode.extensions.getExtension(EXTENSION_ID), `${EXTENSION_ID} is not loaded`);
  });

  it('activates without throwing', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    await extension.activate();
    assert.strictEqual(extension.isActive, true);
  });

  it('registers its commands', async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
    const commands = new Set(await vscode.commands.getCommands(true));
    for (const command of ['visen.generateToPage', 'visen.setNotionSecret', 'visen.showLog']) {
      assert.ok(commands.has(command), `${command} is not registered`);
    }
  });
});
