import { describe, expect, it } from 'vitest';
import { DIAGNOSIS_CODES } from '../../../functions/probe/codes.ts';
import { PROFILE_NAMES, parseEcrHost, profileForHost } from '../../../functions/registry/profiles.ts';

describe('profileForHost', () => {
  it.each([
    ['docker.io', 'dockerhub'],
    ['registry-1.docker.io', 'dockerhub'],
    ['index.docker.io', 'dockerhub'],
    ['Registry-1.Docker.IO', 'dockerhub'],
    ['registry-1.docker.io:443', 'dockerhub'],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com', 'ecr'],
    ['123456789012.dkr.ecr.eu-central-1.amazonaws.com:443', 'ecr'],
    ['123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com', 'ecr'],
    ['123456789012.dkr-ecr.eu-west-1.on.aws', 'ecr'],
    ['123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn', 'ecr'],
    ['123456789012.dkr-ecr.cn-north-1.on.amazonwebservices.com.cn', 'ecr'],
    ['123456789012.dkr-ecr.cn-northwest-1.on.amazonwebservices.com.cn:443', 'ecr'],
    ['123456789012.dkr-ecr-fips.us-gov-east-1.on.aws', 'ecr'],
    ['public.ecr.aws', 'ecr-public'],
    ['gcr.io', 'gcr'],
    ['us.gcr.io', 'gcr'],
    ['eu.gcr.io', 'gcr'],
    ['asia.gcr.io', 'gcr'],
    ['k8s.gcr.io', 'gcr'],
    ['mirror.gcr.io', 'mirror-gcr'],
    ['us-central1-docker.pkg.dev', 'artifact-registry'],
    ['europe-docker.pkg.dev', 'artifact-registry'],
    ['ghcr.io', 'ghcr'],
    ['quay.io', 'quay'],
    ['myregistry.azurecr.io', 'acr'],
    ['myregistry.azurecr.cn', 'acr'],
    ['registry.example.com', 'generic'],
    ['127.0.0.1:5000', 'generic'],
    ['[::1]:5000', 'generic'],
    ['localhost:5000', 'generic'],
    ['harbor.corp.internal', 'generic'],
    ['registry.k8s.io', 'registry-k8s'],
    ['mcr.microsoft.com', 'acr'],
    ['registry.gitlab.com', 'gitlab'],
    ['acme.jfrog.io', 'artifactory'],
    ['gitlab.example.com', 'generic'],
    // Look-alikes must not borrow a profile (and with it, trusted realm hosts).
    ['docker.io.evil.example', 'generic'],
    ['evilgcr.io', 'generic'],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.example', 'generic'],
    ['12345.dkr.ecr.us-east-1.amazonaws.com', 'generic'],
    ['123456789012.dkr-ecr.cn-north-1.on.amazonwebservices.com.cn.evil.example', 'generic'],
    ['123456789012.dkr-ecr.cn-north-1.amazonwebservices.com.cn', 'generic'],
    ['ghcr.io.example', 'generic'],
  ])('recognises %s as %s', (host, expected) => {
    expect(profileForHost(host).name).toBe(expected);
  });

  it('trusts auth.docker.io as the token realm of Docker Hub only', () => {
    expect(profileForHost('registry-1.docker.io').trustedRealmHosts).toEqual(['auth.docker.io']);
    expect(profileForHost('registry.example.com').trustedRealmHosts).toEqual([]);
  });

  it('marks Docker Hub as rate limited', () => {
    expect(profileForHost('docker.io').rateLimited).toBe(true);
    expect(profileForHost('ghcr.io').rateLimited).toBe(false);
  });
});

describe('parseEcrHost', () => {
  it.each([
    [
      '123456789012.dkr.ecr.us-east-1.amazonaws.com',
      { accountId: '123456789012', region: 'us-east-1', fips: false, dualStack: false },
    ],
    [
      '123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com',
      { accountId: '123456789012', region: 'us-gov-west-1', fips: true, dualStack: false },
    ],
    [
      '123456789012.dkr-ecr.eu-west-1.on.aws',
      { accountId: '123456789012', region: 'eu-west-1', fips: false, dualStack: true },
    ],
    [
      '123456789012.dkr-ecr-fips.us-east-2.on.aws',
      { accountId: '123456789012', region: 'us-east-2', fips: true, dualStack: true },
    ],
    [
      '123456789012.dkr.ecr.cn-northwest-1.amazonaws.com.cn',
      { accountId: '123456789012', region: 'cn-northwest-1', fips: false, dualStack: false },
    ],
    [
      '123456789012.dkr-ecr.cn-north-1.on.amazonwebservices.com.cn',
      { accountId: '123456789012', region: 'cn-north-1', fips: false, dualStack: true },
    ],
    [
      '123456789012.dkr-ecr.cn-northwest-1.on.amazonwebservices.com.cn',
      { accountId: '123456789012', region: 'cn-northwest-1', fips: false, dualStack: true },
    ],
    [
      '123456789012.dkr.ecr.ap-southeast-2.amazonaws.com:443',
      { accountId: '123456789012', region: 'ap-southeast-2', fips: false, dualStack: false },
    ],
  ])('parses %s', (host, expected) => {
    expect(parseEcrHost(host)).toEqual(expected);
  });

  it.each(['public.ecr.aws', 'ecr.us-east-1.amazonaws.com', 'registry.example.com', ''])(
    'returns null for %s',
    (host) => {
      expect(parseEcrHost(host)).toBeNull();
    },
  );
});

