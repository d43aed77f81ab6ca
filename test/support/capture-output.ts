/**
 * Records what the process writes to stdout and stderr (still passing it through), for tests
 * that check a secret never reaches the logs. `restore()` puts the writers back.
 */
export function captureOutput(): { logged: string[]; restore: () => void } {
  const logged: string[] = [];
  const writes = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  const capture = (w: typeof writes.out) => ((chunk: unknown, ...rest: unknown[]) => {
    logged.push(String(chunk));
    return (w as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  process.stdout.write = capture(writes.out);
  process.stderr.write = capture(writes.err);
  return {
    logged,
    restore: () => {
      process.stdout.write = writes.out;
      process.stderr.write = writes.err;
    },
  };
}
