import * as l10n from '@vscode/l10n';
import type { Connection } from '../services/connections/connection';
import type { ConnectionRepository } from '../services/connections/connectionRepository';
import {
  MAX_TEMPLATE_NAME,
  MAX_TEMPLATES,
  type PromptTemplate,
  templateNameTooLong,
  tooManyTemplates,
} from '../services/connections/promptTemplate';
import { promptProblem } from '../services/generation/prompt';

// The prompt templates of a connection, for every surface (the connection form, the Command Palette):
// list, save (a name already there is overwritten), rename and delete. Templates live on the connection
// in VS Code's state only; the connections database in Notion never sees them.

export type { PromptTemplate } from '../services/connections/promptTemplate';

type TemplateDeps = { readonly connections: ConnectionRepository };

/** Names are compared as people read them: trimmed, any case. */
const sameName = (a: string, b: string) => a.trim().toLocaleLowerCase() === b.trim().toLocaleLowerCase();

/** The connection's templates, in the order they were saved. */
export function listTemplates(connection: Connection | undefined): readonly PromptTemplate[] {
  return connection?.templates ?? [];
}

/** The template of `connection` named `name` (any case), if there is one. */
export function findTemplate(connection: Connection | undefined, name: string): PromptTemplate | undefined {
  return listTemplates(connection).find((t) => sameName(t.name, name));
}

/** What is wrong with a name for a template; undefined when it can be saved. */
export function templateNameProblem(name: string): string | undefined {
  if (!name.trim()) return l10n.t('Type a name for the template.');
  if (name.trim().length > MAX_TEMPLATE_NAME) return templateNameTooLong(name.trim().length);
  return undefined;
}

export interface SavedTemplate {
  readonly template: PromptTemplate;
  /** A template of that name was there, and now holds this prompt. */
  readonly replaced: boolean;
}

/** Saves `prompt` as it was typed (variables unfilled) under `name`; a template of that name gets the new prompt. */
export async function saveTemplate(deps: TemplateDeps, connectionId: string, name: string, prompt: string): Promise<SavedTemplate> {
  const problem = templateNameProblem(name) ?? promptProblem(prompt);
  if (problem) throw new Error(problem);
  const template: PromptTemplate = { name: name.trim(), prompt: prompt.trim() };
  let replaced = false;
  await change(deps, connectionId, (templates) => {
    const index = templates.findIndex((t) => sameName(t.name, template.name));
    replaced = index >= 0;
    if (replaced) return templates.map((t, i) => (i === index ? template : t));
    if (templates.length >= MAX_TEMPLATES) throw new Error(tooManyTemplates());
    return [...templates, template];
  });
  return { template, replaced };
}

/** Gives a template another name; a name another template has is refused. */
export async function renameTemplate(deps: TemplateDeps, connectionId: string, from: string, to: string): Promise<PromptTemplate> {
  const problem = templateNameProblem(to);
  if (problem) throw new Error(problem);
  let renamed: PromptTemplate | undefined;
  await change(deps, connectionId, (templates) => {
    const index = templates.findIndex((t) => sameName(t.name, from));
    if (index < 0) throw new Error(missing(from));
    if (templates.some((t, i) => i !== index && sameName(t.name, to))) {
      throw new Error(l10n.t('There is already a template named "{0}": choose another name, or delete that one first.', to.trim()));
    }
    renamed = { ...templates[index], name: to.trim() };
    return templates.map((t, i) => (i === index ? renamed! : t));
  });
  return renamed!;
}

/** Deletes the template named `name`; false when there was none. */
export async function deleteTemplate(deps: TemplateDeps, connectionId: string, name: string): Promise<boolean> {
  let deleted = false;
  await change(deps, connectionId, (templates) => {
    const kept = templates.filter((t) => !sameName(t.name, name));
    deleted = kept.length < templates.length;
    return kept;
  });
  return deleted;
}

/** Changes the templates of the connection as stored now (another window may have added one). */
async function change(
  deps: TemplateDeps,
  connectionId: string,
  edit: (templates: readonly PromptTemplate[]) => PromptTemplate[],
): Promise<void> {
  const updated = await deps.connections.update(connectionId, (c) => {
    const { templates: current, ...rest } = c;
    const templates = edit(current ?? []);
    return templates.length > 0 ? { ...rest, templates } : rest;
  });
  if (!updated) throw new Error(l10n.t('This connection no longer exists: it was deleted, here or in another window.'));
}

function missing(name: string): string {
  return l10n.t('There is no template named "{0}" any more: it was deleted, here or in another window.', name.trim());
}
