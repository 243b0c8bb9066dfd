import { HOTP, Secret, TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import {
  formatSetupKey,
  generateTotpSecret,
  matchTotpStep,
  timeStep,
  totpCodeAt,
  totpUri,
} from './totp.js';

// RFC 4226 Appendix D and RFC 6238 Appendix B (research/security-checklist.md §F).
const SEED_SHA1 = '12345678901234567890';
const SEED_SHA1_BASE32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const SEED_SHA256 = '12345678901234567890123456789012';
const SEED_SHA512 = '1234567890'.repeat(6) + '1234';

describe('HOTP (RFC 4226 Appendix D)', () => {
  const expected = [
    '755224',
    '287082',
    '359152',
    '969429',
    '338314',
    '254676',
    '287922',
    '162583',
    '399871',
    '520489',
  ];
  it.each(expected.map((code, counter) => [counter, code] as const))(
    'count %i → %s',
    (counter, code) => {
      expect(HOTP.generate({ secret: Secret.fromLatin1(SEED_SHA1), counter })).toBe(code);
    },
  );
});

describe('TOTP (RFC 6238 Appendix B, 8 digits)', () => {
  const vectors: Array<[number, string, string, 'SHA1' | 'SHA256' | 'SHA512']> = [
    [59, '94287082', SEED_SHA1, 'SHA1'],
    [59, '46119246', SEED_SHA256, 'SHA256'],
    [59, '90693936', SEED_SHA512, 'SHA512'],
    [1111111109, '07081804', SEED_SHA1, 'SHA1'],
    [1111111109, '68084774', SEED_SHA256, 'SHA256'],
    [1111111109, '25091201', SEED_SHA512, 'SHA512'],
    [1111111111, '14050471', SEED_SHA1, 'SHA1'],
    [1111111111, '67062674', SEED_SHA256, 'SHA256'],
    [1111111111, '99943326', SEED_SHA512, 'SHA512'],
    [1234567890, '89005924', SEED_SHA1, 'SHA1'],
    [1234567890, '91819424', SEED_SHA256, 'SHA256'],
    [1234567890, '93441116', SEED_SHA512, 'SHA512'],
    [2000000000, '69279037', SEED_SHA1, 'SHA1'],
    [2000000000, '90698825', SEED_SHA256, 'SHA256'],
    [2000000000, '38618901', SEED_SHA512, 'SHA512'],
    [20000000000, '65353130', SEED_SHA1, 'SHA1'],
    [20000000000, '77737706', SEED_SHA256, 'SHA256'],
    [20000000000, '47863826', SEED_SHA512, 'SHA512'],
  ];
  it.each(vectors)('t=%i → %s (%s)', (seconds, code, seed, algorithm) => {
    const totp = new TOTP({ secret: Secret.fromLatin1(seed), algorithm, digits: 8, period: 30 });
    expect(totp.generate({ timestamp: seconds * 1000 })).toBe(code);
  });
});

describe('Portico TOTP verification (SHA-1, 6 digits, 30 s)', () => {
  it('accepts the RFC codes (last six digits) and names their time step', () => {
    expect(matchTotpStep(SEED_SHA1_BASE32, '287082', 59_000)).toBe(1);
    expect(matchTotpStep(SEED_SHA1_BASE32, '081804', 1111111109_000)).toBe(0x23523ec);
    expect(matchTotpStep(SEED_SHA1_BASE32, '050471', 1111111111_000)).toBe(0x23523ed);
    // Beyond 2038: the step does not fit 32 bits of seconds (RFC 6238 §4.2).
    expect(matchTotpStep(SEED_SHA1_BASE32, '353130', 20000000000_000)).toBe(0x27bc86aa);
  });

  it('accepts one step of drift either way, and no more', () => {
    const at = 1111111109_000;
    const code = totpCodeAt(SEED_SHA1_BASE32, at);
    expect(matchTotpStep(SEED_SHA1_BASE32, code, at + 30_000)).toBe(timeStep(at));
    expect(matchTotpStep(SEED_SHA1_BASE32, code, at - 30_000)).toBe(timeStep(at));
    expect(matchTotpStep(SEED_SHA1_BASE32, code, at + 60_000)).toBeNull();
    expect(matchTotpStep(SEED_SHA1_BASE32, code, at - 60_000)).toBeNull();
  });

  it('refuses malformed input without throwing', () => {
    for (const input of ['', '12345', '1234567', 'abcdef', '12 34 5x', '٠١٢٣٤٥']) {
      expect(matchTotpStep(SEED_SHA1_BASE32, input, 59_000)).toBeNull();
    }
    expect(matchTotpStep(SEED_SHA1_BASE32, '287 082', 59_000)).toBe(1);
  });

  it('makes 160-bit secrets and an otpauth URI apps accept', () => {
    const secret = generateTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(totpUri({ issuer: 'Acme Help', account: 'ada@example.com', secret }));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Acme Help:ada@example.com');
    expect(uri.searchParams.get('issuer')).toBe('Acme Help');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('algorithm')).toBe('SHA1');
    expect(uri.searchParams.get('digits')).toBe('6');
    expect(uri.searchParams.get('period')).toBe('30');
    expect(formatSetupKey('ABCDEFGHIJKLMNOP')).toBe('ABCD EFGH IJKL MNOP');
  });
});
