import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { loadNotionSdkBundle } from '../platform/bundles';
import { useNotionSdk } from '../services/notion/sdk';
import type { WorkflowDeps } from '../workflows/deps';
import { followups, handleChat } from './chat';
import type { ToolName } from './register';
import * as tools from './tools';

// The tools' and @visen's code: a bundle of its own (dist/agent.js), required on the first tool call or chat
// request, so starting Visen does not parse it. It carries its own copies of @vscode/l10n and of the Notion SDK's
// accessor: configured here, the SDK from its own bundle as the extension's is.
l10n.config({ contents: vscode.l10n.bundle ?? {} });
useNotionSdk(loadNotionSdkBundle);

export { followups, handleChat };

export async function prepareTool(deps: WorkflowDeps, name: ToolName, input: unknown): Promise<vscode.PreparedToolInvocation | undefined> {
  try {
    if (name === 'visen_writeToPage') return await tools.prepareWrite(deps, input as tools.WriteToPageInput);
    if (name === 'visen_addDatabaseEntry') return await tools.prepareEntry(deps, input as tools.AddEntryInput);
  } catch (error) {
    deps.log.warn(`${name}: the confirmation could not name the target: ${String(error)}`);
  }
  return undefined;
}

export async function invokeTool(deps: WorkflowDeps, name: ToolName, input: unknown, token: vscode.CancellationToken): Promise<vscode.LanguageModelToolResult> {
  try {
    switch (name) {
      case 'visen_listConnections': return tools.listConnections(deps);
      case 'visen_readPage': return await tools.readPage(deps, input as tools.ReadPageInput);
      case 'visen_writeToPage': return await tools.writeToPage(deps, input as tools.WriteToPageInput, token);
      case 'visen_addDatabaseEntry': return await tools.addDatabaseEntry(deps, input as tools.AddEntryInput, token);
    }
  } catch (error) {
    deps.log.warn(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(tools.problemText(error))]);
  }
}
