// Where developers already work: editor variables in prompts, Generate from Selection, {{page}}, and the
// fill preview, against a real editor, a real Git repository and the loopback stand-ins.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { FormState, HostMessage } from '../../src/views/connectionProtocol';
import type { ConnectionFormController } from '../../src/views/connectionPanel';
import { FakeWebview } from './support/fakeWebview';
import { connectPage, GEMINI_KEY, NOTION_SECRET, setSetting, useStage } from './support/visen';

/** A folder of its own under the system's temp folder, removed after the suite. */
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'visen-editor-'));
/** Files of the workspace are named by their path in it. */
const inWorkspace = () => {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests run in a workspace');
  return fs.mkdtempSync(path.join(folder.uri.fsPath, 'visen-editor-'));
};

/** A real file in `folder`, opened in an editor; `select` selects [start, end) of its text. */
async function openFile(folder: string, name: string, text: string, select?: [number, number]): Promise<vscode.TextEditor> {
  const file = path.join(folder, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  const editor = await vscode.window.showTextDocument(vscode.Uri.file(file));
  if (select) editor.selection = new vscode.Selection(editor.document.positionAt(select[0]), editor.document.positionAt(select[1]));
  return editor;
}

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    assert.ok(Date.now() < deadline, 'timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const closeEditors = () => vscode.commands.executeCommand('workbench.action.closeAllEditors');

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' });
}

/** VS Code's Git extension API (version 1), the slice these tests use. */
interface GitApi {
  openRepository(root: vscode.Uri): Promise<unknown>;
}

describe('Editor context in prompts', () => {
  let workspace: string;
  let relative: string;
  before(() => {
    workspace = inWorkspace();
    relative = path.basename(workspace);
  });
  const stage = useStage({
    keys: { notion: NOTION_SECRET, gemini: GEMINI_KEY },
    beforeClose: () => [scratch, workspace].forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })),
  });
  afterEach(closeEditors);

  /** The prompt the engine was last sent. */
  const sent = (): string => {
    const body = stage.gemini.requests.at(-1)?.body as { contents?: Array<{ parts?: Array<{ text?: string }> }> } | undefined;
    return (
      body?.contents
        ?.at(-1)
        ?.parts?.map((p) => p.text ?? '')
        .join('') ?? ''
    );
  };
  const latest = () => stage.api.generations.latest()!;

  describe('Generate to Notion from Selection', () => {
    it('sends the selected text, fenced in its language, with the instruction typed, to the page chosen', async () => {
      const page = stage.notion.addPage({ title: 'Release Notes' });
      await connectPage(stage.api, page);
      const text = 'intro\nfunction add(a, b) { return a + b; }\noutro\n';
      await openFile(workspace, 'src/math.js', text, [6, 6 + 'function add(a, b) { return a + b; }'.length]);
      stage.ui.inputs.push('Summarise as release notes');
      stage.ui.picks.push((item) => item.label.includes('Release Notes'));
      await vscode.commands.executeCommand('visen.generateFromSelection');

      assert.strictEqual(stage.ui.asked.length, 1, 'one box: the instruction');
      assert.match(stage.ui.asked[0].title, /selected text \(36 characters\)/);
      assert.match(stage.ui.asked[0].prompt ?? '', /\$\{selection\}.*\{\{page\}\}/, 'the box lists the variables');
      const prompt = latest().prompt;
      assert.strictEqual(
        prompt,
        `Summarise as release notes\n\nText selected in ${relative}/src/math.js (javascript):\n\n\`\`\`javascript\nfunction add(a, b) { return a + b; }\n\`\`\``,
      );
      assert.strictEqual(sent(), prompt, 'the engine got the instruction and the text');
      assert.ok(!prompt.includes('intro'), 'only the selection');
      assert.match(stage.ui.last('info')!.message, /^Wrote \d+ blocks? to "Release Notes"\.$/);
    });

    it('sends the whole file when nothing is selected, naming it, with a fence longer than any in it', async () => {
      const page = stage.notion.addPage({ title: 'Docs' });
      await connectPage(stage.api, page);
      const text = '# Guide\n\n```sh\nnpm test\n```\n';
      await openFile(workspace, 'docs/guide.md', text);
      stage.ui.inputs.push('Turn this into a how-to');
      stage.ui.picks.push((item) => item.label.includes('Docs'));
      await vscode.commands.executeCommand('visen.generateFromSelection');

      assert.match(stage.ui.asked[0].title, /guide\.md/);
      assert.strictEqual(
        latest().prompt,
        `Turn this into a how-to\n\nThe file ${relative}/docs/guide.md (markdown):\n\n\`\`\`\`markdown\n${text.trimEnd()}\n\`\`\`\``,
      );
    });

    it('without an open file, says to open one or select text, and asks nothing', async () => {
      await closeEditors();
      await vscode.commands.executeCommand('visen.generateFromSelection');
      assert.match(stage.ui.last('warn')!.message, /^Open a file or select text first/);
      assert.strictEqual(stage.ui.asked.length, 0);
      assert.strictEqual(stage.gemini.requests.length, 0);
    });

    it('shows the size of large context and sends it only once agreed', async () => {
      const page = stage.notion.addPage({ title: 'Big' });
      await connectPage(stage.api, page);
      await openFile(scratch, 'big.txt', `${'lorem ipsum '.repeat(2500)}\n`);
      await vscode.commands.executeCommand('visen.generateFromSelection');
      const asked = stage.ui.last('confirm')!;
      assert.match(asked.message, /^Send 30,001 characters \(about 7,501 tokens\) of context from the editor\?$/);
      assert.strictEqual(stage.ui.asked.length, 0, 'declined: no instruction asked');
      assert.strictEqual(stage.gemini.requests.length, 0, 'nothing sent');

      stage.ui.respond = (m) => (m.level === 'confirm' ? 'Send' : undefined);
      stage.ui.inputs.push('Shorten this');
      stage.ui.picks.push((item) => item.label.includes('Big'));
      await vscode.commands.executeCommand('visen.generateFromSelection');
      assert.ok(sent().startsWith('Shorten this\n\nThe file big.txt'), 'sent once agreed');
      assert.strictEqual(latest().status, 'written');
    });
  });

  describe('Secrets in the context', () => {
    it('Generate from Selection asks before a whole .env file goes, and offers to redact its keys; declined, nothing is sent', async () => {
      const page = stage.notion.addPage({ title: 'Setup' });
      await connectPage(stage.api, page);
      // Built here, so no key-shaped string sits in the repository.
      const openaiKey = `sk-proj-${'x'.repeat(48)}`;
      await openFile(workspace, 'deploy/.env', `OPENAI_API_KEY=${openaiKey}\nPORT=8080\n`);
      await vscode.commands.executeCommand('visen.generateFromSelection');
      assert.strictEqual(
        stage.ui.last('confirm')!.message,
        `"${relative}/deploy/.env" looks like a file of secrets. Send it to the engine?`,
      );
      assert.strictEqual(stage.ui.asked.length, 0, 'declined: no instruction asked');
      assert.strictEqual(stage.gemini.requests.length, 0, 'nothing sent');

      stage.ui.respond = (m) => (m.level !== 'confirm' ? undefined : m.actions.includes('Send Anyway') ? 'Send Anyway' : 'Redact and Send');
      stage.ui.inputs.push('Document these settings');
      stage.ui.picks.push((item) => item.label.includes('Setup'));
      await vscode.commands.executeCommand('visen.generateFromSelection');
      const keyQuestion = stage.ui.last('confirm')!;
      assert.strictEqual(keyQuestion.message, 'The context holds a string that looks like a key.');
      assert.ok(!keyQuestion.detail?.includes(openaiKey), 'the key is never shown whole');
      assert.ok(sent().includes('OPENAI_API_KEY=[redacted OpenAI-style API key]\nPORT=8080'), sent());
      assert.ok(!sent().includes(openaiKey), 'the key did not leave');
      assert.strictEqual(latest().status, 'written');
    });
  });

  describe('variables in the prompt boxes', () => {
    it('fills ${selection}, ${fileName} and ${language} in the palette from the editor left for the quick input', async () => {
      const page = stage.notion.addPage({ title: 'Explained' });
      await connectPage(stage.api, page);
      await openFile(workspace, 'lib/parse.py', 'def parse(text):\n    return text.split()\n', [0, 16]);
      stage.ui.picks.push((item) => item.label.includes('Explained'));
      stage.ui.inputs.push('Explain ${selection} from ${fileName} (${language}); keep ${HOME} and ${date}');
      await vscode.commands.executeCommand('visen.generateToPage');
      assert.match(
        stage.ui.asked[0].prompt ?? '',
        /Variables: \$\{selection\} \$\{file\} \$\{fileName\} \$\{language\} \$\{workspaceFolder\} \$\{gitDiff\} \$\{date\} \{\{page\}\}/,
      );
      const today = new Date();
      const date = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
      assert.strictEqual(sent(), `Explain def parse(text): from ${relative}/lib/parse.py (python); keep \${HOME} and ${date}`);
    });

    it('says what to do when ${selection} has nothing to give, and sends nothing', async () => {
      const page = stage.notion.addPage({ title: 'Nothing Selected' });
      await connectPage(stage.api, page);
      await openFile(workspace, 'notes.txt', 'some notes\n');
      stage.ui.picks.push((item) => item.label.includes('Nothing Selected'));
      stage.ui.inputs.push('Explain ${selection}');
      await vscode.commands.executeCommand('visen.generateToPage');
      assert.strictEqual(
        stage.ui.last('error')!.message,
        '${selection} needs selected text: select some in the editor, then generate again.',
      );
      assert.strictEqual(stage.gemini.requests.length, 0);
    });

    it('fills ${selection} in the connection form, whose webview has the focus, from the last text editor', async () => {
      const page = stage.notion.addPage({ title: 'Form Page' });
      const connection = await connectPage(stage.api, page);
      await openFile(scratch, 'form.ts', 'const answer = 42;\n', [0, 18]);
      // The form is a webview over the editor: while it has the focus, VS Code reports no active text editor.
      const panel = vscode.window.createWebviewPanel('visen.test', 'Form', vscode.ViewColumn.Active, {});
      await waitUntil(() => vscode.window.activeTextEditor === undefined);
      const webview = new FakeWebview<HostMessage, FormState, ConnectionFormController>((post) =>
        stage.api.forms.connection(post, { connectionId: connection.id }),
      );
      try {
        await webview.send({ type: 'ready' });
        await webview.send({
          type: 'generate',
          prompt: 'Document ${selection}',
          engine: 'gemini',
          model: 'gemini-2.5-flash',
          writeMode: 'append',
        });
        assert.strictEqual(sent(), 'Document const answer = 42;');
        assert.strictEqual(webview.of('result').at(-1)?.result.status, 'written');

        await webview.send({
          type: 'generate',
          prompt: 'Review ${gitDiff}',
          engine: 'gemini',
          model: 'gemini-2.5-flash',
          writeMode: 'append',
        });
        const result = webview.of('result').at(-1)!.result;
        assert.strictEqual(result.status, 'failed');
        assert.match(result.message, /^\$\{gitDiff\} found no Git repository open in VS Code/, 'a file outside any repository');
      } finally {
        webview.controller.dispose();
        panel.dispose();
      }
    });

    it("fills ${gitDiff} from a real repository: the staged changes, else the working tree's", async () => {
      // Inside the workspace, as a developer's repository is (VS Code does not open repositories outside it here).
      const repo = path.join(workspace, 'repo');
      fs.mkdirSync(repo, { recursive: true });
      git(repo, 'init', '-q', '-b', 'main');
      git(repo, 'config', 'user.email', 'test@example.com');
      git(repo, 'config', 'user.name', 'Test');
      fs.writeFileSync(path.join(repo, 'app.txt'), 'version 1\n');
      git(repo, 'add', 'app.txt');
      git(repo, 'commit', '-q', '-m', 'first');
      fs.writeFileSync(path.join(repo, 'app.txt'), 'version 2 staged\n');
      git(repo, 'add', 'app.txt');
      fs.writeFileSync(path.join(repo, 'notes.txt'), 'untracked\n');
      const extension = vscode.extensions.getExtension<{ getAPI(v: 1): GitApi }>('vscode.git');
      assert.ok(extension, "VS Code's Git extension is there");
      const api = (extension.isActive ? extension.exports : await extension.activate()).getAPI(1);
      await api.openRepository(vscode.Uri.file(repo));
      await vscode.window.showTextDocument(vscode.Uri.file(path.join(repo, 'app.txt')));

      const page = stage.notion.addPage({ title: 'Changes' });
      await connectPage(stage.api, page);
      stage.ui.picks.push((item) => item.label.includes('Changes'));
      stage.ui.inputs.push('Release notes for ${gitDiff}');
      await vscode.commands.executeCommand('visen.generateToPage');
      assert.match(sent(), /^Release notes for diff --git a\/app\.txt b\/app\.txt\n/, JSON.stringify(stage.ui.messages));
      assert.match(sent(), /\n-version 1\n\+version 2 staged(\n|$)/, `the staged change: ${JSON.stringify(sent())}`);

      git(repo, 'commit', '-q', '-m', 'second');
      fs.writeFileSync(path.join(repo, 'app.txt'), 'version 3 unstaged\n');
      stage.ui.picks.push((item) => item.label.includes('Changes'));
      stage.ui.inputs.push('Release notes for ${gitDiff}');
      await vscode.commands.executeCommand('visen.generateToPage');
      assert.match(sent(), /\n-version 2 staged\n\+version 3 unstaged(\n|$)/, "nothing staged: the working tree's change");

      fs.writeFileSync(path.join(repo, 'app.txt'), 'version 2 staged\n');
      stage.ui.picks.push((item) => item.label.includes('Changes'));
      stage.ui.inputs.push('Release notes for ${gitDiff}');
      const before = stage.gemini.requests.length;
      await vscode.commands.executeCommand('visen.generateToPage');
      assert.strictEqual(
        stage.ui.last('error')!.message,
        '${gitDiff} has nothing to give: the repository has no staged or unstaged changes.',
      );
      assert.strictEqual(stage.gemini.requests.length, before, 'nothing sent');
    });
  });

  describe('{{page}}', () => {
    it("gives the engine the page's current content, and the record keeps the prompt as typed", async () => {
      const page = stage.notion.addPage({ title: 'Meeting', markdown: 'We agreed to ship on **Friday**.\n\n- Ana: tests\n- Bo: docs' });
      await connectPage(stage.api, page);
      stage.ui.picks.push((item) => item.label.includes('Meeting'));
      stage.ui.inputs.push('Summarise {{page}}');
      await vscode.commands.executeCommand('visen.generateToPage');
      assert.match(sent(), /^Summarise We agreed to ship on \*\*Friday\*\*\.\n\n- Ana: tests\n- Bo: docs/);
      assert.strictEqual(latest().prompt, 'Summarise {{page}}');
      assert.strictEqual(latest().status, 'written');
    });

    it('asks before a large page goes for {{page}}, with its size, as other context; declined, nothing is sent or written', async () => {
      const body = 'A long paragraph of meeting notes. '.repeat(700).trim();
      const page = stage.notion.addPage({ title: 'Minutes', markdown: body });
      await connectPage(stage.api, page);
      const before = stage.notion.pageBlocks(page.id).map((b) => b.id);
      stage.ui.picks.push((item) => item.label.includes('Minutes'));
      stage.ui.inputs.push('Summarise {{page}}');
      await vscode.commands.executeCommand('visen.generateToPage');
      assert.match(
        stage.ui.last('confirm')!.message,
        /^Send 2\d,\d{3} characters \(about \d,\d{3} tokens\) of "Minutes" for \{\{page\}\}\?$/,
      );
      assert.strictEqual(stage.gemini.requests.length, 0, 'nothing sent');
      assert.deepStrictEqual(
        stage.notion.pageBlocks(page.id).map((b) => b.id),
        before,
        'nothing written',
      );

      stage.ui.respond = (m) => (m.level === 'confirm' ? 'Send' : undefined);
      stage.ui.picks.push((item) => item.label.includes('Minutes'));
      stage.ui.inputs.push('Summarise {{page}}');
      await vscode.commands.executeCommand('visen.generateToPage');
      assert.ok(sent().startsWith('Summarise A long paragraph'), 'sent once agreed');
      assert.strictEqual(latest().status, 'written');
    });

    it('translates a page in replace mode: read before it is cleared, and Undo brings the original back', async () => {
      await setSetting('writeMode', 'replace');
      const page = stage.notion.addPage({ title: 'Handbook', markdown: 'Welcome to the team.' });
      await connectPage(stage.api, page);
      const original = stage.notion.pageBlocks(page.id).map((b) => b.id);
      stage.gemini.respondWith((req) => (req.prompt.includes('Welcome to the team.') ? 'Willkommen im Team.' : 'The page was empty.'));
      stage.ui.picks.push((item) => item.label.includes('Handbook'));
      stage.ui.inputs.push('Translate {{page}} to German');
      await vscode.commands.executeCommand('visen.generateToPage');
      assert.strictEqual(stage.notion.pageMarkdown(page.id), 'Willkommen im Team.');

      stage.ui.respond = (m) => (m.level === 'confirm' ? m.actions[0] : undefined);
      await vscode.commands.executeCommand('visen.undoLastGeneration', { recordId: latest().id });
      assert.strictEqual(stage.notion.pageMarkdown(page.id), 'Welcome to the team.');
      assert.deepStrictEqual(
        stage.notion.pageBlocks(page.id).map((b) => b.id),
        original,
        'the same blocks, restored',
      );
    });
  });

  it('shows the Fill Database Rows preview as a read-only document, not an untitled one', async () => {
    stage.gemini.respondWith(() => JSON.stringify({ Summary: 'A short summary.' }));
    const db = stage.notion.addDatabase({
      title: 'Reading List',
      properties: { Name: { title: {} }, Summary: { rich_text: {} } },
      rows: [{ Name: 'Dune' }, { Name: 'Emma' }],
    });
    stage.ui.showDocument = async (markdown) => {
      await stage.realUi.showDocument(markdown);
    };
    stage.ui.inputs.push(db.url, 'Summarize "{{Name}}".');
    stage.ui.picks.push(
      (item) => item.label.includes('Summary'),
      (item) => /All rows/.test(item.label),
    );
    await vscode.commands.executeCommand('visen.fillDatabase');

    const preview = vscode.workspace.textDocuments.find((d) => d.getText().includes('# Reading List → property'));
    assert.ok(preview, 'the preview was opened');
    assert.strictEqual(preview.uri.scheme, 'visen-preview');
    assert.strictEqual(preview.isUntitled, false);
    assert.strictEqual(preview.isDirty, false, 'nothing to save');
    assert.match(preview.getText(), /A short summary\./);
    assert.ok(
      !vscode.workspace.textDocuments.some((d) => d.isUntitled && d.getText().includes('A preview: nothing has been written yet.')),
      'no untitled document',
    );
  });
});
