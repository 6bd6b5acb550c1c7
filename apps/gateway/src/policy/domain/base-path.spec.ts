import { matchBasePath } from './base-path';

const index = new Map([
  ['/orders', 'orders'],
  ['/orders/v2', 'orders-v2'],
  ['/billing/invoices', 'invoices'],
]);

describe('base path matching', () => {
  it('takes the longest base path that prefixes the path', () => {
    expect(matchBasePath(index, '/orders/v2/items/1')).toEqual({ entry: 'orders-v2', rest: '/items/1' });
    expect(matchBasePath(index, '/orders/v3/items/1')).toEqual({ entry: 'orders', rest: '/v3/items/1' });
  });

  it('matches only on a segment boundary', () => {
    expect(matchBasePath(index, '/orders-v2/items')).toBeNull();
    expect(matchBasePath(index, '/ordersX')).toBeNull();
    expect(matchBasePath(index, '/billing/invoicesX/1')).toBeNull();
    expect(matchBasePath(index, '/billing/1')).toBeNull();
  });

  it('matches the base path itself with an empty rest, and with a trailing slash', () => {
    expect(matchBasePath(index, '/orders')).toEqual({ entry: 'orders', rest: '' });
    expect(matchBasePath(index, '/orders/')).toEqual({ entry: 'orders', rest: '/' });
  });

  it('matches nothing for the root or an unknown path', () => {
    expect(matchBasePath(index, '/')).toBeNull();
    expect(matchBasePath(index, '/unknown/orders')).toBeNull();
  });
});
