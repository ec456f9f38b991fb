// The boxes of the image being edited and the model's proposals on it, with undo/redo. Every change
// produces a new immutable snapshot, so undo is just stepping back through snapshots and no edit
// can be half-applied.
//
// A proposal is not a box: it is offered until the labeler accepts it (it becomes a box of origin
// `accepted`, keeping the model's score), edits it (moved, resized or relabelled: a box of origin
// `adjusted`, the labeler's own) or rejects it (counted, then gone). Accepting and rejecting are
// edits like any other, so undo brings a proposal back. Proposals still pending at a save were not
// confirmed: the save drops them and counts them neither way.
import type { Annotation, BoxOrigin, BoxPayload, BoxSource, ImageWithBoxes, Rect } from './types';
import { roundRect } from './geometry';

export interface EditBox extends Rect {
  key: number; // page-local identity, stable across edits (server ids change on every save)
  category_id: number;
  source: BoxSource;
  score: number | null;
  origin: BoxOrigin;
}

export interface Proposal extends Rect {
  key: number; // shared with the box it becomes, so the canvas and the selection keep it
  category_id: number;
  score: number;
}

// What the labeler has made of an image: its boxes, the proposals still pending, and the ones
// rejected (kept for the count and for undo).
export interface LabelState {
  readonly boxes: readonly EditBox[];
  readonly proposals: readonly Proposal[];
  readonly rejected: readonly Proposal[];
}

let nextKey = 1;
export function newKey(): number {
  return nextKey++;
}

// Boxes saved before origins were recorded: a model box was a proposal taken as it was.
function originOf(a: Annotation): BoxOrigin {
  return a.origin ?? (a.source === 'model' ? 'accepted' : 'drawn');
}

export function boxesFromAnnotations(annotations: Annotation[]): EditBox[] {
  return annotations.map((a) => ({
    key: newKey(),
    category_id: a.category_id,
    ...a.box,
    source: a.source,
    score: a.score,
    origin: originOf(a),
  }));
}

// An image as the server gave it: its saved boxes and, while unlabeled, the model's proposals.
export function labelsFromImage(data: ImageWithBoxes): LabelState {
  return {
    boxes: boxesFromAnnotations(data.annotations),
    proposals: (data.proposals ?? []).map((p) => ({
      key: newKey(),
      category_id: p.category_id,
      x: p.x,
      y: p.y,
      w: p.w,
      h: p.h,
      score: p.score,
    })),
    rejected: [],
  };
}

// An accepted box says it is the model's, with its score; any other is the labeler's.
export function boxesToPayload(boxes: readonly EditBox[]): BoxPayload[] {
  return boxes.map((b) => {
    const r = roundRect(b);
    const payload: BoxPayload = { category_id: b.category_id, ...r, source: b.source, origin: b.origin };
    if (b.score !== null) payload.score = b.score;
    return payload;
  });
}

const HISTORY_LIMIT = 200;
const EMPTY: LabelState = { boxes: [], proposals: [], rejected: [] };

export class BoxModel {
  private past: LabelState[] = [];
  private future: LabelState[] = [];
  // One snapshot for both, so a new model is not dirty.
  private present: LabelState = EMPTY;
  private saved: LabelState = EMPTY;

  constructor(private readonly onChange: () => void) {}

  // Starts a fresh history, e.g. when another image is shown. Boxes alone: no proposals.
  reset(state: LabelState | readonly EditBox[]): void {
    this.past = [];
    this.future = [];
    this.present = asState(state);
    this.saved = this.present;
    this.onChange();
  }

  get state(): LabelState {
    return this.present;
  }

  get boxes(): readonly EditBox[] {
    return this.present.boxes;
  }

  // The proposals neither accepted nor rejected yet.
  get proposals(): readonly Proposal[] {
    return this.present.proposals;
  }

  get rejectedCount(): number {
    return this.present.rejected.length;
  }

  find(key: number): EditBox | undefined {
    return this.present.boxes.find((b) => b.key === key);
  }

  findProposal(key: number): Proposal | undefined {
    return this.present.proposals.find((p) => p.key === key);
  }

  // True when the boxes or proposals differ from what was loaded or last saved.
  get dirty(): boolean {
    return this.present !== this.saved;
  }

