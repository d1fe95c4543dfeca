import type { Capture } from './types.ts';

/**
 * GHCR and a private (or not yet created) package: "issue one [token] and reject the manifest fetch
 * (403)", measured against live GHCR in TeamCoderz/WordyMe#75. Only the status was published; no
 * capture of the headers or body was found, so they are left empty here.
 */
export const GHCR_FORBIDDEN_AFTER_TOKEN: Capture = {
  name: 'GHCR: 403 on the manifest after an anonymous token (private or missing package)',
  family: 'ghcr',
  source: 'https://github.com/TeamCoderz/WordyMe/pull/75',
  path: /\/manifests\//,
  response: { status: 403, headers: {}, body: '' },
  reconstructed: 'everything but the status: the source published the status only',
};

/**
 * GHCR refusing the token request itself for a private or missing package, anonymously:
 * `GET https://ghcr.io/token?scope=repository%3Arailwayapp%2Fnixpacks%3Apull&service=ghcr.io:
 * 403 Forbidden` (coollabsio/coolify#5575; the same in dragonflydb/dragonfly#4997), with the body
 * a client logged verbatim, `{"errors":[{"code":"DENIED","message":"requested access to the
 * resource is denied"}]}` (Bossett/bsky-feeds#155). The token service answers it, so the suite's
 * token server replays it (token-server.ts `setFault({ answer })`), not the replay proxy.
 */
export const GHCR_TOKEN_DENIED: Capture = {
  name: 'GHCR: 403 DENIED from /token for a private or missing package',
  family: 'ghcr',
  source: 'https://github.com/coollabsio/coolify/issues/5575',
  path: /\/token/,
  response: {
    status: 403,
    headers: { 'content-type': 'application/json' },
    body: '{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}',
  },
  reconstructed: 'the content-type header; status and body are as published',
};

/**
 * Quay.io for an image that was not on quay.io at all: docker printed "unauthorized: access to the
 * requested resource is not authorized" (hpe-storage/csi-driver#288; the same for a repository
 * that did not exist in redhat-et/triton-dev-containers#133).
 */
export const QUAY_NOT_AUTHORIZED: Capture = {
  name: 'Quay.io: 401 UNAUTHORIZED "access to the requested resource is not authorized" for a missing repository',
  family: 'quay',
  source: 'https://github.com/hpe-storage/csi-driver/issues/288',
  path: /\/manifests\//,
  response: {
    status: 401,
    headers: {
      'content-type': 'application/json',
      'www-authenticate': 'Bearer realm="{realm}",service="{service}",scope="repository:{repository}:pull"',
    },
    body: '{"errors":[{"code":"UNAUTHORIZED","message":"access to the requested resource is not authorized","detail":{}}]}',
  },
  reconstructed: 'the JSON envelope, detail and headers around the code and message docker printed',
};
