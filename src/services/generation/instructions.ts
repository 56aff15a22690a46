/** Visen's own instructions keep the answer in markdown Notion renders well; the user's come after. */
export function systemInstructions(userInstructions: string): string {
  const base = 'You write content that is inserted directly into a Notion page. Answer with the content only, in GitHub-flavored Markdown: ' +
    'headings, paragraphs, lists, to-do lists (- [ ]), quotes, fenced code blocks with a language, tables and dividers. ' +
    'No preamble, no closing remarks, no wrapping the whole answer in a code fence.';
  return userInstructions ? `${base}\n\n${userInstructions}` : base;
}
