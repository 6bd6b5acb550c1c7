import { applyGroupPatch, applyUserPatch, ENTERPRISE_USER, ScimUserState } from './scim-patch';

const user: ScimUserState = {
  userName: 'ada@example.com',
  givenName: 'Ada',
  familyName: 'Lovelace',
  displayName: 'Ada Lovelace',
  email: 'ada@example.com',
  active: true,
  externalId: 'entra-1',
  title: null,
  department: 'Engineering',
  managerId: null,
};

const scimTypeOf = (work: () => unknown): string | undefined => {
  try {
    work();
  } catch (error) {
    return (error as { scimType?: string }).scimType;
  }
  return undefined;
};

describe('SCIM user PatchOp', () => {
  it("deactivates with Entra's string form", () => {
    expect(applyUserPatch(user, [{ op: 'Replace', path: 'active', value: 'False' }]).active).toBe(false);
  });

  it('deactivates with the path-less object form', () => {
    expect(applyUserPatch(user, [{ op: 'replace', value: { active: false } }]).active).toBe(false);
  });

  it('replaces and adds attributes by path, including filtered and extension paths', () => {
    const patched = applyUserPatch(user, [
      { op: 'replace', path: 'name.familyName', value: 'King' },
      { op: 'Add', path: 'emails[type eq "work"].value', value: 'ada.king@example.com' },
      { op: 'replace', path: `${ENTERPRISE_USER}:department`, value: 'Research' },
      { op: 'add', path: `${ENTERPRISE_USER}:manager`, value: { value: '2b1e9a40-8a51-4d0f-8f0e-2f3a1c9d7e55' } },
      { op: 'replace', path: 'title', value: 'Countess' },
    ]);
    expect(patched).toMatchObject({
      familyName: 'King',
      email: 'ada.king@example.com',
      department: 'Research',
      managerId: '2b1e9a40-8a51-4d0f-8f0e-2f3a1c9d7e55',
      title: 'Countess',
    });
  });

  it('takes a path-less object with nested name, emails and the enterprise extension', () => {
    const patched = applyUserPatch(user, [
      {
        op: 'replace',
        value: {
          userName: 'ada.king@example.com',
          name: { givenName: 'Augusta' },
          emails: [{ value: 'other@example.com' }, { value: 'ada.king@example.com', primary: true }],
          [ENTERPRISE_USER]: { department: 'Math' },
          [`${ENTERPRISE_USER}:manager`]: 'a-manager-id',
        },
      },
    ]);
    expect(patched).toMatchObject({ userName: 'ada.king@example.com', givenName: 'Augusta', email: 'ada.king@example.com', department: 'Math', managerId: 'a-manager-id' });
  });

  it('removes attributes, and ignores attributes the mirror does not keep', () => {
    const patched = applyUserPatch(user, [
      { op: 'remove', path: 'externalId' },
      { op: 'remove', path: `${ENTERPRISE_USER}:department` },
      { op: 'add', path: 'phoneNumbers[type eq "work"].value', value: '+1 555 0100' },
      { op: 'replace', path: 'preferredLanguage', value: 'en' },
    ]);
    expect(patched).toEqual({ ...user, externalId: null, department: null });
  });

  it('refuses bad operations with the matching scimType', () => {
    expect(scimTypeOf(() => applyUserPatch(user, [{ op: 'merge', path: 'title', value: 'x' }]))).toBe('invalidSyntax');
    expect(scimTypeOf(() => applyUserPatch(user, [{ op: 'replace', path: 'active', value: 'nope' }]))).toBe('invalidValue');
    expect(scimTypeOf(() => applyUserPatch(user, [{ op: 'remove', path: 'userName' }]))).toBe('mutability');
    expect(scimTypeOf(() => applyUserPatch(user, [{ op: 'remove' }]))).toBe('noTarget');
    expect(scimTypeOf(() => applyUserPatch(user, [{ op: 'replace', path: 'emails[type eq', value: 'x' }]))).toBe('invalidPath');
    expect(scimTypeOf(() => applyUserPatch(user, [{ op: 'replace', path: 'userName', value: '  ' }]))).toBe('invalidValue');
  });

  it('leaves the input untouched', () => {
    const before = { ...user };
    applyUserPatch(user, [{ op: 'replace', path: 'active', value: false }]);
    expect(user).toEqual(before);
  });
});

describe('SCIM group PatchOp', () => {
  const group = { displayName: 'Engineering', externalId: null, members: ['a', 'b'] };

  it('adds members, removes one by filter, and removes a list (Entra)', () => {
    expect(applyGroupPatch(group, [{ op: 'Add', path: 'members', value: [{ value: 'c' }, { value: 'a' }] }]).members).toEqual(['a', 'b', 'c']);
    expect(applyGroupPatch(group, [{ op: 'Remove', path: 'members[value eq "a"]' }]).members).toEqual(['b']);
    expect(applyGroupPatch(group, [{ op: 'Remove', path: 'members', value: [{ value: 'b' }] }]).members).toEqual(['a']);
    expect(applyGroupPatch(group, [{ op: 'remove', path: 'members' }]).members).toEqual([]);
  });

  it('replaces members and the display name, with or without a path', () => {
    expect(applyGroupPatch(group, [{ op: 'replace', path: 'members', value: [{ value: 'z' }] }]).members).toEqual(['z']);
    expect(applyGroupPatch(group, [{ op: 'replace', value: { displayName: 'Research', members: [{ value: 'y' }] } }])).toEqual({
      displayName: 'Research',
      externalId: null,
      members: ['y'],
    });
    expect(applyGroupPatch(group, [{ op: 'replace', path: 'displayName', value: 'Data' }]).displayName).toBe('Data');
  });

  it('refuses removing the display name or a member without an id', () => {
    expect(scimTypeOf(() => applyGroupPatch(group, [{ op: 'remove', path: 'displayName' }]))).toBe('mutability');
    expect(scimTypeOf(() => applyGroupPatch(group, [{ op: 'add', path: 'members', value: [{ display: 'x' }] }]))).toBe('invalidValue');
  });
});
