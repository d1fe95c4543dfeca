import type { Capture } from './types.ts';

/**
 * Docker Hub after the token service granted a pull token for a repository that does not exist or
 * is private to someone else: 401 with error="insufficient_scope". Verbatim from
 * docker-archive/docker-registry#1071 (registry.hub.docker.com, trimmed there "for clarity"); the
 * realm, service and repository are this suite's.
 */
export const DOCKER_HUB_INSUFFICIENT_SCOPE: Capture = {
  name: 'Docker Hub: 401 insufficient_scope after a granted token (missing or private repository)',
  family: 'dockerhub',
  source: 'https://github.com/docker-archive/docker-registry/issues/1071',
  path: /\/manifests\//,
  response: {
    status: 401,
    headers: {
      'content-type': 'application/json',
      'docker-distribution-api-version': 'registry/2.0',
      'www-authenticate':
        'Bearer realm="{realm}",service="{service}",scope="repository:{repository}:pull",error="insufficient_scope"',
    },
    body: '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":[{"Type":"repository","Name":"{repository}","Action":"pull"}]}]}',
  },
  reconstructed: 'content-type and docker-distribution-api-version, which the trimmed capture left out',
};
