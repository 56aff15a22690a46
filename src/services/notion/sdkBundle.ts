// The Notion SDK as a bundle of its own (dist/notion.js), required on the first Notion request.
export * from '@notionhq/client';
// Notion's pacing shared by every window: with the SDK, so activation never loads it.
export { SharedPacing } from './sharedPacing';
