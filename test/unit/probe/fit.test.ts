import { describe, expect, it } from 'vitest';
import { looksLikeCommand, shortenUrl, wrapCommand, wrapText } from '../../../functions/probe/fit.ts';

describe('fitting output to the terminal', () => {
  it('leaves a URL that fits alone, and shortens a long one to exactly the budget', () => {
    const url = `https://registry.example.com/v2/team/app/manifests/sha256:${'b'.repeat(64)}`;

    expect(shortenUrl('https://a.example/v2/', 40)).toBe('https://a.example/v2/');
    const short = shortenUrl(url, 60);
    expect(short).toHaveLength(60);
    expect(short.startsWith('https://registry.example.com/…')).toBe(true);
    expect(url.endsWith(short.split('…')[1]!)).toBe(true);
  });

  it('wraps prose at spaces with the indents given', () => {
    expect(wrapText('one two three four', 10, '- ', '  ')).toEqual(['- one two', '  three', '  four']);
  });

  it('keeps a quoted argument with spaces in one piece when wrapping a command', () => {
    const lines = wrapCommand(`curl -H 'Accept: application/json' https://example.com/v2/`, 30, '', '  ');

    expect(lines).toEqual(['curl -H \\', "  'Accept: application/json' \\", '  https://example.com/v2/']);
  });

  it('tells a command from a sentence', () => {
    expect(looksLikeCommand('nc -vz 127.0.0.1 1')).toBe(true);
    expect(looksLikeCommand('curl -sI http://127.0.0.1:1/v2/')).toBe(true);
    expect(looksLikeCommand('Check the registry process is running.')).toBe(false);
    expect(looksLikeCommand('the tag was deleted.')).toBe(false);
  });
});
