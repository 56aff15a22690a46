/** Visen's own instructions keep the answer in markdown Notion renders well; the user's come after. */
export function systemInstructions(userInstructions: string): string {
  const base =
    'You write content that is inserted directly into a Notion page. Answer with the content only, in GitHub-flavored Markdown: ' +
    'headings, paragraphs, lists, to-do lists (- [ ]), quotes, fenced code blocks with a language, tables and dividers. ' +
    'No preamble, no closing remarks, no wrapping the whole answer in a code fence.';
  return userInstructions ? `${base}\n\n${userInstructions}` : base;
}

/** How much of the earlier answer a continuation shows the model, so it knows where to pick up. */
const CONTINUATION_TAIL = 2000;

/**
 * The prompt that asks for the rest of an answer the model cut at its output limit: the same request, and
 * where the answer in the page ends, so the rest follows on without repeating it.
 */
export function continuationPrompt(prompt: string, written: string): string {
  const tail = written.slice(-CONTINUATION_TAIL);
  return (
    `${prompt}\n\nYour previous answer to this stopped at your output limit. It is already in the page and ends with:\n\n` +
    `<<<\n${tail}\n>>>\n\nContinue exactly where it ends, without repeating anything, as if the two answers were one.`
  );
}

/** The prompt that rewrites an earlier answer as asked ("make it shorter"): the answer replaces the earlier one in the page. */
export function rewritePrompt(request: string, earlier: string): string {
  return (
    `Rewrite your earlier answer below as asked: ${request}\n\nAnswer with the whole new version only; it replaces the earlier one in the page.\n\n` +
    `<<<\n${earlier}\n>>>`
  );
}
