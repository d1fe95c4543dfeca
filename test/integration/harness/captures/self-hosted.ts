import type { Capture } from './types.ts';

/**
 * Harbor 2.x for a repository that does not exist: 404 NOT_FOUND, a code the spec does not have.
 * Verbatim from cue-lang/cue#2982 (a tags/list request there; Harbor answers manifests the same
 * way, as docker-compose shows in goharbor/harbor#16515: "unknown: repository ... not found").
 */
export const HARBOR_REPOSITORY_NOT_FOUND: Capture = {
  name: 'Harbor: 404 NOT_FOUND "repository ... not found"',
  family: 'harbor',
  source: 'https://github.com/cue-lang/cue/issues/2982',
  path: /\/(manifests|tags)\//,
  response: {
    status: 404,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: '{"errors":[{"code":"NOT_FOUND","message":"repository playground/cue/github.com not found"}]}\n',
  },
};

/** Harbor 2.x for a blob it does not have. Body verbatim from goharbor/harbor#18461 (Harbor's own debug log). */
export const HARBOR_BLOB_NOT_FOUND: Capture = {
  name: 'Harbor: 404 NOT_FOUND "blob sha256:... not found"',
  family: 'harbor',
  source: 'https://github.com/goharbor/harbor/issues/18461',
  path: /\/blobs\//,
  response: {
    status: 404,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: '{"errors":[{"code":"NOT_FOUND","message":"blob sha256:e3433e367784cdecd40af63d3a03f9aa391083ec4c2120efc202516d43da7987 not found"}]}',
  },
  reconstructed: 'the content-type header',
};

/**
 * Artifactory for a tag it does not have. Body verbatim from jetstack/version-checker#318 (a
 * docker-remote repository), which speaks the spec's MANIFEST_UNKNOWN.
 */
export const ARTIFACTORY_MANIFEST_UNKNOWN: Capture = {
  name: 'Artifactory: 404 MANIFEST_UNKNOWN "The named manifest is not known to the registry."',
  family: 'artifactory',
  source: 'https://github.com/jetstack/version-checker/issues/318',
  path: /\/manifests\//,
  response: {
    status: 404,
    headers: { 'content-type': 'application/json' },
    body: '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"The named manifest is not known to the registry.","detail":{"manifest":"library/haproxy"}}]}',
  },
  reconstructed: 'the content-type header',
};

/** Nexus 3 on its Docker connector, for a manifest it does not have. Body verbatim from sonatype/nexus-public#317. */
export const NEXUS_MANIFEST_UNKNOWN: Capture = {
  name: 'Nexus: 404 MANIFEST_UNKNOWN "manifest unknown"',
  family: 'nexus',
  source: 'https://github.com/sonatype/nexus-public/issues/317',
  path: /\/manifests\//,
  response: {
    status: 404,
    headers: { 'content-type': 'application/json' },
    body: '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":[{"Name":"clickhouse/clickhouse-server"},{"Revision":"sha256:85a5c165103b7ba1a2b06dda73bfc9a2248c37a11567a171c74a484f13f17e8e"}]}]}',
  },
  reconstructed: 'the content-type header',
};

/**
 * Nexus's web UI, not its Docker connector: an HTML 404 page. The start of the page is verbatim
 * from microsoft/vscode-docker#537 (Nexus 3.13.0-01); the rest of the page is cut.
 */
export const NEXUS_HTML_404: Capture = {
  name: 'Nexus web UI: 404 HTML page "404 - Nexus Repository Manager"',
  family: 'nexus',
  source: 'https://github.com/microsoft/vscode-docker/issues/537',
  path: /\/manifests\//,
  response: {
    status: 404,
    headers: { 'content-type': 'text/html' },
    body: '\n<!DOCTYPE html>\n<html>\n<head>\n  <title>404 - Nexus Repository Manager</title>\n  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8"/>\n</head>\n<body>\n<div class="nexus-header">\n</div>\n</body>\n</html>\n',
  },
  reconstructed: 'the content-type header, and the page after its <head> (cut)',
};

/**
 * mcr.microsoft.com for a tag it does not have, verbatim from MicrosoftDocs/azure-docs#90060
 * (`az acr import` printed the body): ACR and MCR speak the spec's MANIFEST_UNKNOWN.
 */
export const MCR_MANIFEST_UNKNOWN: Capture = {
  name: 'MCR: 404 MANIFEST_UNKNOWN "manifest tagged by \\"1.1.2\\" is not found"',
  family: 'acr',
  source: 'https://github.com/MicrosoftDocs/azure-docs/issues/90060',
  path: /\/manifests\//,
  response: {
    status: 404,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest tagged by \\"1.1.2\\" is not found","detail":{"Tag":"1.1.2"}}]}',
  },
  reconstructed: 'the content-type header',
};
