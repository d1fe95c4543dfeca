/**
 * An HttpClient that answers from a script and records every request, for unit tests of the
 * layers above HTTP (handshake, token exchange, redirects). The real HttpClient is tested against
 * real servers on loopback in http.test.ts; here only what the layer above does with answers matters.
 */
import type { HttpClient, HttpExchange, HttpRequest } from '../../../functions/registry/http.ts';

export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export function scriptedHttp(answers: (ScriptedAnswer | Error)[]): {
  http: HttpClient;
  requests: HttpRequest[];
} {
  const requests: HttpRequest[] = [];
  const http = {
    async send(request: HttpRequest): Promise<HttpExchange> {
      requests.push(request);
      const answer = answers[requests.length - 1];
      if (answer === undefined) throw new Error(`unexpected request ${request.method} ${request.url}`);
      if (answer instanceof Error) throw answer;
      return {
        step: {
          name: request.step,
          method: request.method,
          url: request.url.toString(),
          status: answer.status,
          host: request.url.host,
          timings: {} as HttpExchange['step']['timings'],
          reusedConnection: false,
        },
        status: answer.status,
        headers: answer.headers ?? {},
        body: Buffer.from(answer.body ?? ''),
        bodyTruncated: false,
        tls: null,
        bodyMs: 0,
        proxy: null,
      };
    },
  } as unknown as HttpClient;
  return { http, requests };
}
