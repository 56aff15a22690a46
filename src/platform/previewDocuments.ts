import * as vscode from 'vscode';

const SCHEME = 'visen-preview';
/** Previews kept for a preview tab that is reopened or refreshed; older ones are dropped. */
const KEPT = 20;

/**
 * Markdown Visen shows and nobody edits (the Fill Database Rows preview), as read-only documents of their
 * own scheme: closing one never asks to save it, as an untitled document would.
 */
export class PreviewDocuments implements vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private next = 1;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(SCHEME, {
    provideTextDocumentContent: (uri) =>
      this.contents.get(uri.query) ?? vscode.l10n.t('This preview is no longer available: run the command again.'),
  });

  /** Opens `markdown` rendered; the tab is named after its first heading. */
  async show(markdown: string): Promise<void> {
    const id = String(this.next++);
    this.contents.set(id, markdown);
    for (const old of this.contents.keys()) {
      if (this.contents.size <= KEPT) break;
      this.contents.delete(old);
    }
    const heading = /^# (.+)$/m.exec(markdown)?.[1] ?? '';
    const name =
      heading
        .replace(/[^\p{L}\p{N} -]+/gu, '')
        .replace(/\s+/g, ' ')
        .trim()
        .slice(0, 60) || 'Visen';
    const document = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: SCHEME, path: `/${name}.md`, query: id }));
    await vscode.commands.executeCommand('markdown.showPreview', document.uri);
  }

  dispose(): void {
    this.registration.dispose();
    this.contents.clear();
  }
}
