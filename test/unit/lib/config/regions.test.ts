import { readFileSync } from 'node:fs';
import { Fact, FactName, RegionInfo } from 'aws-cdk-lib/region-info';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { isKnownRegion, partitionOf } from '../../../../lib/config/region-rules.ts';
import { REGION_FACTS_CDK_VERSION, REGION_PARTITIONS } from '../../../../lib/config/regions.ts';
import {
  cdkRegionPartitions,
  REGIONS_MODULE,
  renderRegionsModule,
} from '../../../../scripts/generate-regions.ts';

const STALE = 'lib/config/regions.ts is stale: run `npm run generate:regions`';

describe('lib/config/regions.ts, the region list the config is checked against', () => {
  it('holds exactly the regions aws-cdk-lib knows, each with the partition the CDK gives it', () => {
    const fromCdk = Object.fromEntries(
      Fact.regions.map((region) => [region, Fact.find(region, FactName.PARTITION)]),
    );

    expect(REGION_PARTITIONS, STALE).toEqual(fromCdk);
    expect(Object.keys(REGION_PARTITIONS).sort(), STALE).toEqual(
      RegionInfo.regions.map((r) => r.name).sort(),
    );
  });

  it('is the generator’s own output, not a hand edit', () => {
    const file = readFileSync(REGIONS_MODULE, 'utf8');

    expect(file, STALE).toBe(renderRegionsModule(cdkRegionPartitions(), REGION_FACTS_CDK_VERSION));
  });

  it('covers the commercial, China and GovCloud partitions', () => {
    expect(partitionOf('us-east-1')).toBe('aws');
    expect(partitionOf('eu-west-1')).toBe('aws');
    expect(partitionOf('cn-north-1')).toBe('aws-cn');
    expect(partitionOf('cn-northwest-1')).toBe('aws-cn');
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov');
    expect(new Set(Object.values(REGION_PARTITIONS))).toEqual(
      new Set(RegionInfo.regions.map((r) => r.partition)),
    );
  });

  it('knows no region that is not one, nor inherited object keys', () => {
    expect(isKnownRegion('mars-1')).toBe(false);
    expect(isKnownRegion('EU-WEST-1')).toBe(false);
    expect(isKnownRegion('toString')).toBe(false);
    expect(partitionOf('__proto__')).toBeUndefined();
  });

  it('is loaded without aws-cdk-lib, so the command-line tool can validate configs', async () => {
    // What `registry-canary cost` loads to validate a config: every package it imports, transitively.
    const { metafile } = await build({
      entryPoints: ['lib/config/load-config.ts'],
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const packages = Object.values(metafile.inputs).flatMap((input) =>
      input.imports.filter((i) => i.external).map((i) => i.path),
    );

    expect(packages).toContain('zod');
    expect(packages.filter((p) => p.startsWith('aws-cdk-lib'))).toEqual([]);
  });
});
