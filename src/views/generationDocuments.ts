import * as vscode from 'vscode';
import type { GenerationRecord, GenerationStore } from '../workflows/history';

const SCHEME = 'visen-generation';

/** A read-only document showing what a generation wrote, opened from the tree. */
export function generationUri(record: GenerationRecord): vscode.Uri {
  const name =
    record.prompt
      .replace(/[^\p{L}\p{N} -]+/gu, '')
      .trim()
      .slice(0, 40) || 'generation';
  return vscode.Uri.from({ scheme: SCHEME, path: `/${name}.md`, query: record.id });
}

export function registerGenerationDocuments(generations: GenerationStore): vscode.Disposable {
  return vscode.workspace.registerTextDocumentContentProvider(SCHEME, {
    provideTextDocumentContent: (uri) => {
      const record = generations.get(uri.query);
      if (!record) return vscode.l10n.t('This generation is no longer in the history.');
      return record.markdown;
    },
  });
}
