/**
 * cutShortProblem (http.ts): which undici 7 errors after the headers mean the server ended the
 * body early, and what it then says. undici: node_modules/undici/lib/dispatcher/client-h1.js
 * onHttpSocketEnd (SocketError 'other side closed', or llhttp finished at EOF on Connection: close).
 */
import { describe, expect, it } from 'vitest';
import { cutShortProblem } from '../../../functions/registry/http.ts';

const otherSideClosed = Object.assign(new Error('other side closed'), {
  name: 'SocketError',
  code: 'UND_ERR_SOCKET',
});
const lengthMismatch = Object.assign(new Error('Response body length does not match content-length header'), {
  code: 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
});
const eofMidChunk = Object.assign(
  new Error('Response does not match the HTTP/1.1 protocol (Invalid EOF state)'),
  {
    name: 'HTTPParserError',
  },
);

describe('cutShortProblem', () => {
  it.each([otherSideClosed, lengthMismatch, new Error('wrapped', { cause: otherSideClosed })])(
    'names received against the announced Content-Length for %s',
    (error) => {
      expect(cutShortProblem(error, { 'content-length': '100' }, 5)).toEqual({
        problem:
          'the server closed the connection after 5 of the 100 bytes its Content-Length announced (a truncated answer)',
        announced: 'content-length: 100',
      });
    },
  );

  it('names a chunked body closed before its last chunk', () => {
    for (const error of [otherSideClosed, eofMidChunk]) {
      expect(cutShortProblem(error, { 'transfer-encoding': 'chunked' }, 3)?.announced).toBe(
        'transfer-encoding: chunked',
      );
    }
  });

  it('leaves a body longer than announced to the content-length breach, not a truncation', () => {
    expect(cutShortProblem(lengthMismatch, { 'content-length': '4' }, 5)).toBeNull();
    expect(cutShortProblem(lengthMismatch, { 'content-length': '5' }, 5)).toBeNull();
  });

  it('leaves resets and other closes alone', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(cutShortProblem(reset, { 'content-length': '100' }, 5)).toBeNull();
    const closed = Object.assign(new Error('closed'), { code: 'UND_ERR_SOCKET' });
    expect(cutShortProblem(closed, { 'content-length': '100' }, 5)).toBeNull();
    // Framed by the close itself (no length, not chunked): a close is how such a body ends.
    expect(cutShortProblem(otherSideClosed, {}, 5)).toBeNull();
  });
});
