import { describe, expect, it } from 'vitest';
import { Coalesced } from '../src/coalesced';

describe('Coalesced', () => {
  it('runs once more after the current run however many calls came in meanwhile', async () => {
    let loads = 0;
    let release: () => void = () => {};
    const loads$ = new Coalesced(async () => {
      loads++;
      if (loads === 1) await new Promise<void>((r) => (release = r));
    });
    const first = loads$.run();
    const second = loads$.run();
    const third = loads$.run();
    expect(second).toBe(first);
    expect(third).toBe(first);
    release();
    await first;
    expect(loads).toBe(2);
    await loads$.run(); // idle again: a new run
    expect(loads).toBe(3);
  });
});
