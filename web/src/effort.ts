// How long a labeler actually worked on each image: the time the page was visible and focused
// with that image shown, where a stretch without any pointer or key input counts for at most
// IDLE_CUT_MS (someone who looks at an image for ten seconds before drawing is working; someone
// who went for coffee is not, past the first half minute). Without the DOM: the page reports
// what happens (input, visibility, focus, the image shown) and the clock is injected, so the
// accounting is unit-tested.
//
// Seconds accumulate per image for the life of the page: going back to an earlier image and
// returning keeps adding to the same image. A save takes the seconds gathered so far (they are in
// that save now) and the count starts again from zero for a later save of the same image.

export const IDLE_CUT_MS = 30_000;
// The server takes 0..86400 seconds a save.
export const MAX_SAVE_SECONDS = 86_400;

// What the labeling session needs of the meter.
export interface EffortLedger {
  // The image the labeler is looking at now (null: none).
  show(imageId: number | null): void;
  // Removes and answers the seconds gathered on an image (for a save).
  take(imageId: number): number;
  // Gives seconds back to an image (a save that did not go through).
  credit(imageId: number, seconds: number): void;
}

export class EffortMeter implements EffortLedger {
  private readonly totals = new Map<number, number>(); // ms per image
  private image: number | null = null;
  private visible = true;
  private focused = true;
  private lastInput: number;
  private spanStart: number;

  constructor(
    private readonly now: () => number,
    private readonly idleCutMs = IDLE_CUT_MS,
  ) {
    this.lastInput = now();
    this.spanStart = this.lastInput;
  }

  // True while time counts (a shown image, the page visible and focused).
  get counting(): boolean {
    return this.image !== null && this.visible && this.focused;
  }

  get imageId(): number | null {
    return this.image;
  }

  // A pointer or key event.
  input(): void {
    this.flush();
    this.lastInput = this.now();
  }

  setVisible(visible: boolean): void {
    this.setActive(visible, this.focused);
  }

  setFocused(focused: boolean): void {
    this.setActive(this.visible, focused);
  }

  show(imageId: number | null): void {
    this.flush();
    this.image = imageId;
    // A new image on screen is the labeler's doing (a save, back, next): they are there.
    this.lastInput = this.now();
  }

  // Seconds gathered on an image so far and not taken by a save.
  secondsOn(imageId: number): number {
    this.flush();
    return (this.totals.get(imageId) ?? 0) / 1000;
  }

  take(imageId: number): number {
    const seconds = this.secondsOn(imageId);
    this.totals.delete(imageId);
    return seconds;
  }

  credit(imageId: number, seconds: number): void {
    if (!(seconds > 0)) return;
    this.flush();
    this.totals.set(imageId, (this.totals.get(imageId) ?? 0) + seconds * 1000);
  }

  private setActive(visible: boolean, focused: boolean): void {
    const was = this.counting;
    this.flush();
    this.visible = visible;
    this.focused = focused;
    // Coming back to the page is input: the idle allowance starts again from here.
    if (!was && this.counting) this.lastInput = this.now();
  }

  // Books the time since the last booking to the image shown, up to the idle cut after the last
  // input, if it counted.
  private flush(): void {
    const now = this.now();
    if (this.counting && this.image !== null) {
      const end = Math.min(now, this.lastInput + this.idleCutMs);
      if (end > this.spanStart) {
        this.totals.set(this.image, (this.totals.get(this.image) ?? 0) + end - this.spanStart);
      }
    }
    this.spanStart = now;
  }
}

// The seconds a save sends: tenths, within what the server takes.
export function saveSeconds(seconds: number): number {
  if (!Number.isFinite(seconds) || seconds <= 0) return 0;
  return Math.min(MAX_SAVE_SECONDS, Math.round(seconds * 10) / 10);
}
