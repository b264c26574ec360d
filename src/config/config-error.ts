/** An option given wrong, on the command line, in the environment or in a config file. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
