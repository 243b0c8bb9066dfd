import { describe, expect, it } from 'vitest';
import { clientAddress, clientNetwork } from './client-network.js';

describe('clientAddress', () => {
  it('writes an IPv4 address written the IPv6 way as IPv4, and leaves the rest alone', () => {
    expect(clientAddress('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientAddress('::FFFF:192.0.2.7')).toBe('192.0.2.7');
    expect(clientAddress('192.0.2.7')).toBe('192.0.2.7');
    expect(clientAddress('2001:db8::1')).toBe('2001:db8::1');
    expect(clientAddress('::ffff:c000:207')).toBe('::ffff:c000:207');
    expect(clientAddress('64:ff9b::192.0.2.1')).toBe('64:ff9b::192.0.2.1');
  });
});

describe('clientNetwork', () => {
  it('counts an IPv4 address as itself, also written the IPv6 way', () => {
    expect(clientNetwork('192.0.2.7')).toBe('192.0.2.7');
    expect(clientNetwork('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientNetwork('::FFFF:192.0.2.7')).toBe('192.0.2.7');
  });

  it('counts every address of an IPv6 /64 as one, however it is written', () => {
    const network = '2001:db8:1:2::/64';
    for (const ip of [
      '2001:db8:1:2::1',
      '2001:db8:1:2::19',
      '2001:0db8:0001:0002:ffff:ffff:ffff:fffe',
      '2001:db8:1:2:a:b:c:d',
      '2001:DB8:1:2::abcd%eth0',
    ])
      expect(clientNetwork(ip), ip).toBe(network);
    expect(clientNetwork('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(clientNetwork('::1')).toBe('0:0:0:0::/64');
    expect(clientNetwork('fe80::1:2:3:4')).toBe('fe80:0:0:0::/64');
    expect(clientNetwork('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
  });

  it('leaves anything else as it is', () => {
    expect(clientNetwork('')).toBe('');
    expect(clientNetwork('cli')).toBe('cli');
  });
});
