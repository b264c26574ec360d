import { spawnSync } from 'node:child_process';

const MISSING = 'promtool is not installed (Debian package prometheus); CI must have it';

/** Whether Prometheus's promtool is here; under CI its absence is an error, not a skip. */
export function promtoolAvailable(): boolean {
  const found = spawnSync('promtool', ['--version']).status === 0;
  if (!found && process.env.CI) throw new Error(MISSING);
  return found;
}

/**
 * prom-client's own process gauges whose names end in `_total`, which promtool's lint flags; they
 * are the library's, not ours.
 */
const PROM_CLIENT_GAUGES = /^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/;

/**
 * `promtool check metrics` on an exposition: the problems it reports (beyond prom-client's known
 * ones). A text it cannot parse throws.
 */
export function promtoolProblems(exposition: string): string[] {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0 && result.status !== 3) throw new Error(`promtool failed (${result.status}): ${output}`);
  return output.split('\n').filter((line) => line.trim() !== '' && !PROM_CLIENT_GAUGES.test(line.trim()));
}
