import { describe, expect, it } from 'vitest';

import { jobPercent, jobTitle } from '../src/job_title';
import type { Job } from '../src/types';

const base: Job = { id: 12, kind: 'score', state: 'running', progress: 0.404, message: '' };

describe('jobTitle', () => {
  it('names kind, id, state and percent', () => {
    expect(jobTitle(base)).toBe('score #12 · running · 40%');
  });

  it('names the worker running it and the score job a part belongs to', () => {
    expect(jobTitle({ ...base, id: 13, worker: 'gpu1', parent_id: 12 })).toBe(
      'score #13 (part of #12) · running · 40% · on gpu1',
    );
  });

  it('leaves out a null worker and parent', () => {
    expect(jobTitle({ ...base, worker: null, parent_id: null })).toBe('score #12 · running · 40%');
  });

  it('clamps progress to 0..100 %', () => {
    expect(jobPercent({ ...base, progress: 1.7 })).toBe(100);
    expect(jobPercent({ ...base, progress: -1 })).toBe(0);
  });
});
