/** A group as the mirror stores it; its `id` is the Attest group id carried by membership events. */
export interface GroupRecord {
  id: string;
  displayName: string;
  description: string | null;
  status: 'active' | 'deleted';
  oktaId: string | null;
  oktaLastUpdated: Date | null;
  scimManaged: boolean;
  scimExternalId: string | null;
}

/** One principal joining or leaving one group. */
export interface MembershipChange {
  kind: 'membership.added' | 'membership.removed';
  principalId: string;
  groupId: string;
  groupName: string;
}

export function groupChanged(before: GroupRecord, after: GroupRecord): boolean {
  return (
    before.displayName !== after.displayName ||
    before.description !== after.description ||
    before.status !== after.status ||
    before.oktaId !== after.oktaId ||
    before.scimManaged !== after.scimManaged ||
    before.scimExternalId !== after.scimExternalId ||
    (before.oktaLastUpdated?.getTime() ?? null) !== (after.oktaLastUpdated?.getTime() ?? null)
  );
}
