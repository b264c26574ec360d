import { describe, expect, it } from 'vitest';
import { passwordProblem } from './password-policy.js';

describe('passwordProblem', () => {
  it('accepts 8 characters and more, counting characters rather than bytes', () => {
    expect(passwordProblem('Op3rator', 'ops')).toBeUndefined();
    expect(passwordProblem('p:ä:€:ßxy', 'ops')).toBeUndefined();
  });

  it('refuses a short, huge, control-character or user-name password, saying why', () => {
    expect(passwordProblem('Sh0rt!', 'ops')).toMatch(/at least 8/);
    expect(passwordProblem('x'.repeat(257), 'ops')).toMatch(/at most 256/);
    expect(passwordProblem('line\nbreak!', 'ops')).toMatch(/control/);
    expect(passwordProblem('OPERATOR1', 'operator1')).toMatch(/user name/);
  });
});
