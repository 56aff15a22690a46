/** A value a model gave that a database property cannot take; the message says why. */
export class PropertyValueError extends Error {}
