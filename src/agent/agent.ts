import * as vscode from 'vscode';
import type { WorkflowDeps } from '../workflows/deps';
import { followups, handleChat } from './chat';
import { invalidConfirmation, unresolvedConfirmation } from './confirmations';
import type { ToolName } from './register';
import { checkToolInput } from './toolInputs';
import * as tools from './tools';

// The tools' and @visen's code: a bundle of its own (dist/agent.js), required on the first tool call or chat
// request, so starting Visen does not parse it.

export { followups, handleChat };

/** The tools that write to Notion: they always ask first, whatever their input. */
const WRITING_TOOLS: readonly ToolName[] = ['visen_writeToPage', 'visen_addDatabaseEntry'];

/**
 * What VS Code shows before a tool runs. A writing tool always gets a confirmation, never none: VS Code
 * 1.100 runs a tool whose prepareInvocation returns undefined without asking anyone. An input that does
 * not fit its schema gets one that says what is wrong (invoke refuses the same input); a target that could
 * not be looked up gets one that shows it as the agent gave it.
 */
export async function prepareTool(deps: WorkflowDeps, name: ToolName, raw: unknown): Promise<vscode.PreparedToolInvocation | undefined> {
  const checked = checkToolInput(name, raw);
  if (!checked.ok) return WRITING_TOOLS.includes(name) ? invalidConfirmation(name, checked.problem) : undefined;
  try {
    if (name === 'visen_readPage') return tools.prepareRead(checked.input as tools.ReadPageInput);
    if (name === 'visen_writeToPage') return await tools.prepareWrite(deps, checked.input as tools.WriteToPageInput);
    if (name === 'visen_addDatabaseEntry') return await tools.prepareEntry(deps, checked.input as tools.AddEntryInput);
    return undefined;
  } catch (error) {
    deps.log.warn(`${name}: the confirmation could not name the target: ${error instanceof Error ? error.message : String(error)}`);
    const input = checked.input as { target: string; markdown?: string; content?: string };
    return unresolvedConfirmation(name, input.target, tools.problemText(error), input.markdown ?? input.content);
  }
}

export async function invokeTool(
  deps: WorkflowDeps,
  name: ToolName,
  raw: unknown,
  token: vscode.CancellationToken,
): Promise<vscode.LanguageModelToolResult> {
  const checked = checkToolInput(name, raw);
  if (!checked.ok) {
    deps.log.warn(`${name}: ${checked.problem}`);
    return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(checked.problem)]);
  }
  const input = checked.input;
  try {
    switch (name) {
      case 'visen_listConnections':
        return tools.listConnections(deps);
      case 'visen_readPage':
        return await tools.readPage(deps, input as tools.ReadPageInput);
      case 'visen_writeToPage':
        return await tools.writeToPage(deps, input as tools.WriteToPageInput, token);
      case 'visen_addDatabaseEntry':
        return await tools.addDatabaseEntry(deps, input as tools.AddEntryInput, token);
    }
  } catch (error) {
    deps.log.warn(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(tools.problemText(error))]);
  }
}
