/**
 * Visen's model catalog (modelCatalog.json): the providers' own model and deprecation pages as they were on
 * `checkedOn`, one entry per model with its source. It ranks a live model list; it never replaces it:
 * - a model past its shutdown date is never chosen, suggested or offered;
 * - the default is the first recommended model (in the catalog's order) that the live list has; with none,
 *   there is no default and Visen asks;
 * - models the catalog does not know are still offered, in the engine's order (newest first).
 * Knowledge that ages is data: `npm run models:check` reports the catalog's age, and a unit test fails when it is
 * older than CATALOG_MAX_AGE_DAYS.
 */
import catalog from './modelCatalog.json';

export type CatalogProvider = 'openai' | 'gemini';

export interface CatalogEntry {
  readonly provider: CatalogProvider;
  readonly id: string;
  readonly tier: 'flagship' | 'balanced' | 'lite';
  /** YYYY-MM-DD, or null when the source page does not say. */
  readonly released: string | null;
  readonly deprecated: string | null;
  readonly shutdown: string | null;
  readonly recommended: boolean;
  /** The provider's page that states the entry's data (in the file; the extension's bundle leaves it out, see esbuild.js). */
  readonly source?: string;
  /**
   * A write-up quoting the provider's page, present when the dates were read there because the provider's page
   * itself could not be read: they are to be confirmed on `source` at the next refresh.
   */
  readonly secondary?: string;
  readonly note?: string;
}

export const MODEL_CATALOG: { readonly checkedOn: string; readonly models: readonly CatalogEntry[] } = catalog as never;

/** Past this age `npm run models:check` warns; past the hard limit the unit test fails. */
export const CATALOG_WARN_AGE_DAYS = 90;
export const CATALOG_MAX_AGE_DAYS = 365;

/** Today as YYYY-MM-DD (UTC), the form the catalog's dates take. */
export function today(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (both YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  return Math.floor((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

const bare = (id: string) => id.replace(/^models\//, '');

export function catalogEntry(provider: string, id: string): CatalogEntry | undefined {
  const wanted = bare(id);
  return MODEL_CATALOG.models.find((m) => m.provider === provider && m.id === wanted);
}

/**
 * Whether the provider has shut the model down by `on` (the shutdown day itself counts), by the catalog or by
 * the date the live list gave (`listed`, OpenAI's `shutdown_date`).
 */
export function isShutDown(provider: string, id: string, on: string = today(), listed?: string): boolean {
  const shutdown = catalogEntry(provider, id)?.shutdown;
  return (!!shutdown && shutdown <= on) || (!!listed && listed <= on);
}

type Listed = { readonly id: string; readonly shutdown?: string };

/**
 * A live list (as the engine ordered it, newest first) as Visen offers it: recommended models first, in the
 * catalog's order; then the rest in the engine's order, models announced for shutdown last. Models past their
 * shutdown date are left out.
 */
export function rankModels<M extends Listed>(provider: string, live: readonly M[], on: string = today()): M[] {
  const current = live.filter((m) => !isShutDown(provider, m.id, on, m.shutdown));
  const recommended = MODEL_CATALOG.models
    .filter((e) => e.provider === provider && e.recommended)
    .flatMap((e) => current.filter((m) => bare(m.id) === e.id));
  const retiring = (m: M) => !!(catalogEntry(provider, m.id)?.shutdown ?? m.shutdown);
  const rest = current.filter((m) => !recommended.includes(m));
  return [...recommended, ...rest.filter((m) => !retiring(m)), ...rest.filter(retiring)];
}

/**
 * A provider's list in release order, newest first, for a provider whose list carries no dates (Gemini's):
 * models the catalog does not know come first, in the provider's order (a catalog checked on a day knows
 * what was out then, so an unknown model is most likely newer), then the known ones by release date.
 */
export function newestFirst<M extends Listed>(provider: string, live: readonly M[]): M[] {
  const released = (m: M) => catalogEntry(provider, m.id)?.released;
  const known = (m: M) => catalogEntry(provider, m.id) !== undefined;
  return [...live.filter((m) => !known(m)), ...live.filter(known).sort((a, b) => (released(b) ?? '').localeCompare(released(a) ?? ''))];
}

/** The first recommended model the live list has, undefined when it has none: then Visen asks. */
export function recommendedFrom(provider: string, live: readonly Listed[], on: string = today()): string | undefined {
  const ids = new Set(live.filter((m) => !isShutDown(provider, m.id, on, m.shutdown)).map((m) => bare(m.id)));
  return MODEL_CATALOG.models.find((e) => e.provider === provider && e.recommended && ids.has(e.id) && !isShutDown(provider, e.id, on))?.id;
}

/** The models the forms suggest before the live list is known: the recommended ones, then the other current ones. */
export function catalogSuggestions(provider: CatalogProvider, on: string = today()): string[] {
  const entries = MODEL_CATALOG.models.filter((e) => e.provider === provider && !e.shutdown && !e.id.includes('preview'));
  return [...entries.filter((e) => e.recommended), ...entries.filter((e) => !e.recommended)]
    .filter((e) => !isShutDown(provider, e.id, on))
    .map((e) => e.id);
}

/** Where Visen starts before any key was checked: the first recommended model not shut down. */
export function catalogFallback(provider: CatalogProvider, on: string = today()): string {
  return catalogSuggestions(provider, on)[0] ?? '';
}

/** What the Select Model list says next to a model: its shutdown date, when one is announced (the catalog's, else the list's). */
export function shutdownOf(provider: string, model: Listed): string | undefined {
  return catalogEntry(provider, model.id)?.shutdown ?? model.shutdown;
}
