// The generation machinery as a bundle of its own (dist/run.js), required on the first generation, write,
// undo or fill (through LazyGeneration): the generator, chunker, page editor, block writer, database fill and
// its queue. Starting Visen never parses it.
export { DatabaseFiller } from './databaseFill';
export { GenerationService } from './generationService';
export { PageLocks } from './pageLocks';
export { NotionDatabases } from '../notion/notionDatabases';