  markSaved(): void {
    this.saved = this.present;
  }

  add(box: Omit<EditBox, 'key' | 'origin'> & { origin?: BoxOrigin }): EditBox {
    const created: EditBox = { origin: 'drawn', ...box, key: newKey() };
    this.commit({ ...this.present, boxes: [...this.present.boxes, created] });
    return created;
  }

  // Edits a box, or adjusts a proposal (which makes it the labeler's box). A patch that changes
  // nothing is no edit: clicking a proposal without moving it does not accept it.
  update(key: number, patch: Partial<Pick<EditBox, 'category_id' | 'x' | 'y' | 'w' | 'h'>>): void {
    const proposal = this.findProposal(key);
    if (proposal) {
      if (!changes(proposal, patch)) return;
      const adjusted: EditBox = { ...toBox(proposal, 'adjusted'), ...patch };
      this.commit({
        ...this.present,
        boxes: [...this.present.boxes, adjusted],
        proposals: this.present.proposals.filter((p) => p.key !== key),
      });
      return;
    }
    const current = this.find(key);
    if (!current || !changes(current, patch)) return;
    // An edited model box becomes the labeler's own: an accepted proposal turns adjusted.
    const next: EditBox = {
      ...current,
      ...patch,
      source: 'human',
      score: null,
      origin: current.origin === 'drawn' ? 'drawn' : 'adjusted',
    };
    this.commit({ ...this.present, boxes: this.present.boxes.map((b) => (b.key === key ? next : b)) });
  }

  remove(key: number): void {
    if (!this.find(key)) return;
    this.commit({ ...this.present, boxes: this.present.boxes.filter((b) => b.key !== key) });
  }

  // Takes one proposal as the model gave it.
  accept(key: number): boolean {
    const proposal = this.findProposal(key);
    if (!proposal) return false;
    this.commit({
      ...this.present,
      boxes: [...this.present.boxes, toBox(proposal, 'accepted')],
      proposals: this.present.proposals.filter((p) => p.key !== key),
    });
    return true;
  }

  // Takes every pending proposal, as one undoable step. The number accepted.
  acceptAll(): number {
    const pending = this.present.proposals;
    if (pending.length === 0) return 0;
    this.commit({
      ...this.present,
      boxes: [...this.present.boxes, ...pending.map((p) => toBox(p, 'accepted'))],
      proposals: [],
    });
    return pending.length;
  }

  // Turns a proposal down: it is gone from the image and counted as rejected.
  reject(key: number): boolean {
    const proposal = this.findProposal(key);
    if (!proposal) return false;
    this.commit({
      ...this.present,
      proposals: this.present.proposals.filter((p) => p.key !== key),
      rejected: [...this.present.rejected, proposal],
    });
    return true;
  }

  // Replaces every box at once as one undoable step (e.g. "load theirs" after a conflict); the
  // proposals stay as they are.
  replaceAll(boxes: readonly EditBox[]): void {
    this.commit({ ...this.present, boxes });
  }

  // Puts back a whole state (edits carried over from before going back) as one undoable step.
  restore(state: LabelState): void {
    this.commit(state);
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

  private commit(next: LabelState): void {
    this.past.push(this.present);
    if (this.past.length > HISTORY_LIMIT) this.past.shift();
    this.future = [];
    this.present = next;
    this.onChange();
  }
}

function asState(state: LabelState | readonly EditBox[]): LabelState {
  return isBoxList(state) ? { boxes: state, proposals: [], rejected: [] } : state;
}

function isBoxList(state: LabelState | readonly EditBox[]): state is readonly EditBox[] {
  return Array.isArray(state);
}

function changes(current: Rect & { category_id: number }, patch: object): boolean {
  return Object.entries(patch).some(
    ([field, value]) => current[field as keyof typeof current] !== value,
  );
}

// The box a proposal becomes: as proposed (the model's, with its score), or the labeler's.
function toBox(proposal: Proposal, origin: 'accepted' | 'adjusted'): EditBox {
  const { key, category_id, x, y, w, h, score } = proposal;
  return origin === 'accepted'
    ? { key, category_id, x, y, w, h, source: 'model', score, origin }
    : { key, category_id, x, y, w, h, source: 'human', score: null, origin };
}
