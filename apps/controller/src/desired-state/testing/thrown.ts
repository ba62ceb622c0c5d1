/** The error `fn` throws (the spec fails when it throws nothing), for checks on its type and fields. */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, but nothing was thrown');
}
