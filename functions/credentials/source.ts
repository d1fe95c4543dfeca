/**
 * Where a target's credentials come from, as written in the deployed config. The same schema is
 * validated at `cdk synth` (lib/config) and read by the probe Lambda at run time.
 * Secrets are referenced by Secrets Manager ARN or name, never inlined.
 */
// zod/mini: this schema ships in the probe Lambda's bundle, where classic zod alone is ~450 KB of
// the ~2 MB bundle (bench/RESULTS.md); mini schemas nest inside the classic ones lib/config uses.
import * as z from 'zod/mini';

/** A Secrets Manager secret ARN or name. */
const secretReference = z.string().check(z.minLength(1));

export const credentialSourceSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('anonymous') }),
  z.strictObject({
    type: z.literal('basic'),
    /** A secret whose value is JSON {"username": "...", "password": "..."}. */
    secret: secretReference,
  }),
  z.strictObject({
    type: z.literal('ecr'),
    /** The registry's region; by default read from the ECR host name. */
    region: z.optional(z.string()),
    /** A role to assume first, for registries in another account. */
    roleArn: z.optional(z.string().check(z.startsWith('arn:'))),
  }),
  z.strictObject({
    type: z.literal('ecr-public'),
    /** Use an authenticated token from the ecr-public API in us-east-1 instead of the anonymous one. */
    authenticated: z._default(z.boolean(), false),
  }),
  z.strictObject({
    type: z.literal('google'),
    /** A secret whose value is a service-account JSON key. */
    secret: secretReference,
    /** Send the key itself as `_json_key`, or exchange it for an OAuth access token (`oauth2accesstoken`). */
    mode: z._default(z.enum(['json-key', 'access-token']), 'access-token'),
  }),
]);

export type CredentialSource = z.infer<typeof credentialSourceSchema>;
