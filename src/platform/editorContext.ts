import * as vscode from 'vscode';
import type { EditorContextSource, EditorVariable, VariableValue } from '../workflows/promptVariables';

/**
 * The slice of the Git extension's API (`vscode.git`, API version 1) read here; the shapes are those of
 * microsoft/vscode extensions/git/src/api/git.d.ts.
 */
interface GitRepository {
  readonly rootUri: vscode.Uri;
  /** `git diff`, or with `cached` `git diff --cached` (the staged changes). */
  diff(cached?: boolean): Promise<string>;
}

interface GitApi {
  readonly state: 'uninitialized' | 'initialized';
  readonly onDidChangeState: vscode.Event<'uninitialized' | 'initialized'>;
  readonly repositories: GitRepository[];
  getRepository(uri: vscode.Uri): GitRepository | null;
}

interface GitExtension {
  readonly enabled: boolean;
  getAPI(version: 1): GitApi;
}

/** How long to wait for the Git extension to find the repositories when it has only just started. */
const GIT_READY_MS = 5000;

/** Editors whose text is not the user's: the Output panel shows in one. */
const NOT_USER_TEXT = new Set(['output', 'debug', 'vscode-terminal']);

/**
 * Reads the editor for the prompt variables. A prompt is typed into a webview or a quick input, which have
 * focus when it is sent, so this keeps the last text editor that was active rather than only asking VS Code
 * which is active now.
 */
export class EditorContext implements EditorContextSource, vscode.Disposable {
  private last: vscode.TextEditor | undefined;
  private readonly listener: vscode.Disposable;

  constructor() {
    this.remember(vscode.window.activeTextEditor);
    this.listener = vscode.window.onDidChangeActiveTextEditor((editor) => this.remember(editor));
  }

  dispose(): void {
    this.listener.dispose();
  }

  /** The text editor the user works in: the active one, else the last one active while its tab is still open. */
  editor(): vscode.TextEditor | undefined {
    const active = vscode.window.activeTextEditor;
    if (active && !NOT_USER_TEXT.has(active.document.uri.scheme)) return active;
    const last = this.last;
    if (!last || last.document.isClosed) return undefined;
    // A closed tab's document may stay loaded for a while: only a tab still showing it counts.
    const uri = last.document.uri.toString();
    const open = vscode.window.tabGroups.all.some((group) =>
      group.tabs.some((tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === uri),
    );
    return open ? last : undefined;
  }

  async read(name: EditorVariable): Promise<VariableValue> {
    if (name === 'workspaceFolder') {
      const folder = this.folder();
      return folder ? { value: folder.uri.scheme === 'file' ? folder.uri.fsPath : folder.uri.toString() } : { missing: 'noWorkspace' };
    }
    if (name === 'gitDiff') return this.gitDiff();
    const editor = this.editor();
    if (!editor) return { missing: 'noEditor' };
    const document = editor.document;
    switch (name) {
      case 'selection': {
        const text = editor.selections
          .filter((s) => !s.isEmpty)
          .map((s) => document.getText(s))
          .join('\n');
        return text.trim() ? { value: text } : { missing: 'noSelection' };
      }
      case 'file':
        return { value: document.getText() };
      case 'fileName':
        // Its path in the workspace; a file from elsewhere is named without the folders it sits in.
        return {
          value: vscode.workspace.getWorkspaceFolder(document.uri)
            ? vscode.workspace.asRelativePath(document.uri, false)
            : document.uri.path.split('/').pop() || document.fileName,
        };
      case 'language':
        return { value: document.languageId };
    }
  }

  private remember(editor: vscode.TextEditor | undefined): void {
    if (editor && !NOT_USER_TEXT.has(editor.document.uri.scheme)) this.last = editor;
  }

  /** The workspace folder of the file in the editor, else the first one. */
  private folder(): vscode.WorkspaceFolder | undefined {
    const document = this.editor()?.document;
    return (document && vscode.workspace.getWorkspaceFolder(document.uri)) || vscode.workspace.workspaceFolders?.[0];
  }

  /** The staged changes of the file's (or folder's) repository, else its working tree's changes. */
  private async gitDiff(): Promise<VariableValue> {
    const git = await gitApi();
    if (!git) return { missing: 'noGit' };
    const document = this.editor()?.document;
    const folder = this.folder();
    const repository =
      (document?.uri.scheme === 'file' ? git.getRepository(document.uri) : null) ??
      (folder ? git.getRepository(folder.uri) : null) ??
      (git.repositories.length === 1 ? git.repositories[0] : undefined);
    if (!repository) return { missing: 'noRepository' };
    const staged = await repository.diff(true);
    if (staged.trim()) return { value: staged };
    const unstaged = await repository.diff(false);
    return unstaged.trim() ? { value: unstaged } : { missing: 'noChanges' };
  }
}

async function gitApi(): Promise<GitApi | undefined> {
  const extension = vscode.extensions.getExtension<GitExtension>('vscode.git');
  if (!extension) return undefined;
  let api: GitApi;
  try {
    const exports = extension.isActive ? extension.exports : await extension.activate();
    if (!exports?.enabled) return undefined;
    api = exports.getAPI(1);
  } catch {
    // getAPI throws while the extension is disabled.
    return undefined;
  }
  if (api.state === 'uninitialized') {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, GIT_READY_MS);
      const listener = api.onDidChangeState((state) => {
        if (state === 'initialized') done();
      });
      function done() {
        clearTimeout(timer);
        listener.dispose();
        resolve();
      }
    });
  }
  return api;
}
