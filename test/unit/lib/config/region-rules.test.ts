import { describe, expect, it } from 'vitest';
import type { ConfigError } from '../../../../lib/config/errors.ts';
import { REGION_FACTS_CDK_VERSION } from '../../../../lib/config/regions.ts';
import type { CanaryConfigInput } from '../../../../lib/config/schema.ts';
import { validateConfig } from '../../../../lib/config/validate.ts';

const base: CanaryConfigInput = {
  homeRegion: 'eu-west-1',
  probeRegions: ['eu-west-1', 'us-east-1'],
  targets: [{ name: 'hub', image: 'alpine' }],
};

const VPC = { vpcId: 'vpc-0abc1234', subnetIds: ['subnet-0abc1234'], securityGroupId: 'sg-0abc1234' };

function problemsOf(input: unknown): string[] {
  try {
    validateConfig(input, 'test.ts');
  } catch (error) {
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected the config to be refused');
}

describe('region names', () => {
  it('accepts regions of every partition the CDK knows, e.g. China, GovCloud and the European Sovereign Cloud', () => {
    for (const [home, probes] of [
      ['cn-north-1', ['cn-north-1', 'cn-northwest-1']],
      ['us-gov-west-1', ['us-gov-east-1', 'us-gov-west-1']],
      ['eusc-de-east-1', ['eusc-de-east-1']],
      ['ap-southeast-7', ['mx-central-1', 'ap-southeast-7']],
    ] as const) {
      const config = validateConfig({ ...base, homeRegion: home, probeRegions: [...probes] });
      expect(config.probeRegions).toEqual(probes);
    }
  });

  it('refuses an unknown home region, naming the field and the nearest region', () => {
    expect(problemsOf({ ...base, homeRegion: 'eu-wset-1' })).toEqual([
      'homeRegion: "eu-wset-1" is not an AWS region; did you mean "eu-west-1"?',
    ]);
  });

  it('says how to refresh the list when a name is near no known region', () => {
    expect(problemsOf({ ...base, homeRegion: 'mars-north-1', probeRegions: ['mars-north-1'] })).toEqual([
      `homeRegion: "mars-north-1" is not an AWS region (lib/config/regions.ts lists the 47 that aws-cdk-lib ${REGION_FACTS_CDK_VERSION} knows; for a newer region, upgrade aws-cdk-lib and run \`npm run generate:regions\`)`,
      expect.stringMatching(/^probeRegions\[0\]: "mars-north-1" is not an AWS region \(/),
    ]);
  });

  it('suggests nothing when several regions are equally near', () => {
    expect(problemsOf({ ...base, probeRegions: ['eu-west-1', 'eu-west-9'] })).toEqual([
      expect.stringMatching(/^probeRegions\[1\]: "eu-west-9" is not an AWS region \(lib\/config/),
    ]);
  });

  it('refuses an upper-case region name, suggesting the lower-case one', () => {
    expect(problemsOf({ ...base, probeRegions: ['eu-west-1', 'US-EAST-1'] })).toEqual([
      'probeRegions[1]: "US-EAST-1" is not an AWS region; did you mean "us-east-1"?',
    ]);
  });

  it("refuses an unknown region in a target's regions once, not also as a region that is not probed", () => {
    const input = { ...base, targets: [{ name: 'x', image: 'alpine', regions: ['us-east-1', 'us-esat-1'] }] };
    expect(problemsOf(input)).toEqual([
      'targets[0].regions[1]: "us-esat-1" is not an AWS region; did you mean "us-east-1"?',
    ]);
  });

  it("refuses a target's region that is real but not one of probeRegions", () => {
    const input = {
      ...base,
      targets: [{ name: 'x', image: 'alpine', regions: ['eu-west-1', 'ap-south-1'] }],
    };
    expect(problemsOf(input)).toEqual(['targets[0].regions[1]: ap-south-1 is not one of probeRegions']);
  });

  it('refuses a VPC placement keyed by an unknown region, naming the key', () => {
    expect(problemsOf({ ...base, vpc: { 'eu-west1': VPC } })).toEqual([
      'vpc.eu-west1: "eu-west1" is not an AWS region; did you mean "eu-west-1"?',
    ]);
  });

  it('refuses a VPC placement for a real region that is not probed', () => {
    expect(problemsOf({ ...base, vpc: { 'ap-south-1': VPC } })).toEqual([
      'vpc.ap-south-1: ap-south-1 is not one of probeRegions',
    ]);
  });

  it('refuses an unknown ECR credentials region', () => {
    const input = {
      ...base,
      targets: [
        { name: 'x', image: 'registry.example.com/a:1', credentials: { type: 'ecr', region: 'eu-west-7' } },
      ],
    };
    expect(problemsOf(input)).toEqual([
      expect.stringMatching(/^targets\[0\]\.credentials\.region: "eu-west-7" is not an AWS region/),
    ]);
  });
});

describe('one partition', () => {
  it('refuses probe regions in another partition than the home region, naming each', () => {
    const input = { ...base, probeRegions: ['eu-west-1', 'cn-north-1', 'us-gov-west-1'] };
    expect(problemsOf(input)).toEqual([
      'probeRegions[1]: cn-north-1 is in the aws-cn partition and homeRegion eu-west-1 in aws; a probe cannot publish results across partitions (IAM credentials do not cross them), so deploy one registry-canary per partition',
      expect.stringMatching(
        /^probeRegions\[2\]: us-gov-west-1 is in the aws-us-gov partition and homeRegion eu-west-1 in aws;/,
      ),
    ]);
  });

  it('refuses a China home region for commercial probe regions', () => {
    expect(
      problemsOf({ ...base, homeRegion: 'cn-north-1', probeRegions: ['cn-north-1', 'eu-west-1'] }),
    ).toEqual([
      expect.stringMatching(
        /^probeRegions\[1\]: eu-west-1 is in the aws partition and homeRegion cn-north-1 in aws-cn;/,
      ),
    ]);
  });

  it('compares the probe regions with each other when the home region is unknown', () => {
    expect(
      problemsOf({ ...base, homeRegion: 'nowhere-1', probeRegions: ['eu-west-1', 'cn-north-1'] }),
    ).toEqual([
      expect.stringMatching(/^homeRegion: "nowhere-1" is not an AWS region/),
      expect.stringMatching(
        /^probeRegions\[1\]: cn-north-1 is in the aws-cn partition and probeRegions\[0\] eu-west-1 in aws;/,
      ),
    ]);
  });

  it('accepts a home region that is not itself probed, in the same partition', () => {
    expect(validateConfig({ ...base, homeRegion: 'us-west-2' }).homeRegion).toBe('us-west-2');
  });
});
