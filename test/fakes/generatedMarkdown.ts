// The default "model output" of both engine fakes: deterministic for a given prompt and exercising every block
// type the Notion side has to handle.

/** A short, readable subject line derived from the prompt. */
function subjectOf(prompt: string): string {
  const oneLine = prompt.replace(/\s+/g, ' ').trim();
  if (!oneLine) return 'Untitled idea';
  return oneLine.length > 60 ? `${oneLine.slice(0, 57).trimEnd()}...` : oneLine;
}

/** Markdown-safe version of the subject for inline use (no emphasis or link syntax sneaking in). */
function escapeInline(text: string): string {
  return text.replace(/([\\`*_[\]~<>|#])/g, '\\$1');
}

export function defaultGeneratedMarkdown(prompt: string): string {
  const subject = escapeInline(subjectOf(prompt));
  const words = prompt.split(/\s+/).filter(Boolean).length;
  return [
    `# ${subject}`,
    `This page was drafted from a prompt of **${words} word${words === 1 ? '' : 's'}**. It covers the *essentials*, a few ~~rough~~ refined ideas, the \`visen\` workflow and [a link](https://example.com) for further reading.`,
    '## Key points',
    ['- Start with a **clear goal** for the page', '- Keep each section *short* and focused', '- Use `inline code` for identifiers'].join(
      '\n',
    ),
    '## Steps',
    ['1. Outline the structure', '2. Fill in each section', '3. Review and share the page'].join('\n'),
    '## Checklist',
    ['- [x] Draft the outline', '- [ ] Add examples', '- [ ] Ask for feedback'].join('\n'),
    '> Good writing is rewriting. Keep iterating until the page reads well.',
    '## Example',
    ['```ts', `const topic = ${JSON.stringify(subjectOf(prompt))};`, 'console.log(`Writing about ${topic}`);', '```'].join('\n'),
    '## Summary table',
    ['| Aspect | Detail |', '| --- | --- |', '| Subject | ' + subject + ' |', '| Sections | 6 |', '| Status | **Draft** |'].join('\n'),
    '---',
    'That is all for now. Edit freely.',
  ].join('\n\n');
}
