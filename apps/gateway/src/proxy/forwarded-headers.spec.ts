import { readInboundHeaders, responseHeadersToReturn } from './forwarded-headers';

describe('inbound headers', () => {
  it('picks out the credentials and never forwards them', () => {
    const inbound = readInboundHeaders([
      'Host', 'gw',
      'Authorization', 'Bearer atk_secret',
      'X-Api-Key', 'atk_other',
      'Accept', 'application/json',
    ]);
    expect(inbound).toMatchObject({ authorization: 'Bearer atk_secret', apiKey: 'atk_other' });
    expect(inbound.forward).toEqual(['Accept', 'application/json']);
  });

  it('drops hop-by-hop headers and those named in Connection', () => {
    const inbound = readInboundHeaders([
      'Connection', 'keep-alive, X-Hop',
      'Keep-Alive', 'timeout=5',
      'X-Hop', '1',
      'TE', 'trailers',
      'Upgrade', 'websocket',
      'Proxy-Authorization', 'Basic x',
      'Expect', '100-continue',
      'X-End-To-End', 'kept',
    ]);
    expect(inbound.forward).toEqual(['X-End-To-End', 'kept']);
  });

  it('keeps a plausible request id and the forwarded-for chain for re-setting', () => {
    const inbound = readInboundHeaders(['x-request-id', 'abc-123', 'x-forwarded-for', '10.0.0.1']);
    expect(inbound).toMatchObject({ requestId: 'abc-123', forwardedFor: '10.0.0.1', forward: [] });
    expect(readInboundHeaders(['x-request-id', 'bad id\u0000']).requestId).toBeUndefined();
    expect(readInboundHeaders(['x-request-id', 'x'.repeat(129)]).requestId).toBeUndefined();
  });

  it('knows whether a body follows', () => {
    expect(readInboundHeaders([]).hasBody).toBe(false);
    expect(readInboundHeaders(['content-length', '0']).hasBody).toBe(false);
    expect(readInboundHeaders(['content-length', '12']).hasBody).toBe(true);
    expect(readInboundHeaders(['transfer-encoding', 'chunked']).hasBody).toBe(true);
    expect(readInboundHeaders(['transfer-encoding', 'chunked']).forward).toEqual([]);
  });
});

describe('response headers', () => {
  it('returns the end-to-end headers, duplicates included, without hop-by-hop ones or the upstream request id', () => {
    const returned = responseHeadersToReturn(raw(
      'Content-Type', 'application/json',
      'Set-Cookie', 'a=1',
      'Set-Cookie', 'b=2',
      'Transfer-Encoding', 'chunked',
      'Connection', 'X-Internal',
      'X-Internal', 'secret-ish',
      'X-Request-Id', 'upstream-id',
    ));
    expect(returned).toEqual(['Content-Type', 'application/json', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2']);
  });

  it('drops every hop-by-hop header whatever its spelling, and keeps names of the same length that are not one', () => {
    const returned = responseHeadersToReturn(raw(
      'KEEP-ALIVE', 'timeout=5',
      'Proxy-Connection', 'keep-alive',
      'proxy-authenticate', 'Basic',
      'Proxy-Authorization', 'Basic x',
      'te', 'trailers',
      'Trailer', 'Expires',
      'Upgrade', 'h2c',
      'Connection', 'keep-alive',
      'X-Custom-1', 'same length as Connection',
      'Content-Type', 'same length as X-Request-Id',
      'Via', '1.1 upstream',
    ));
    expect(returned).toEqual(['X-Custom-1', 'same length as Connection', 'Content-Type', 'same length as X-Request-Id', 'Via', '1.1 upstream']);
  });

  it('keeps header values byte for byte (latin1), as Node sends them on', () => {
    const returned = responseHeadersToReturn([Buffer.from('X-Name'), Buffer.from([0x63, 0x61, 0x66, 0xe9])]);
    expect(returned).toEqual(['X-Name', 'caf\u00e9']);
  });
});

/** Raw header pairs as undici hands them over: one Buffer per name and per value. */
function raw(...pairs: string[]): Buffer[] {
  return pairs.map((text) => Buffer.from(text, 'latin1'));
}
