/** One local registry as the bench sees it: enough to point every contender at the same image. */
export type AuthMode = 'plain' | 'tls-basic' | 'token';

export interface BenchRegistry {
  mode: AuthMode;
  /** host:port on 127.0.0.1 */
  host: string;
  /** http://... or https://... */
  baseUrl: string;
  plainHttp: boolean;
  /** PEM file of the CA that signed the registry's certificate (TLS modes). */
  caFile?: string;
  caPem?: string;
  /** Basic credentials (tls-basic) or the token server's credentials (token), when it needs any. */
  username?: string;
  password?: string;
  /** A multi-arch image pushed there, e.g. 127.0.0.1:5000/bench/multi:latest */
  ref: string;
}
