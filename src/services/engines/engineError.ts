export type EngineErrorKind =
  | 'auth' // the key is wrong or revoked
  | 'quota' // out of quota or billing
  | 'rateLimit' // too many requests, try later
  | 'badRequest' // e.g. an unknown model
  | 'notFound' // model not found
  | 'modelGone' // the provider no longer serves the configured model (retired, or never served to this key)
  | 'unavailable' // no model to generate with (VS Code offers no language model)
  | 'server' // provider's server failed
  | 'network' // could not reach the server
  | 'safety' // the provider blocked the content (the message names the category)
  | 'cut' // the stream ended before the model finished: no finish reason, or the connection dropped mid-answer
  | 'empty' // the model finished without any text
  | 'cancelled'
  | 'unknown';

export class EngineError extends Error {
  constructor(
    readonly kind: EngineErrorKind,
    message: string,
    readonly status?: number,
    /** A rate limit: how long the provider asked to wait before the next request. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}
