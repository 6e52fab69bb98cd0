/**
 * Runs `fn` over `items` with at most `concurrency` (≥ 1) calls in flight, and returns the
 * results in the order of `items`. After a failure no new item starts; the calls in flight
 * finish, then the first error is thrown.
 * @throws RangeError when concurrency is not a whole number ≥ 1; else the first error of `fn`
 */
export async function runBounded<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError('concurrency must be a whole number ≥ 1')
  const results = new Array<R>(items.length)
  let next = 0
  let failure: { error: unknown } | undefined
  const worker = async () => {
    while (!failure && next < items.length) {
      const index = next++
      try {
        results[index] = await fn(items[index], index)
      } catch (error) {
        failure ??= { error }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
  if (failure) throw failure.error
  return results
}
