/** Every capture, for tests that walk them all. */
export * from './aws.ts';
export * from './dockerhub.ts';
export * from './ghcr-quay.ts';
export * from './google.ts';
export * from './self-hosted.ts';
export * from './types.ts';
