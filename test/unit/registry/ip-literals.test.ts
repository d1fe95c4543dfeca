// The IP literal parsers behind the metadata-address rule. checkRealm only ever hands them hosts
// as the WHATWG URL parser serialises them (canonical, compressed, no zone, no dotted tail), so
// their other branches are pinned here, directly: they must hold for any text, because a parser
// that accepts a malformed literal could let a metadata address through under another spelling.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIpv4, parseIpv6 } from '../../../functions/registry/forbidden-hosts.ts';

describe('parseIpv4', () => {
  it.each([
    ['169.254.169.254', [169, 254, 169, 254]],
    ['0.0.0.0', [0, 0, 0, 0]],
    ['255.255.255.255', [255, 255, 255, 255]],
    ['010.001.0.1', [10, 1, 0, 1]],
  ])('reads %s', (text, octets) => {
    expect(parseIpv4(text)).toEqual(octets);
  });

  it.each([
    '256.1.1.1',
    '1.256.1.1',
    '1.1.1.256',
    '1.2.3',
    '1.2.3.4.5',
    'a.b.c.d',
    '1234.1.1.1',
    '1.2.3.4 ',
    ' 1.2.3.4',
    '1.2.3.-4',
    '',
    'x1.2.3.4',
    '1.2.3.4x',
    '1..3.4',
  ])('refuses %j', (text) => {
    expect(parseIpv4(text)).toBeNull();
  });
});

describe('parseIpv6', () => {
  it.each([
    ['::', [0, 0, 0, 0, 0, 0, 0, 0]],
    ['::1', [0, 0, 0, 0, 0, 0, 0, 1]],
    ['fe80::', [0xfe80, 0, 0, 0, 0, 0, 0, 0]],
    ['fd00:ec2::254', [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254]],
    ['1:2:3:4:5:6:7:8', [1, 2, 3, 4, 5, 6, 7, 8]],
    ['1:2:3:4:5:6::8', [1, 2, 3, 4, 5, 6, 0, 8]],
    ['1::3:4:5:6:7:8', [1, 0, 3, 4, 5, 6, 7, 8]],
    ['fe80::1%eth0', [0xfe80, 0, 0, 0, 0, 0, 0, 1]],
    ['::ffff:169.254.169.254', [0, 0, 0, 0, 0, 0xffff, 0xa9fe, 0xa9fe]],
    ['1:2:3:4:5:6:1.2.3.4', [1, 2, 3, 4, 5, 6, 0x102, 0x304]],
    [
      'abcd:ef01:2345:6789:abcd:ef01:2345:6789',
      [0xabcd, 0xef01, 0x2345, 0x6789, 0xabcd, 0xef01, 0x2345, 0x6789],
    ],
  ])('reads %s', (text, groups) => {
    expect(parseIpv6(text)).toEqual(groups);
  });

  it.each([
    'example.com',
    '1.2.3.4',
    '1::2::3',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '1::2:3:4:5:6:7:8',
    '::1:2:3:4:5:6:7:8',
    'g::1',
    '12345::',
    '1:2:3:4:5:6:7:',
    ':1:2:3:4:5:6:7',
    '::ffff:1.2.3.256',
    '::ffff:1.2.3.4:5',
    '::FFFF:1:2',
    '1:2:3:4:5:6:7:1.2.3.4',
  ])('refuses %j', (text) => {
    expect(parseIpv6(text)).toBeNull();
  });

  const group = fc.nat(0xffff);
  const groups = fc.array(group, { minLength: 8, maxLength: 8 });

  it('reads back any eight groups written out in full (law)', () => {
    fc.assert(
      fc.property(groups, (g) => {
        expect(parseIpv6(g.map((x) => x.toString(16)).join(':'))).toEqual(g);
      }),
    );
  });

  it('reads any address as the WHATWG URL parser serialises it (law)', () => {
    fc.assert(
      fc.property(groups, (g) => {
        const hostname = new URL(`http://[${g.map((x) => x.toString(16)).join(':')}]/`).hostname;
        expect(parseIpv6(hostname.slice(1, -1))).toEqual(g);
      }),
    );
  });

  it('reads a dotted IPv4 tail as the last two groups (law)', () => {
    fc.assert(
      fc.property(
        fc.array(group, { minLength: 6, maxLength: 6 }),
        fc.array(fc.nat(255), { minLength: 4, maxLength: 4 }),
        (head, v4) => {
          const text = `${head.map((x) => x.toString(16)).join(':')}:${v4.join('.')}`;
          expect(parseIpv6(text)).toEqual([...head, (v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!]);
        },
      ),
    );
  });
});
