/**
 * WWW-Authenticate parsing (RFC 7235 section 4.1). A header may hold several challenges
 * (`Basic realm="a", Bearer realm="b",service="c"`), quoted values may hold commas and escaped
 * quotes, and a Bearer `scope` may hold several space-separated scopes. Any malformed header is a
 * ChallengeParseError, which the probe reports as PROTOCOL_ERROR, never a crash.
 */
import { ChallengeParseError } from './errors.ts';

export interface Challenge {
  /** Lower-cased auth scheme: 'bearer', 'basic', ... */
  scheme: string;
  /** Parameters with lower-cased names; the first occurrence of a name wins. */
  params: Record<string, string>;
  /** The token68 form (`Negotiate abc==`), when the challenge used it instead of parameters. */
  token68?: string;
}

export interface BearerChallenge {
  realm: string;
  service: string | null;
  /** Space-separated scopes of the `scope` parameter, split. */
  scopes: string[];
}

// tchar from RFC 7230 section 3.2.6
const TCHAR = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;

/** Parses every challenge in the header. Throws ChallengeParseError when the header is malformed. */
export function parseWwwAuthenticate(header: string): Challenge[] {
  const parser = new Parser(header);
  const challenges = parser.parse();
  if (challenges.length === 0) throw new ChallengeParseError(header, 'no challenge in the header');
  return challenges;
}

/** The Bearer challenge of the header, or null when it offers none. Throws when a Bearer challenge has no realm. */
export function findBearer(challenges: Challenge[], header = ''): BearerChallenge | null {
  const bearer = challenges.find((c) => c.scheme === 'bearer');
  if (!bearer) return null;
  const realm = bearer.params['realm'];
  if (!realm) throw new ChallengeParseError(header, 'the Bearer challenge has no realm');
  const scope = bearer.params['scope'];
  return {
    realm,
    service: bearer.params['service'] ?? null,
    scopes: scope ? scope.split(' ').filter((s) => s !== '') : [],
  };
}

class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parse(): Challenge[] {
    const challenges: Challenge[] = [];
    this.skipSeparators();
    while (!this.atEnd()) {
      challenges.push(this.challenge());
      this.skipSeparators();
    }
    return challenges;
  }

  private challenge(): Challenge {
    const scheme = this.token();
    if (scheme === '') this.fail(`expected an auth scheme at offset ${this.pos}`);
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    const afterScheme = this.pos;
    this.skipWhitespace();
    if (this.atEnd() || this.peek() === ',') return challenge;
    if (this.pos === afterScheme) this.fail(`expected a space after the scheme ${JSON.stringify(scheme)}`);

    const token68 = this.tryToken68();
    if (token68 !== null) {
      challenge.token68 = token68;
      return challenge;
    }
    // 1#auth-param, separated by commas; a token not followed by "=" starts the next challenge.
    for (;;) {
      this.param(challenge);
      this.skipWhitespace();
      if (this.atEnd()) return challenge;
      if (this.peek() !== ',') this.fail(`expected "," after a parameter at offset ${this.pos}`);
      this.skipSeparators();
      if (this.atEnd()) return challenge;
      // A token not followed by "=" is the next challenge's scheme; the caller reads it from here.
      if (!this.nextIsParam()) return challenge;
    }
  }

  private param(challenge: Challenge): void {
    const name = this.token();
    if (name === '') this.fail(`expected a parameter name at offset ${this.pos}`);
    this.skipWhitespace();
    if (this.peek() !== '=') this.fail(`expected "=" after ${JSON.stringify(name)}`);
    this.pos++;
    this.skipWhitespace();
    const value = this.peek() === '"' ? this.quoted() : this.token();
    if (value === '' && this.peek() !== undefined && this.peek() !== ',') {
      this.fail(`invalid value for ${JSON.stringify(name)} at offset ${this.pos}`);
    }
    const key = name.toLowerCase();
    if (!(key in challenge.params)) challenge.params[key] = value;
  }

  /** token68 is `1*tchar68 *"="`, standing alone up to the end or a comma. */
  private tryToken68(): string | null {
    const start = this.pos;
    let i = start;
    while (i < this.text.length && TOKEN68_CHAR.test(this.text[i]!)) i++;
    if (i === start) return null;
    let j = i;
    while (j < this.text.length && this.text[j] === '=') j++;
    let k = j;
    while (k < this.text.length && (this.text[k] === ' ' || this.text[k] === '\t')) k++;
    // `name=value` is a parameter, not token68: token68 has only "=" up to the end or a comma.
    if (k < this.text.length && this.text[k] !== ',') return null;
    this.pos = j;
    return this.text.slice(start, j);
  }

  private nextIsParam(): boolean {
    const save = this.pos;
    const name = this.token();
    this.skipWhitespace();
    const isParam = name !== '' && this.peek() === '=';
    this.pos = save;
    return isParam;
  }

  private quoted(): string {
    this.pos++; // opening quote
    let value = '';
    while (!this.atEnd()) {
      const ch = this.text[this.pos++]!;
      if (ch === '"') return value;
      if (ch === '\\') {
        if (this.atEnd()) break;
        value += this.text[this.pos++];
      } else {
        value += ch;
      }
    }
    return this.fail('unterminated quoted string');
  }

  private token(): string {
    const start = this.pos;
    while (!this.atEnd() && TCHAR.test(this.text[this.pos]!)) this.pos++;
    return this.text.slice(start, this.pos);
  }

  private skipWhitespace(): void {
    while (!this.atEnd() && (this.text[this.pos] === ' ' || this.text[this.pos] === '\t')) this.pos++;
  }

  private skipSeparators(): void {
    while (!this.atEnd() && /[ \t,]/.test(this.text[this.pos]!)) this.pos++;
  }

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  private fail(reason: string): never {
    throw new ChallengeParseError(this.text, reason);
  }
}
