import { describe, expect, it } from 'vitest';
import { formatPending, pendingByCategory } from '../src/category_counts';

const boxes = (...ids: number[]) => ids.map((category_id) => ({ category_id }));

describe('pendingByCategory', () => {
  it('counts fresh boxes of a new image as pending', () => {
    // Four queens drawn on an image the server holds no box of: "queen 0 +4".
    expect(pendingByCategory(boxes(4, 4, 4, 4), [])).toEqual(new Map([[4, 4]]));
  });

  it('counts only the difference from what the server holds for the image', () => {
    const delta = pendingByCategory(boxes(1, 2, 2, 3), boxes(1, 2, 5));
    expect(delta).toEqual(
      new Map([
        [2, 1],
        [3, 1],
        [5, -1],
      ]),
    );
  });

  it('is empty when the boxes on screen are the saved ones', () => {
    expect(pendingByCategory(boxes(1, 2), boxes(2, 1)).size).toBe(0);
  });
});

describe('formatPending', () => {
  it('signs the difference', () => {
    expect(formatPending(4)).toBe('+4');
    expect(formatPending(-2)).toBe('\u22122');
    expect(formatPending(0)).toBe('');
  });
});
