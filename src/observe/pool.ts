/**
 * Runs `task` over `items` with at most `concurrency` tasks in flight and returns the
 * results in input order. A rejected task rejects the whole run, after the tasks
 * already started have settled.
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<R>,
  onSettled?: (done: number, total: number) => void,
): Promise<R[]> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error(`concurrency must be an integer of at least 1, got ${concurrency}`);
  }

  const results = new Array<R>(items.length);
  let next = 0;
  let done = 0;
  let failure: { error: unknown } | null = null;

  const worker = async (): Promise<void> => {
    while (failure === null && next < items.length) {
      const index = next++;
      try {
        results[index] = await task(items[index]!, index);
      } catch (error) {
        failure ??= { error };
        return;
      }
      done++;
      onSettled?.(done, items.length);
    }
  };

  const workers = Array.from({ length: Math.min(concurrency, items.length) }, worker);
  await Promise.all(workers);
  if (failure !== null) {
    throw (failure as { error: unknown }).error;
  }
  return results;
}
