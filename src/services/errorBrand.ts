/**
 * Visen runs as several bundles (the extension, the run machinery, each engine, the tests), and each has its
 * own copy of the classes it uses, so plain `instanceof` does not recognise an error thrown by another
 * bundle's copy. A branded class is recognised by a brand from the global symbol registry instead, the same
 * in every copy: `error instanceof NotionError` holds for any bundle's NotionError. Each class has its own
 * brand, so a subclass stays distinct from its parent (an instance of the subclass is still one of the parent).
 */
export function brandError(cls: abstract new (...args: never[]) => Error, name: string): void {
  const brand = Symbol.for(`visen.${name}`);
  Object.defineProperty(cls.prototype, brand, { value: true });
  Object.defineProperty(cls, Symbol.hasInstance, {
    value(this: unknown, value: unknown): boolean {
      // A subclass with no brand of its own inherits this static method: it is checked the ordinary way.
      if (this !== cls) return Function.prototype[Symbol.hasInstance].call(this, value);
      return typeof value === 'object' && value !== null && brand in value;
    },
  });
}
