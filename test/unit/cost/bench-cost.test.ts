import { describe, expect, it } from 'vitest';
import { COST_BEGIN, COST_END, renderCost, spliceCost } from '../../../bench/cost.ts';

describe('the cost section of bench/RESULTS.md', () => {
  it('replaces only what is between its markers', () => {
    const existing = `# Results\n\nbefore\n${COST_BEGIN}\nold\n${COST_END}\nafter\n`;
    expect(spliceCost(existing, `${COST_BEGIN}\nnew\n${COST_END}`)).toBe(
      `# Results\n\nbefore\n${COST_BEGIN}\nnew\n${COST_END}\nafter\n`,
    );
  });

  it('appends a Cost section when the file has none', () => {
    expect(spliceCost('# Results\n', 'S')).toBe('# Results\n\n## Cost\n\nS\n');
  });

  it('reports both fleets at 1, 5, 15 and 60 minutes against both Synthetics layouts, and the goals', () => {
    const text = renderCost();
    expect(text.match(/\| every (1|5|15|60) min \|/g)?.length).toBeGreaterThanOrEqual(8);
    expect(text).toContain('Synthetics, one canary per region');
    expect(text).toMatch(/(MET|NOT MET): the reference fleet/);
    expect(text).toMatch(/(MET|NOT MET): the default config/);
  });
});
