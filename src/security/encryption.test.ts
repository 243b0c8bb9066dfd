import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decrypt, encrypt } from './encryption.js';

/**
 * Sealed values (TOTP secrets at rest, the one-time cookie of new recovery codes and API keys)
 * must open only as they were sealed: with the key, for the row they were bound to, and with
 * GCM's full 16-byte tag. A client that may hand the server any value and see whether it
 * opens must not be able to forge one by shortening the tag.
 */
describe('AES-256-GCM sealing', () => {
  const key = randomBytes(32);
  const sealed = encrypt(key, Buffer.from('secret'), 'row-1');

  it('opens what it sealed, for the same row only', () => {
    expect(decrypt(key, sealed, 'row-1').toString()).toBe('secret');
    expect(() => decrypt(key, sealed, 'row-2')).toThrow();
    expect(() => decrypt(randomBytes(32), sealed, 'row-1')).toThrow();
  });

  it('refuses a shortened tag, even the right tag cut short', () => {
    const [version, iv, body, tag] = sealed.split('.');
    const full = Buffer.from(tag ?? '', 'base64url');
    for (const length of [4, 8, 12, 15]) {
      const cut = [version, iv, body, full.subarray(0, length).toString('base64url')].join('.');
      expect(() => decrypt(key, cut, 'row-1'), `${length} bytes`).toThrow(
        'Unrecognised ciphertext',
      );
    }
  });

  it('refuses a nonce of another length', () => {
    const [version, , body, tag] = sealed.split('.');
    const odd = [version, randomBytes(16).toString('base64url'), body, tag].join('.');
    expect(() => decrypt(key, odd, 'row-1')).toThrow('Unrecognised ciphertext');
  });
});
