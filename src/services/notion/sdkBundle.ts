// The Notion SDK as a bundle of its own (dist/notion.js), required on the first Notion request.
export * from '@notionhq/client';
