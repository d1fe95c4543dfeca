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
