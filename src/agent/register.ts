import * as path from 'node:path';
import * as vscode from 'vscode';
import type { WorkflowDeps } from '../workflows/deps';

/** The language-model tools' names (package.json `languageModelTools`). */
const TOOL_NAMES = ['visen_listConnections', 'visen_readPage', 'visen_writeToPage', 'visen_addDatabaseEntry'] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

type AgentModule = typeof import('./agent');
let agent: AgentModule | undefined;

/** The tools' and @visen's code, required on first use (a bundle of its own: activation does not parse it). */
function loadAgent(): AgentModule {
  agent ??= require(path.join(__dirname, 'agent.js')) as AgentModule;
  return agent;
}

/** Registers the four tools and @visen; their handlers load on the first call. */
export function registerAgent(deps: WorkflowDeps, extensionUri: vscode.Uri): vscode.Disposable {
  const tools = TOOL_NAMES.map((name) =>
    vscode.lm.registerTool<object>(name, {
      prepareInvocation: (options) => loadAgent().prepareTool(deps, name, options.input),
      invoke: (options, token) => loadAgent().invokeTool(deps, name, options.input, token),
    }),
  );
  const participant = vscode.chat.createChatParticipant('visen.chat', (request, context, stream, token) =>
    loadAgent().handleChat(deps, request, context, stream, token),
  );
  participant.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
  participant.followupProvider = { provideFollowups: (result) => loadAgent().followups(deps, result) };
  return vscode.Disposable.from(...tools, participant);
}
