import type { Client } from '@notionhq/client';
import type { KeyValueStore } from '../keyValueStore';
import type { NotionDatabases } from '../notion/notionDatabases';
import type { DatabaseFiller, FillerDeps } from './databaseFill';
import type { GenerationService, GenerationServiceDeps } from './generationService';
import type { PageLocks } from './pageLocks';
import type * as RunBundle from './runBundle';

/** dist/run.js: the generation machinery, configured by whoever loads it. */
export type RunModule = typeof RunBundle;

export interface LazyGenerationDeps extends Omit<GenerationServiceDeps, 'locks'> {
  /** Where a fill keeps which rows it has done. */
  readonly store: KeyValueStore;
  /** The folder every window on the machine shares for the page locks; without it they are this window's. */
  readonly lockFolder?: string;
}

/** What a fill needs besides what Visen keeps: its client and engine, how many rows at once, how a row is counted. */
export type FillOptions = Pick<FillerDeps, 'client' | 'engine' | 'concurrency' | 'recordUse'>;

/**
 * Generation for every surface, with the machinery (generator, chunker, writer, undo, database fill) in a
 * bundle of its own that is required on the first call, so starting Visen does not parse it. It is built at
 * activation with the objects Visen keeps (stores, repositories, usage, sync, logger, the client and engine
 * getters, the page locks) and hands those on: nothing stateful exists twice.
 */
export class LazyGeneration {
  /** One run per page at a time, across every surface and the database fill. */
  private pageLocks: PageLocks | undefined;
  private module: RunModule | undefined;
  private generationService: GenerationService | undefined;

  constructor(
    private readonly load: () => RunModule,
    private readonly deps: LazyGenerationDeps,
  ) {}

  /** Made with the machinery (its lock files are the run bundle's business), once. */
  get locks(): PageLocks {
    this.pageLocks ??= new (this.bundle().PageLocks)({ folder: this.deps.lockFolder });
    return this.pageLocks;
  }

  /** The generation service every surface runs, plans and undoes through: the machinery is loaded on first use. */
  get service(): GenerationService {
    this.generationService ??= new (this.bundle().GenerationService)({ ...this.deps, locks: this.locks });
    return this.generationService;
  }

  /** A database's data sources and rows, read and written through `client`. */
  databases(client: Client): NotionDatabases {
    return new (this.bundle().NotionDatabases)(client);
  }

  /** A database fill sharing Visen's history, usage, log, converter and page locks. */
  filler(options: FillOptions): DatabaseFiller {
    const { generations, usage, store, logger, converter } = this.deps;
    return new (this.bundle().DatabaseFiller)({ ...options, generations, usage, store, logger, converter, locks: this.locks });
  }

  private bundle(): RunModule {
    this.module ??= this.load();
    return this.module;
  }
}
