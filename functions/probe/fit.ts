/**
 * Fitting the human output into a terminal's width (100 columns): prose wraps at spaces, URLs in
 * evidence are shortened in the middle (the host and the end of the path are what identify them),
 * and commands wrap with a shell line continuation (` \`) between words, never inside quotes, so
 * a wrapped next step still pastes and runs as one command.
 */

/** The width the CLI's human output fits. */
export const OUTPUT_COLUMNS = 100;

const ELLIPSIS = '…';

/** `https://host/v2/a/very/long/…/manifests/sha256:abc…` — scheme, host and the tail kept. */
export function shortenUrl(url: string, max: number): string {
  if (url.length <= max) return url;
  const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/]+/i.exec(url)?.[0] ?? '';
  const tailRoom = max - origin.length - 2;
  if (tailRoom < 8) return `${url.slice(0, Math.max(1, max - 1))}${ELLIPSIS}`;
  return `${origin}/${ELLIPSIS}${url.slice(url.length - tailRoom)}`;
}

/** Every URL in `text` no longer than `max`. */
export function shortenUrls(text: string, max: number): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (url) => shortenUrl(url, max));
}

/** Prose wrapped at spaces: the first line after `first`, the rest after `rest` (indents). */
export function wrapText(text: string, width: number, first: string, rest: string): string[] {
  const words = text.split(/ +/);
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of words) {
    const candidate = empty ? `${line}${word}` : `${line} ${word}`;
    if (!empty && candidate.length > width) {
      lines.push(line);
      line = `${rest}${word}`;
    } else {
      line = candidate;
    }
    empty = false;
  }
  lines.push(line);
  return lines;
}

/** Shell words of a command, quotes kept with their word. */
function shellWords(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | null = null;
  for (const ch of command) {
    if (quote) {
      word += ch;
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      word += ch;
    } else if (ch === ' ') {
      if (word) words.push(word);
      word = '';
    } else {
      word += ch;
    }
  }
  if (word) words.push(word);
  return words;
}

/** A command wrapped with ` \` continuations, so it pastes as one line into a shell. */
export function wrapCommand(command: string, width: number, first: string, rest: string): string[] {
  const words = shellWords(command);
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of words) {
    const candidate = empty ? `${line}${word}` : `${line} ${word}`;
    // Room for the trailing " \" on every line but the last.
    if (!empty && candidate.length > width - 2) {
      lines.push(`${line} \\`);
      line = `${rest}${word}`;
    } else {
      line = candidate;
    }
    empty = false;
  }
  lines.push(line);
  return lines;
}

/**
 * Whether a next step is a command to paste rather than a sentence: next steps are written either
 * as prose (a capital letter, a full stop) or as a command line (diagnose.ts and the profiles).
 */
export function looksLikeCommand(step: string): boolean {
  return /^[a-z][\w.-]*( |$)/.test(step) && !/\.\s*$/.test(step);
}
