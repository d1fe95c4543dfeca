import type { Capture } from './types.ts';

/**
 * ECR private with an expired authorization token (the 12-hour password of get-login-password):
 * 403 and no challenge. The code and message are verbatim from oras' rendering in
 * flipt-io/flipt#3043 ("response status code 403: denied: Your authorization token has expired.
 * Reauthenticate and try again.").
 */
export const ECR_EXPIRED_TOKEN: Capture = {
  name: 'ECR: 403 DENIED for an expired authorization token',
  family: 'ecr',
  source: 'https://github.com/flipt-io/flipt/issues/3043',
  path: /\/manifests\//,
  response: {
    status: 403,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'docker-distribution-api-version': 'registry/2.0',
    },
    body: '{"errors":[{"code":"DENIED","message":"Your authorization token has expired. Reauthenticate and try again."}]}',
  },
  reconstructed: 'the JSON envelope and headers around the code and message oras printed',
};

/**
 * ECR Public with an invalid (or expired) bearer token: 400, no challenge. Body verbatim from
 * apple/container#847; headers verbatim from lablup/backend.ai#2549 (`curl -I -H "Authorization:
 * Bearer abc" https://public.ecr.aws/v2`: content-type, content-length 80, no www-authenticate).
 */
export const ECR_PUBLIC_INVALID_TOKEN: Capture = {
  name: 'ECR Public: 400 DENIED "Your Authorization Token is invalid." without a challenge',
  family: 'ecr-public',
  source: 'https://github.com/apple/container/issues/847',
  path: /\/manifests\//,
  response: {
    status: 400,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'docker-distribution-api-version': 'registry/2.0',
    },
    body: '{"errors":[{"message":"Your Authorization Token is invalid.","code":"DENIED"}]}',
  },
};

/**
 * ECR private refusing a principal without pull permission: 403 DENIED naming the identity and the
 * action. The message form is verbatim from docker's output quoted in "Fix: AWS ECR Authentication
 * Failed" (fixdevs.com), for ecr:InitiateLayerUpload there; this capture asks for the pull action.
 */
export const ECR_NOT_AUTHORIZED: Capture = {
  name: 'ECR: 403 DENIED "User: arn:... is not authorized to perform: ecr:BatchGetImage"',
  family: 'ecr',
  source: 'https://www.fixdevs.com/blog/aws-ecr-authentication-failed/',
  path: /\/manifests\//,
  response: {
    status: 403,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'docker-distribution-api-version': 'registry/2.0',
    },
    body: '{"errors":[{"code":"DENIED","message":"User: arn:aws:iam::123456789:user/deploy is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:us-east-1:123456789:repository/my-app"}]}',
  },
  reconstructed:
    'the JSON envelope and headers, and the action (ecr:BatchGetImage for ecr:InitiateLayerUpload)',
};
