/** The shortest password an administrator may set (NIST SP 800-63B's minimum for chosen secrets). */
export const MIN_PASSWORD_LENGTH = 8;
/** The longest: more protects nothing and only costs hashing. */
export const MAX_PASSWORD_LENGTH = 256;

/**
 * Why a new password is refused, or undefined when it is acceptable: the one rule for every password
 * set by an administrator (the CLI, the administration API); `accountName` is the name without its domain. Lengths count characters, not bytes.
 */
export function passwordProblem(password: string, accountName: string): string | undefined {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return `the password must have at least ${MIN_PASSWORD_LENGTH} characters`;
  if (length > MAX_PASSWORD_LENGTH) return `the password must have at most ${MAX_PASSWORD_LENGTH} characters`;
  // Control characters cannot be typed at a login prompt, and a newline would not survive --password-stdin.
  if (/[\u0000-\u001f\u007f]/.test(password)) return 'the password must not contain control characters';
  if (password.toLowerCase() === accountName.toLowerCase()) return 'the password must not be the user name';
  return undefined;
}
