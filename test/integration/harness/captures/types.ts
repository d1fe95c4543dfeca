/**
 * A real registry's answer, as someone captured it in public (an issue with `curl -v` output, a
 * client's debug log), kept as data so the replay proxy (../replay-proxy.ts) can answer with it and
 * unit tests can classify it. Each capture names its source; whatever is not verbatim says so in
 * `reconstructed`, and placeholders stand where the answer must point at this suite's own servers.
 */
import type { RegistryProfileName } from '../../../../functions/registry/profiles.ts';

export interface Capture {
  /** One line: which registry said what, and when. */
  name: string;
  family: RegistryProfileName;
  /** Where the capture was published (issue, pull request, documentation page). */
  source: string;
  /** Which requests the registry answered this way (path and query of the /v2/ request). */
  path: RegExp;
  response: {
    status: number;
    /**
     * Lower-case names. `{realm}`, `{service}` and `{repository}` (here and in the body) are filled
     * in at replay time, so a challenge points at this suite's token server, never the real one.
     */
    headers: Readonly<Record<string, string>>;
    /** Sent for GET only; a HEAD answer has no body. */
    body: string;
  };
  /** What is not verbatim (e.g. the JSON envelope around a code and message that a client printed). */
  reconstructed?: string;
}

export interface ReplayValues {
  realm: string;
  service: string;
  repository: string;
}

/** The capture's answer with the placeholders filled in. */
export function filledResponse(capture: Capture, values: ReplayValues): Capture['response'] {
  const fill = (text: string): string =>
    text
      .replaceAll('{realm}', values.realm)
      .replaceAll('{service}', values.service)
      .replaceAll('{repository}', values.repository);
  return {
    status: capture.response.status,
    headers: Object.fromEntries(Object.entries(capture.response.headers).map(([n, v]) => [n, fill(v)])),
    body: fill(capture.response.body),
  };
}
