import { planOktaEvents } from './okta-event-plan';

describe('planning what Okta events re-read', () => {
  const user = (id: string) => ({ id, type: 'User' });
  const group = (id: string) => ({ id, type: 'UserGroup' });

  it('re-reads each affected user once, whatever the number of events', () => {
    const plan = planOktaEvents([
      { eventType: 'user.lifecycle.create', target: [user('u1')] },
      { eventType: 'user.lifecycle.activate', target: [user('u1')] },
      { eventType: 'user.account.update_profile', target: [user('u2')] },
      { eventType: 'user.lifecycle.suspend', target: [user('u3')] },
      { eventType: 'user.lifecycle.unsuspend', target: [user('u3')] },
      { eventType: 'user.lifecycle.deactivate', target: [user('u4')] },
      { eventType: 'user.lifecycle.delete.initiated', target: [user('u4')] },
    ]);
    expect(plan).toEqual({ users: ['u1', 'u2', 'u3', 'u4'], memberships: [], groups: [], deletedGroups: [], ignored: 0 });
  });

  it('re-reads the memberships of a user added to or removed from a group, and the group', () => {
    const plan = planOktaEvents([
      { eventType: 'group.user_membership.add', target: [user('u1'), group('g1')] },
      { eventType: 'group.user_membership.remove', target: [user('u2'), group('g1')] },
    ]);
    expect(plan.memberships).toEqual(['u1', 'u2']);
    expect(plan.groups).toEqual(['g1']);
  });

  it('tracks group lifecycle, and ignores failed operations and unrelated events', () => {
    const plan = planOktaEvents([
      { eventType: 'group.lifecycle.create', target: [group('g1')] },
      { eventType: 'group.lifecycle.create', target: [group('g2')] },
      { eventType: 'group.lifecycle.delete', target: [group('g2')] },
      { eventType: 'user.lifecycle.deactivate', outcome: { result: 'FAILURE' }, target: [user('u1')] },
      { eventType: 'user.session.start', target: [user('u1')] },
    ]);
    expect(plan).toEqual({ users: [], memberships: [], groups: ['g1'], deletedGroups: ['g2'], ignored: 2 });
  });
});
