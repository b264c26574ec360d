import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SessionTable, type SessionTimes } from './session-table.js';

interface Modelled extends SessionTimes {
  userKey: string;
}

/** Half the keys are SHA-256 hex (stored as bigints), half short names (stored as strings). */
const keyOf = (n: number) => (n % 2 === 0 ? createHash('sha256').update(String(n)).digest('hex') : `k${n}`);

const operation = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), key: fc.nat(40), user: fc.nat(4), at: fc.nat(1e6) }),
  fc.record({ kind: fc.constant('remove' as const), key: fc.nat(40) }),
  fc.record({ kind: fc.constant('touch' as const), key: fc.nat(40), at: fc.nat(1e6) }),
);

describe('a session table', () => {
  it('answers like a map of records through any mix of adds, removes and touches', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 200 }), (operations) => {
        const table = new SessionTable();
        const model = new Map<string, Modelled>();
        for (const op of operations) {
          const key = keyOf(op.key);
          const slot = table.find(key);
          if (op.kind === 'add') {
            const times = { createdAt: op.at, lastAccessedAt: op.at, absoluteExpiresAt: op.at + 10, expiresAt: op.at + 5 };
            table.add(key, `user${op.user}`, times);
            model.set(key, { userKey: `user${op.user}`, ...times });
          } else if (op.kind === 'remove' && slot !== undefined) {
            table.remove(slot);
            model.delete(key);
          } else if (op.kind === 'touch' && slot !== undefined) {
            table.touch(slot, op.at, op.at + 1);
            model.set(key, { ...model.get(key)!, lastAccessedAt: op.at, expiresAt: op.at + 1 });
          }
        }
        expect(table.size).toBe(model.size);
        for (const [key, record] of model) {
          const slot = table.find(key)!;
          expect({ userKey: table.userKey(slot), ...table.times(slot) }).toEqual(record);
        }
        for (let user = 0; user <= 4; user++) {
          const keys = [...model].filter(([, record]) => record.userKey === `user${user}`).map(([key]) => key);
          expect(table.countOf(`user${user}`)).toBe(keys.length);
          expect(table.slotsOf(`user${user}`).sort()).toEqual(keys.map((key) => table.find(key)).sort());
        }
        expect([...table.slots()].length).toBe(model.size);
      }),
    );
  });

  it('grows past its first capacity and reuses the slots it frees', () => {
    const table = new SessionTable();
    const times = { createdAt: 1, lastAccessedAt: 1, absoluteExpiresAt: 3, expiresAt: 2 };
    for (let n = 0; n < 5000; n++) table.add(keyOf(n), `user${n % 7}`, times);
    const freed = new Set<number>();
    for (let n = 0; n < 5000; n += 2) {
      const slot = table.find(keyOf(n))!;
      freed.add(slot);
      table.remove(slot);
    }
    for (let n = 5000; n < 7500; n++) expect(freed.has(table.add(keyOf(n), 'late', times))).toBe(true);
    expect(table.size).toBe(5000);
    expect(table.countOf('late')).toBe(2500);
    expect(table.userKey(table.find(keyOf(4999))!)).toBe('user1');
  });
});
