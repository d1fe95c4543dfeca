/**
 * Keeping secrets out of results, errors and logs. URLs lose their user-info and the values of
 * query parameters that grant access (tokens, pre-signed storage signatures); free text loses
 * any secret the probe knows it holds (passwords, tokens).
 */

/**
 * Query parameters whose values grant access. Storage redirects carry them: S3 and R2
 * (X-Amz-Signature, X-Amz-Credential, X-Amz-Security-Token), GCS (X-Goog-Signature), CloudFront
 * (Signature), Azure SAS (sig), and Docker Hub's Cloudflare storage, whose blob redirects end in
 * `data?verify=<expiry>-<HMAC>` (captured in docker/hub-feedback and containers/image pull logs:
 * https://production.cloudflare.docker.com/registry-v2/docker/registry/v2/blobs/sha256/d7/.../data?verify=1571741472-uPpr%2F4fiyi2ZixtR%2FK5AwxUatZQ%3D).
 * `sig`, `key` and `verify` only as whole names: `design`, `monkey` or `verifyssl` grant nothing.
 */
const SECRET_QUERY_PARAM = /token|signature|^sig$|password|secret|credential|^key$|^verify$|auth/i;

/** The URL with user-info removed and secret-looking query values replaced by REDACTED. */
export function redactUrl(input: URL | string): string {
  let url: URL;
  try {
    url = new URL(input.toString());
  } catch {
    return '<unparsable URL>';
  }
  url.username = '';
  url.password = '';
  for (const name of [...new Set(url.searchParams.keys())]) {
    if (SECRET_QUERY_PARAM.test(name)) url.searchParams.set(name, 'REDACTED');
  }
  return url.toString();
}

/** A URL reduced to scheme://host/path: enough to recognise it, nothing that could be secret. */
export function describeUrl(input: URL | string): string {
  try {
    const url = new URL(input.toString());
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return '<unparsable URL>';
  }
}

/** A set of secret strings that must never appear in output; `scrub` replaces them. */
export class SecretScrubber {
  private readonly secrets = new Set<string>();

  /** Remember a secret, and its base64 Basic form when a username is given. Short strings are ignored: they would garble text. */
  add(secret: string | null | undefined, username?: string): void {
    if (!secret || secret.length < 4) return;
    this.secrets.add(secret);
    if (username !== undefined) this.secrets.add(Buffer.from(`${username}:${secret}`).toString('base64'));
  }

  /** The text with every known secret replaced by ***. */
  scrub(text: string): string {
    let out = text;
    // Longest first: a token that contains the password would otherwise keep all but that part.
    const longestFirst = [...this.secrets].sort((a, b) => b.length - a.length);
    for (const secret of longestFirst) out = out.split(secret).join('***');
    return out;
  }
}
