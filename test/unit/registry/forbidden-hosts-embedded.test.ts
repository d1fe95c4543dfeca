/**
 * IPv6 literals that embed an IPv4 address reach that address (RFC 4291 section 2.5.5.1
 * IPv4-compatible ::a.b.c.d; RFC 6052 NAT64 well-known prefix 64:ff9b::/96), so the metadata
 * address hidden in one is refused; an address that only resembles those forms is an ordinary
 * IPv6 address and is not. Both directions are pinned: a guard that refuses too much stops
 * real registries, one that refuses too little lets a registry redirect the probe to the
 * metadata service (SSRF).
 */
import { describe, expect, it } from 'vitest';
import { forbiddenHostReason } from '../../../functions/registry/forbidden-hosts.ts';

describe('forbiddenHostReason: IPv4 inside IPv6', () => {
  it.each(['[::169.254.169.254]', '[::a9fe:a9fe]', '[64:ff9b::169.254.169.254]', '[64:ff9b::a9fe:a9fe]'])(
    'refuses %s: it reaches 169.254.169.254',
    (host) => {
      expect(forbiddenHostReason(host)).toBe('the link-local address 169.254.169.254 (cloud metadata)');
    },
  );

  it('refuses the start of the link-local range in IPv4-compatible form, whose last group is 0', () => {
    expect(forbiddenHostReason('[::169.254.0.0]')).toBe(
      'the link-local address 169.254.0.0 (cloud metadata)',
    );
  });

  it.each([
    // Not the NAT64 well-known prefix: another first or second group, or non-zero middle groups.
    '[64:1::a9fe:a9fe]',
    '[65:ff9b::a9fe:a9fe]',
    '[64:ff9b:1::a9fe:a9fe]',
    // Not IPv4-compatible: a non-zero group before the last two.
    '[0:0:0:0:0:1:a9fe:a9fe]',
  ])('allows %s, an ordinary IPv6 address', (host) => {
    expect(forbiddenHostReason(host)).toBeNull();
  });
});
