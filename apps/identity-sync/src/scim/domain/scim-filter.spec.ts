import { filterLookups, parseScimFilter } from './scim-filter';
import { ScimProtocolError } from './scim-protocol.error';

const USER_ATTRIBUTES = { username: 'userName', externalid: 'externalId', 'emails.value': 'email' } as const;

describe('SCIM filter', () => {
  it('parses the lookups provisioning clients send before creating a user', () => {
    expect(parseScimFilter('userName eq "ada@example.com"')).toEqual([{ attribute: 'username', value: 'ada@example.com' }]);
    expect(parseScimFilter('externalId eq "8c1d" and emails.value eq "ada@example.com"')).toEqual([
      { attribute: 'externalid', value: '8c1d' },
      { attribute: 'emails.value', value: 'ada@example.com' },
    ]);
  });

  it('treats operators and attribute names case-insensitively, strips the core schema and unescapes quotes', () => {
    expect(parseScimFilter('urn:ietf:params:scim:schemas:core:2.0:User:UserName EQ "say \\"hi\\""')).toEqual([{ attribute: 'username', value: 'say "hi"' }]);
    expect(parseScimFilter('active eq TRUE')).toEqual([{ attribute: 'active', value: true }]);
  });

  it('refuses what it cannot answer faithfully with invalidFilter', () => {
    for (const filter of ['userName co "ada"', 'userName eq "a" or userName eq "b"', 'userName eq', '(userName eq "a")', 'userName eq "a" garbage']) {
      expect(() => parseScimFilter(filter)).toThrow(ScimProtocolError);
      try {
        parseScimFilter(filter);
      } catch (error) {
        expect((error as ScimProtocolError).scimType).toBe('invalidFilter');
      }
    }
  });

  it('maps attributes to lookups and refuses unknown ones', () => {
    expect(filterLookups(parseScimFilter('userName eq "ada@example.com"'), USER_ATTRIBUTES)).toEqual({ userName: 'ada@example.com' });
    expect(() => filterLookups(parseScimFilter('nickName eq "ada"'), USER_ATTRIBUTES)).toThrow(/nickname/);
    expect(() => filterLookups(parseScimFilter('userName eq true'), USER_ATTRIBUTES)).toThrow(/string/);
  });
});
