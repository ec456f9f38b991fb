import { describe, expect, it } from 'vitest';
import { bigEnoughToDraw, MIN_BOX_IMAGE_PX, MIN_DRAW_SCREEN_PX } from '../src/geometry';

const rect = (w: number, h: number) => ({ x: 10, y: 10, w, h });

describe('bigEnoughToDraw', () => {
  it('treats a drag under the screen minimum as a click at normal zoom', () => {
    expect(bigEnoughToDraw(rect(3, 50), 1)).toBe(false);
    expect(bigEnoughToDraw(rect(50, 3.9), 1)).toBe(false);
    expect(bigEnoughToDraw(rect(MIN_DRAW_SCREEN_PX, MIN_DRAW_SCREEN_PX), 1)).toBe(true);
    // Zoomed out, the same screen minimum covers more image pixels.
    expect(bigEnoughToDraw(rect(10, 10), 0.25)).toBe(false);
    expect(bigEnoughToDraw(rect(16, 16), 0.25)).toBe(true);
  });

  it('refuses boxes under the server minimum in image pixels at high zoom', () => {
    // 0.5 image pixels are 20 screen pixels at 40x: a deliberate drag, but the server answers 400.
    expect(bigEnoughToDraw(rect(0.5, 5), 40)).toBe(false);
    expect(bigEnoughToDraw(rect(5, 0.99), 40)).toBe(false);
    expect(bigEnoughToDraw(rect(MIN_BOX_IMAGE_PX, MIN_BOX_IMAGE_PX), 40)).toBe(true);
    expect(bigEnoughToDraw(rect(1.2, 3), 10)).toBe(true);
  });
});
