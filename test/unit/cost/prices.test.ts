import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICES, priceTableSchema, withPriceOverrides } from '../../../functions/cost/prices.ts';

describe('price table', () => {
  it('ships a valid table that says when its prices were taken', () => {
    expect(priceTableSchema.parse(DEFAULT_PRICES).takenOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('lays a partial override over the defaults, leaving the rest alone', () => {
    const prices = withPriceOverrides({ takenOn: '2030-01-01', synthetics: { perCanaryRun: 0.002 } });
    expect(prices.synthetics.perCanaryRun).toBe(0.002);
    expect(prices.synthetics.s3PerThousandPuts).toBe(DEFAULT_PRICES.synthetics.s3PerThousandPuts);
    expect(prices.lambda).toEqual(DEFAULT_PRICES.lambda);
    expect(prices.takenOn).toBe('2030-01-01');
  });

  it('replaces the metric tiers whole', () => {
    const prices = withPriceOverrides({ cloudwatch: { customMetricTiers: [{ upTo: null, usd: 0.25 }] } });
    expect(prices.cloudwatch.customMetricTiers).toEqual([{ upTo: null, usd: 0.25 }]);
  });

  it('refuses a negative or non-numeric price, naming the field', () => {
    expect(() => withPriceOverrides({ lambda: { perMillionRequests: -1 } })).toThrow(
      /lambda\.perMillionRequests/,
    );
    expect(() => withPriceOverrides({ sns: { perMillionPublishes: 'cheap' } })).toThrow(
      /sns\.perMillionPublishes/,
    );
  });

  it('refuses an unknown key, at the top or nested, naming it (a misspelt price would be silently ignored)', () => {
    expect(() => withPriceOverrides({ lamda: { perMillionRequests: 0.1 } })).toThrow(
      /invalid price table: \(root\): Unrecognized key: "lamda"/,
    );
    expect(() => withPriceOverrides({ lambda: { perMilionRequests: 0.1 } })).toThrow(
      /lambda: Unrecognized key: "perMilionRequests"/,
    );
  });
});
