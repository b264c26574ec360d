import { describe, expect, it } from 'vitest';
import { AuditTrail, RECENT_AUDIT_EVENTS } from './audit-trail.js';

describe('AuditTrail', () => {
  it('keeps no events while it has no destination, only observers', () => {
    const counted: string[] = [];
    const trail = new AuditTrail([], [(event) => counted.push(event.event)]);
    trail.record({ event: 'logout' });
    expect(counted).toEqual(['logout']);
    expect(trail.recent()).toBeUndefined();
  });

  it('keeps the latest events, newest first and bounded, from the moment it has a destination', () => {
    const trail = new AuditTrail();
    trail.record({ event: 'logout', user: 'before' });
    trail.listen(() => {});
    for (let i = 0; i < RECENT_AUDIT_EVENTS + 5; i++) trail.record({ event: 'login.success', user: `u${i}` });
    const recent = trail.recent()!;
    expect(recent).toHaveLength(RECENT_AUDIT_EVENTS);
    expect(recent[0]!.user).toBe(`u${RECENT_AUDIT_EVENTS + 4}`);
    expect(recent.at(-1)!.user).toBe('u5');
  });

  it('keeps an event another process recorded without handing it to its own destinations', () => {
    const written: string[] = [];
    const trail = new AuditTrail([(event) => written.push(event.event)]);
    trail.remember({ time: new Date(0).toISOString(), event: 'lockout.started', user: 'elsewhere' });
    trail.record({ event: 'logout' });
    expect(written).toEqual(['logout']);
    expect(trail.recent()!.map((event) => event.event)).toEqual(['logout', 'lockout.started']);
  });
});
