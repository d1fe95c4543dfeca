import { describe, expect, it } from 'vitest';
import { parseWwwAuthenticate } from '../../../functions/registry/challenge.ts';
import { ChallengeCache } from '../../../functions/registry/challenge-cache.ts';

const BASIC = { challenges: parseWwwAuthenticate('Basic realm="r"'), header: 'Basic realm="r"' };

describe('ChallengeCache', () => {
  it('keeps a challenge per registry origin', () => {
    const cache = new ChallengeCache();
    cache.set('https://a.example', BASIC);
    expect(cache.get('https://a.example')).toEqual(BASIC);
    expect(cache.get('https://b.example')).toBeNull();
  });

  it('forgets an entry after 15 minutes, so a change of authentication is read again', () => {
    let now = 0;
    const cache = new ChallengeCache(() => now);
    cache.set('https://a.example', BASIC);
    now = 15 * 60 * 1000 - 1;
    expect(cache.get('https://a.example')).not.toBeNull();
    now = 15 * 60 * 1000;
    expect(cache.get('https://a.example')).toBeNull();
    expect(cache.size).toBe(0);
  });

  it('forgets on request', () => {
    const cache = new ChallengeCache();
    cache.set('https://a.example', BASIC);
    cache.forget('https://a.example');
    expect(cache.get('https://a.example')).toBeNull();
  });

  it('holds at most 256 registries, the oldest out first', () => {
    const cache = new ChallengeCache();
    for (let i = 0; i < 300; i++) cache.set(`https://r${i}.example`, BASIC);
    expect(cache.size).toBe(256);
    expect(cache.get('https://r0.example')).toBeNull();
    expect(cache.get('https://r299.example')).not.toBeNull();
  });
});
