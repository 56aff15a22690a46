import * as vscode from 'vscode';
import type { WriteMode, WritePlan } from '../services/generation/generationRecord';
import type { LostPlace } from '../services/generation/pageEditor';
import type { PageHeading } from '../services/notion/pageHeadings';
import type { WorkflowDeps } from './deps';

/**
 * The place of a run into a page, settled as it starts: "after a heading" asks which one, from the page's
 * top-level headings (unless the surface's form chose one already). A page without headings says so and
 * offers to append instead. Undefined: dismissed.
 */
export async function choosePlace(
  deps: WorkflowDeps,
  page: { readonly id: string; readonly title: string },
  mode: WriteMode,
  heading?: string,
): Promise<WritePlan | undefined> {
  if (mode !== 'afterHeading') return { mode };
  if (heading) return { mode, afterBlock: heading };
  const headings = await deps.ui.progress(vscode.l10n.t('Visen: reading the headings of "{0}"…', page.title), (_report, signal) =>
    deps.generation.service.headings(page.id, signal),
  );
  if (headings.length === 0) {
    const append = vscode.l10n.t('Append at the End');
    const answer = await deps.ui.confirm(
      vscode.l10n.t('"{0}" has no headings to write after.', page.title),
      vscode.l10n.t('Add a heading in Notion to write under it, or append the text at the end of the page.'),
      append,
    );
    return answer === append ? { mode: 'append' } : undefined;
  }
  const picked = await deps.ui.pick(
    headings.map((h) => ({ label: headingLabel(h), id: h.id })),
    {
      title: vscode.l10n.t('Visen: write after which heading of "{0}"?', page.title),
      placeHolder: vscode.l10n.t('The text goes right after the heading you choose'),
    },
  );
  return picked ? { mode, afterBlock: picked.id } : undefined;
}

/**
 * Retry Write found neither the run's blocks nor its heading in the page: asks where the rest goes, right after
 * one of the page's headings (in page order, with their level) or at the end of the page. Undefined: dismissed,
 * nothing is written and Retry Write stays offered.
 */
export async function choosePlaceLost(
  deps: WorkflowDeps,
  page: { readonly id: string; readonly title: string },
): Promise<LostPlace | undefined> {
  const headings = await deps.generation.service.headings(page.id);
  const end = { label: vscode.l10n.t('At the end of the page'), id: undefined };
  const picked = await deps.ui.pick([...headings.map((h) => ({ label: headingLabel(h), id: h.id as string | undefined })), end], {
    title: vscode.l10n.t('Visen: where should the rest of the text go in "{0}"?', page.title),
    placeHolder: vscode.l10n.t(
      'Neither the blocks this generation wrote nor the heading it went after are in the page any more: choose where the rest goes',
    ),
  });
  if (!picked) return undefined;
  return picked.id === undefined ? 'end' : { after: picked.id };
}

/** A heading as a pick offers it: its level as #s, then its text. */
function headingLabel(heading: PageHeading): string {
  return `${'#'.repeat(heading.level)} ${heading.text || vscode.l10n.t('(empty heading)')}`;
}

/** A heading as it is named in words ("## Risks"): its text, without the #s, trimmed. */
export const headingText = (name: string): string => name.replace(/^#+\s*/, '').trim();

/** How headings are matched: by their text, in any case. */
const headingKey = (name: string): string => headingText(name).toLocaleLowerCase();

/** The heading a text names (the first of that text, when several share it); undefined when none does. */
export function headingNamed(headings: readonly PageHeading[], text: string): PageHeading | undefined {
  const key = headingKey(text);
  return key ? headings.find((h) => headingKey(h.text) === key) : undefined;
}

/** A page's headings as a list in words: "## Risks", "# Plan" (quoted, comma-separated). */
export function headingList(headings: readonly PageHeading[]): string {
  return headings.map((h) => `"${'#'.repeat(h.level)} ${h.text}"`).join(', ');
}