describe('nextSteps', () => {
  const ctx = {
    registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    repository: 'team/app',
    reference: 'v1',
  };

  it('gives the ECR login command for the registry region and host', () => {
    const steps = profileForHost(ctx.registry).nextSteps('AUTH_FAILED', ctx);
    expect(steps[1]).toBe(
      'Or log in the way docker does: aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    );
  });

  it("offers --auth ecr first on ECR, keeping the run's other flags, never an interactive docker login", () => {
    const steps = profileForHost(ctx.registry).nextSteps('AUTH_FAILED', {
      ...ctx,
      invocation: { command: 'npx registry-canary', flags: ['--auth docker', '--platform linux/arm64'] },
    });
    expect(steps[0]).toBe(
      'Probe with the ECR credential chain: npx registry-canary probe 123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:v1 --platform linux/arm64 --auth ecr',
    );
    // Every docker login is fed the token on stdin, never an interactive prompt.
    for (const step of steps.filter((s) => s.includes('docker login'))) {
      expect(step).toMatch(/get-login-password [^|]*\| docker login --username AWS --password-stdin/);
    }
  });

  it('points at the repository policy when ECR denies the pull', () => {
    const steps = profileForHost(ctx.registry).nextSteps('DENIED', ctx);
    expect(steps.join('\n')).toContain(
      'aws ecr get-repository-policy --region eu-west-1 --registry-id 123456789012 --repository-name team/app',
    );
  });

  it('gives gcloud auth configure-docker for the Artifact Registry location', () => {
    const ar = {
      registry: 'europe-west1-docker.pkg.dev',
      repository: 'my-project/images/app',
      reference: 'latest',
    };
    const profile = profileForHost(ar.registry);
    expect(profile.nextSteps('AUTH_REQUIRED', ar)[0]).toContain(
      'gcloud auth configure-docker europe-west1-docker.pkg.dev',
    );
    expect(profile.nextSteps('DENIED', ar).join('\n')).toContain(
      '--project my-project --location europe-west1 --member serviceAccount:<service-account> --role roles/artifactregistry.reader',
    );
  });

  it('suggests a PAT, authentication and mirror.gcr.io when Docker Hub rate limits', () => {
    const hub = { registry: 'registry-1.docker.io', repository: 'library/alpine', reference: '3.20' };
    const steps = profileForHost(hub.registry).nextSteps('RATE_LIMITED', hub).join('\n');
    expect(steps).toContain('mirror.gcr.io/library/alpine:3.20');
    expect(steps).toContain('personal access token');
  });

  it('asks for read:packages on GHCR', () => {
    const gh = { registry: 'ghcr.io', repository: 'acme/app', reference: 'main' };
    expect(profileForHost('ghcr.io').nextSteps('AUTH_REQUIRED', gh).join('\n')).toContain('read:packages');
  });

  it('answers every diagnosis code for every profile without throwing', () => {
    const hosts = [
      'docker.io',
      ctx.registry,
      'public.ecr.aws',
      'gcr.io',
      'us-docker.pkg.dev',
      'mirror.gcr.io',
      'ghcr.io',
      'quay.io',
      'x.azurecr.io',
      'example.com',
    ];
    for (const host of hosts) {
      for (const code of DIAGNOSIS_CODES) {
        const steps = profileForHost(host).nextSteps(code, {
          registry: host,
          repository: 'a/b',
          reference: 'sha256:' + '0'.repeat(64),
        });
        expect(Array.isArray(steps)).toBe(true);
      }
    }
  });
});

describe('the dialect table', () => {
  const hosts = [
    'registry.example.com',
    'registry-1.docker.io',
    '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
  ];

  it.each(PROFILE_NAMES)('%s keys its next steps by real diagnosis codes only', (name) => {
    const profile = profileForHost('registry.example.com', name);
    for (const code of Object.keys(profile.steps)) expect(DIAGNOSIS_CODES).toContain(code);
  });

  it.each(PROFILE_NAMES)('%s cites a source for each rule and for its rate-limit behaviour', (name) => {
    const profile = profileForHost('registry.example.com', name);
    expect(profile.rateLimit.source).toMatch(/^https:\/\//);
    for (const rule of profile.rules) expect(rule.source).toMatch(/^https:\/\//);
  });

  it('chooses a self-hosted family by name, which no host selects', () => {
    expect(profileForHost('harbor.corp.internal').name).toBe('generic');
    expect(profileForHost('harbor.corp.internal', 'harbor').name).toBe('harbor');
    expect(profileForHost('nexus.corp.internal:8082', 'nexus').name).toBe('nexus');
  });

  it("keeps a chosen family's trusted realm hosts off other hosts", () => {
    expect(profileForHost('registry-1.docker.io', 'dockerhub').trustedRealmHosts).toEqual(['auth.docker.io']);
    expect(profileForHost('mirror.corp.internal', 'dockerhub').trustedRealmHosts).toEqual([]);
    expect(profileForHost('gitlab.example.com', 'gitlab').trustedRealmHosts).toEqual([]);
    expect(profileForHost('registry.gitlab.com').trustedRealmHosts).toEqual(['gitlab.com']);
  });

  it('refuses a profile name it does not know', () => {
    expect(() => profileForHost(hosts[0]!, 'harbour' as never)).toThrow(/unknown registry profile "harbour"/);
  });

  it('keeps ECR Public without a pull budget to watch (per-second limits, no RateLimit headers)', () => {
    const profile = profileForHost('public.ecr.aws');
    expect(profile.rateLimited).toBe(false);
    expect(profile.rateLimit.headers).toEqual([]);
  });
});
