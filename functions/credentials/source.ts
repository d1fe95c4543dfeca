/**
 * Where a target's credentials come from, as written in the deployed config. The same schema is
 * validated at `cdk synth` (lib/config) and read by the probe Lambda at run time.
 * Secrets are referenced by Secrets Manager ARN or name, never inlined.
 */
import { z } from 'zod';

const secretReference = z.string().min(1).describe('Secrets Manager secret ARN or name');

export const credentialSourceSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('anonymous') }).strict(),
  z
    .object({
      type: z.literal('basic'),
      /** A secret whose value is JSON {"username": "...", "password": "..."}. */
      secret: secretReference,
    })
    .strict(),
  z
    .object({
      type: z.literal('ecr'),
      /** The registry's region; by default read from the ECR host name. */
      region: z.string().optional(),
      /** A role to assume first, for registries in another account. */
      roleArn: z.string().startsWith('arn:').optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('ecr-public'),
      /** Use an authenticated token from the ecr-public API in us-east-1 instead of the anonymous one. */
      authenticated: z.boolean().default(false),
    })
    .strict(),
  z
    .object({
      type: z.literal('google'),
      /** A secret whose value is a service-account JSON key. */
      secret: secretReference,
      /** Send the key itself as `_json_key`, or exchange it for an OAuth access token (`oauth2accesstoken`). */
      mode: z.enum(['json-key', 'access-token']).default('access-token'),
    })
    .strict(),
]);

export type CredentialSource = z.infer<typeof credentialSourceSchema>;
