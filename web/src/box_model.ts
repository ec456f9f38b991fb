// The boxes of the image being edited, with undo/redo. Every change produces a new immutable
// snapshot, so undo is just stepping back through snapshots and no edit can be half-applied.
import type { Annotation, BoxPayload, BoxSource, Rect } from './types';
import { roundRect } from './geometry';

export interface EditBox extends Rect {
  key: number; // page-local identity, stable across edits (server ids change on every save)
  category_id: number;
  source: BoxSource;
  score: number | null;
}

let nextKey = 1;
export function newKey(): number {
  return nextKey++;
}

export function boxesFromAnnotations(annotations: Annotation[]): EditBox[] {
  return annotations.map((a) => ({
    key: newKey(),
    category_id: a.category_id,
    ...a.box,
    source: a.source,
    score: a.score,
  }));
}

export function boxesToPayload(boxes: readonly EditBox[]): BoxPayload[] {
  return boxes.map((b) => {
    const r = roundRect(b);
    const payload: BoxPayload = { category_id: b.category_id, ...r, source: b.source };
    if (b.score !== null) payload.score = b.score;
    return payload;
  });
}

const HISTORY_LIMIT = 200;
const NO_BOXES: readonly EditBox[] = [];

export class BoxModel {
  private past: (readonly EditBox[])[] = [];
  private future: (readonly EditBox[])[] = [];
  // One snapshot for both, so a new model is not dirty.
  private present: readonly EditBox[] = NO_BOXES;
  private saved: readonly EditBox[] = NO_BOXES;

  constructor(private readonly onChange: () => void) {}

  // Starts a fresh history, e.g. when another image is shown.
  reset(boxes: readonly EditBox[]): void {
    this.past = [];
    this.future = [];
    this.present = boxes;
    this.saved = boxes;
    this.onChange();
  }

  get boxes(): readonly EditBox[] {
    return this.present;
  }

  find(key: number): EditBox | undefined {
    return this.present.find((b) => b.key === key);
  }

  // True when the boxes differ from what was loaded or last saved.
  get dirty(): boolean {
    return this.present !== this.saved;
  }

  markSaved(): void {
    this.saved = this.present;
  }

  add(box: Omit<EditBox, 'key'>): EditBox {
    const created = { ...box, key: newKey() };
    this.commit([...this.present, created]);
    return created;
  }

  update(key: number, patch: Partial<Omit<EditBox, 'key'>>): void {
    const current = this.find(key);
    if (!current) return;
    const changed = Object.entries(patch).some(
      ([field, value]) => current[field as keyof EditBox] !== value,
    );
    if (!changed) return;
    // An edited model proposal becomes the labeler's own box.
    const next = { ...current, ...patch, source: 'human' as const, score: null };
    this.commit(this.present.map((b) => (b.key === key ? next : b)));
  }

  remove(key: number): void {
    if (!this.find(key)) return;
    this.commit(this.present.filter((b) => b.key !== key));
  }

  // Replaces every box at once as one undoable step (e.g. "load theirs" after a conflict).
  replaceAll(boxes: readonly EditBox[]): void {
    this.commit(boxes);
  }

  get canUndo(): boolean {
    return this.past.length > 0;
  }
  get canRedo(): boolean {
    return this.future.length > 0;
  }

  undo(): boolean {
    const previous = this.past.pop();
    if (!previous) return false;
    this.future.push(this.present);
    this.present = previous;
    this.onChange();
    return true;
  }

  redo(): boolean {
    const next = this.future.pop();
    if (!next) return false;
    this.past.push(this.present);
    this.present = next;
    this.onChange();
    return true;
  }

  private commit(next: readonly EditBox[]): void {
    this.past.push(this.present);
    if (this.past.length > HISTORY_LIMIT) this.past.shift();
    this.future = [];
    this.present = next;
    this.onChange();
  }
}
