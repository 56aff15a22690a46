// Where a run's text goes: one definition, for the record, the workflows and the webview forms (whose pages
// import it for types only, so it imports nothing).

/** `afterHeading`: the text goes right after a heading of the page, chosen when the run starts. */
export type WriteMode = 'append' | 'replace' | 'afterHeading';
export const WRITE_MODES = ['append', 'replace', 'afterHeading'] as const satisfies readonly WriteMode[];

/** Where a run's text goes, chosen once (the surface's form, or the question as the run starts) and handed to the writer as it is. */
export interface WritePlan {
  readonly mode: WriteMode;
  /** With mode `afterHeading`: the top-level block (a heading) the text goes right after. */
  readonly afterBlock?: string;
  /** With mode `replace`: exactly these blocks go to the trash (an earlier generation's), not the page's. */
  readonly replacing?: readonly string[];
}
