/** The parts of a System Log event (also an Event Hook's `data.events[]`) the mirror reads. */
export interface OktaEventLike {
  uuid?: string;
  eventType?: string;
  published?: Date | string;
  outcome?: { result?: string | null } | null;
  target?: Array<{ id?: string; type?: string }> | null;
}

/**
 * What a batch of Okta events asks the mirror to re-read. Events are applied by reading the current
 * state from Okta rather than replaying each event, so a duplicate, late or out-of-order event can never
 * move the mirror backwards, and a burst of events about one user costs one read.
 */
export interface OktaEventPlan {
  /** Users whose status and profile are re-read (lifecycle and profile events). */
  users: string[];
  /** Users whose group memberships are re-read. */
  memberships: string[];
  /** Groups created or changed in Okta. */
  groups: string[];
  /** Groups deleted in Okta. */
  deletedGroups: string[];
  /** Events of types the mirror does not act on. */
  ignored: number;
}

const USER_EVENT = /^user\.lifecycle\.(create|activate|reactivate|deactivate|suspend|unsuspend|delete\.initiated|delete\.completed)$/;
const PROFILE_EVENT = 'user.account.update_profile';
const MEMBERSHIP_EVENT = /^group\.user_membership\.(add|remove)$/;
const GROUP_CHANGED_EVENT = /^group\.(lifecycle\.create|profile\.update)$/;
const GROUP_DELETED_EVENT = 'group.lifecycle.delete';

export function planOktaEvents(events: readonly OktaEventLike[]): OktaEventPlan {
  const users = new Set<string>();
  const memberships = new Set<string>();
  const groups = new Set<string>();
  const deletedGroups = new Set<string>();
  let ignored = 0;
  for (const event of events) {
    const type = event.eventType ?? '';
    const result = event.outcome?.result;
    // A failed operation changed nothing in Okta.
    if (result && result !== 'SUCCESS') {
      ignored++;
      continue;
    }
    const user = targetId(event, 'User');
    const group = targetId(event, 'UserGroup');
    if ((USER_EVENT.test(type) || type === PROFILE_EVENT) && user) users.add(user);
    else if (MEMBERSHIP_EVENT.test(type) && user) {
      memberships.add(user);
      if (group) groups.add(group);
    } else if (GROUP_CHANGED_EVENT.test(type) && group) groups.add(group);
    else if (type === GROUP_DELETED_EVENT && group) deletedGroups.add(group);
    else ignored++;
  }
  for (const group of deletedGroups) groups.delete(group);
  return { users: [...users], memberships: [...memberships], groups: [...groups], deletedGroups: [...deletedGroups], ignored };
}

function targetId(event: OktaEventLike, type: string): string | undefined {
  return event.target?.find((target) => target.type === type && target.id)?.id;
}
