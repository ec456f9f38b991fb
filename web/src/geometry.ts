// Rectangle arithmetic in image pixels (top-left origin), shared by the editor and the box model.
import type { Rect } from './types';

// The smallest box the server stores, in image pixels: it refuses a box narrower or lower than
// this after clipping it to the image (kMinBoxPixels in src/formats/label_checks.h, held by
// check_box_size for the API and for imported label files alike).
export const MIN_BOX_IMAGE_PX = 1;
// A drag smaller than this on screen is a click, not a box.
export const MIN_DRAW_SCREEN_PX = 4;

// Whether a rectangle dragged at `scale` screen pixels per image pixel makes a box: big enough on
// screen to be meant, and in the image for the server to take it (at high zoom a drag of many
// screen pixels can still be under one image pixel).
export function bigEnoughToDraw(r: Rect, scale: number): boolean {
  const min = Math.max(MIN_DRAW_SCREEN_PX / scale, MIN_BOX_IMAGE_PX);
  return r.w >= min && r.h >= min;
}

// The rectangle spanned by two corner points dragged in any direction.
export function rectFromPoints(ax: number, ay: number, bx: number, by: number): Rect {
  return { x: Math.min(ax, bx), y: Math.min(ay, by), w: Math.abs(bx - ax), h: Math.abs(by - ay) };
}

// The part of `r` inside a width x height image (may have zero area).
export function clipRect(r: Rect, width: number, height: number): Rect {
  const x0 = Math.max(0, Math.min(width, r.x));
  const y0 = Math.max(0, Math.min(height, r.y));
  const x1 = Math.max(0, Math.min(width, r.x + r.w));
  const y1 = Math.max(0, Math.min(height, r.y + r.h));
  return { x: x0, y: y0, w: Math.max(0, x1 - x0), h: Math.max(0, y1 - y0) };
}

// Moves (not shrinks) a rectangle so it lies inside the image, as dragging a box must.
export function keepInside(r: Rect, width: number, height: number): Rect {
  const w = Math.min(r.w, width);
  const h = Math.min(r.h, height);
  return {
    x: Math.max(0, Math.min(width - w, r.x)),
    y: Math.max(0, Math.min(height - h, r.y)),
    w,
    h,
  };
}

export function roundRect(r: Rect): Rect {
  // Hundredths of a pixel: enough for any screen, and stable JSON for the server.
  const round = (v: number) => Math.round(v * 100) / 100;
  return { x: round(r.x), y: round(r.y), w: round(r.w), h: round(r.h) };
}
