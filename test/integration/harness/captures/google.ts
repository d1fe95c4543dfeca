import type { Capture } from './types.ts';

/**
 * Artifact Registry refusing a manifest the caller may not read, or that does not exist: its
 * message says both. Code and message verbatim from docker's rendering in
 * terraform-google-modules/terraform-google-kubernetes-engine#1779 (`denied: Permission ...`).
 */
export const ARTIFACT_REGISTRY_DENIED_OR_MISSING: Capture = {
  name: 'Artifact Registry: 403 DENIED "... denied on resource ... (or it may not exist)"',
  family: 'artifact-registry',
  source: 'https://github.com/terraform-google-modules/terraform-google-kubernetes-engine/issues/1779',
  path: /\/manifests\//,
  response: {
    status: 403,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'docker-distribution-api-version': 'registry/2.0',
    },
    body: '{"errors":[{"code":"DENIED","message":"Permission \\"artifactregistry.repositories.downloadArtifacts\\" denied on resource \\"projects/<PROJECT_ID>/locations/europe-west2/repositories/ml\\" (or it may not exist)"}]}',
  },
  reconstructed: 'the JSON envelope and headers around the code and message docker printed',
};
