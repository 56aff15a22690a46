import * as vscode from 'vscode';
import type { Connection } from '../services/connections/connection';
import { NotionError } from '../services/notion/notionErrors';
import { parseNotionUrl } from '../services/notion/notionUrl';
import { databaseConnectionFor, type NotionPageRef, resolveDatabase } from '../workflows/databaseEntry';
import { MissingKeyError, type WorkflowDeps } from '../workflows/deps';
import type { ConnectionType, ValidationResult } from './connectionProtocol';
import { setNotionSecretAction } from './connectionState';
import { errorMessage } from './formController';

// Step 1 of the connection form: a link checked with Notion, then the connection for it.

/** Checks a URL with Notion; every problem comes back as a result the form shows, never as a failure. */
export async function validateTarget(deps: WorkflowDeps, type: ConnectionType, input: string): Promise<ValidationResult> {
  const url = input.trim();
  if (!url)
    return {
      ok: false,
      problem: 'empty',
      message: type === 'page' ? vscode.l10n.t('Paste the link of a Notion page.') : vscode.l10n.t('Paste the link of a Notion database.'),
    };
  const parsed = parseNotionUrl(url);
  if (!parsed.ok) return { ok: false, problem: 'notNotion', message: parsed.message };
  try {
    const target = await resolve(deps, type, url);
    const existing = deps.connections.findByTarget(target.id);
    return { ok: true, id: target.id, title: target.title, url: target.url, existingConnection: existing?.name };
  } catch (error) {
    return validationProblem(error);
  }
}

/** Step 1's Next: the connection for the target (an existing one is reused), mirrored quietly. */
export async function createConnection(deps: WorkflowDeps, name: string, type: ConnectionType, url: string): Promise<Connection> {
  const target = await resolve(deps, type, url).catch((error: unknown) => {
    const problem = validationProblem(error);
    throw new Error(problem.ok ? errorMessage(error) : problem.message);
  });
  const connection =
    type === 'page'
      ? await deps.generation.service.connectionFor(target, name.trim() || undefined)
      : await databaseConnectionFor(deps, target, name.trim() || undefined);
  deps.log.info(`Connection form: "${connection.name}" (${connection.type}) is ready.`);
  return deps.connections.get(connection.id) ?? connection;
}

async function resolve(deps: WorkflowDeps, type: ConnectionType, url: string): Promise<NotionPageRef> {
  if (type === 'page') return deps.generation.service.resolvePage(url);
  return resolveDatabase(deps, url);
}

function validationProblem(error: unknown): ValidationResult {
  if (error instanceof MissingKeyError) {
    return { ok: false, problem: 'noSecret', message: error.message, action: setNotionSecretAction() };
  }
  if (error instanceof NotionError) {
    switch (error.problem) {
      case 'unauthorized':
        return { ok: false, problem: 'unauthorized', message: error.message, action: setNotionSecretAction() };
      case 'notShared':
        // Worded for the token's kind (a person's token has nothing to share with).
        return { ok: false, problem: 'notShared', message: error.message };
      case 'isDatabase':
        return { ok: false, problem: 'isDatabase', message: `${error.message} ${vscode.l10n.t('Or choose Notion Database as the type.')}` };
      case 'notPage':
        return { ok: false, problem: 'notNotion', message: error.message };
      case 'isPage':
        return { ok: false, problem: 'isPage', message: error.message };
      default:
        return { ok: false, problem: 'other', message: error.message };
    }
  }
  return { ok: false, problem: 'other', message: errorMessage(error) };
}
