import * as assert from 'node:assert';
import type { BlockObjectResponse } from '@notionhq/client';

/** Every kind of Notion block the stand-in engines' default answer (test/fakes/generatedMarkdown.ts) becomes. */
const DEFAULT_ANSWER_TYPES = [
  'heading_1',
  'heading_2',
  'paragraph',
  'bulleted_list_item',
  'numbered_list_item',
  'to_do',
  'quote',
  'code',
  'table',
  'divider',
] as const;

/** Asserts that blocks of these types hold every kind of block the default answer has: native blocks, not one paragraph of markdown. */
export function assertEveryKind(types: Iterable<string>): void {
  const have = new Set(types);
  for (const type of DEFAULT_ANSWER_TYPES) assert.ok(have.has(type), `the page has a ${type} block; it has: ${[...have].join(', ')}`);
}

/** Asserts the default answer to `prompt` landed as native blocks: every kind, its heading the prompt, its code TypeScript. */
export function assertDefaultAnswer(blocks: readonly BlockObjectResponse[], prompt: string): void {
  assertEveryKind(blocks.map((b) => b.type));
  const heading = blocks.find((b) => b.type === 'heading_1') as Extract<BlockObjectResponse, { type: 'heading_1' }>;
  assert.equal(heading.heading_1.rich_text.map((t) => t.plain_text).join(''), prompt);
  const code = blocks.find((b) => b.type === 'code') as Extract<BlockObjectResponse, { type: 'code' }>;
  assert.equal(code.code.language, 'typescript');
}
