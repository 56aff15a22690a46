// Page content of the Notion stand-in, in one import: the block model (notionModel), Notion-flavored Markdown
// (notionMarkdownInline/Blocks/Render) and block request validation (notionBlockRequests).
export * from './notionModel';
export * from './notionMarkdownInline';
export * from './notionMarkdownBlocks';
export * from './notionMarkdownRender';
export * from './notionBlockRequests';
