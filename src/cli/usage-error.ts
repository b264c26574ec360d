/** A command used wrongly; the CLI names the problem and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
