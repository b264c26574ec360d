import type { ClaimCaps, ClaimMember, ClaimResult } from './store.js';

/**
 * Whether `member` may join the live members of a bounded set under `caps`: the rule the memory
 * and sqlite stores apply (the Redis store runs the same rule in its script). A member already in
 * the set is always admitted again.
 */
export function admits(live: readonly ClaimMember[], member: ClaimMember, caps: ClaimCaps): ClaimResult {
  if (live.some((existing) => existing.id === member.id)) return { ok: true };
  const full = caps.members > 0 && live.length >= caps.members;
  const groups = new Set(live.map((existing) => existing.group));
  const newGroupOverCap = caps.groups > 0 && !groups.has(member.group) && groups.size >= caps.groups;
  if (!full && !newGroupOverCap) return { ok: true };
  return { ok: false, freesAt: Math.min(...live.map((existing) => existing.expiresAt)) };
}
