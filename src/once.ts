// Work done when its result is first needed, and only then: a hash of a large spec, a file's syntax tree.

/** `make`'s value, made on the first call; every later call answers the same value. */
export function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
