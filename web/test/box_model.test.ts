import { describe, expect, it, vi } from 'vitest';
import {
  BoxModel,
  boxesFromAnnotations,
  boxesToPayload,
  labelsFromImage,
  type EditBox,
} from '../src/box_model';
import type { ImageWithBoxes } from '../src/types';

const box = (category_id: number, x = 10): Omit<EditBox, 'key'> => ({
  category_id,
  x,
  y: 20,
  w: 30,
  h: 40,
  source: 'human',
  score: null,
  origin: 'drawn',
});

describe('BoxModel', () => {
  it('adds, updates and removes boxes, each change undoable and redoable in order', () => {
    const onChange = vi.fn();
    const model = new BoxModel(onChange);
    const a = model.add(box(1));
    const b = model.add(box(2, 50));
    model.update(a.key, { x: 12 });
    model.remove(b.key);
    expect(model.boxes.map((x) => [x.category_id, x.x])).toEqual([[1, 12]]);
    expect(onChange).toHaveBeenCalledTimes(4);

    expect(model.undo()).toBe(true); // the removal
    expect(model.boxes.map((x) => x.category_id)).toEqual([1, 2]);
    expect(model.undo()).toBe(true); // the move
    expect(model.find(a.key)?.x).toBe(10);
    expect(model.redo()).toBe(true);
    expect(model.find(a.key)?.x).toBe(12);
    model.undo();
    model.undo();
    model.undo();
    expect(model.boxes).toEqual([]);
    expect(model.canUndo).toBe(false);
    expect(model.undo()).toBe(false);
    expect(model.canRedo).toBe(true);
  });

  it('a new edit after undo drops the redo history', () => {
    const model = new BoxModel(() => undefined);
    model.add(box(1));
    model.undo();
    model.add(box(2));
    expect(model.canRedo).toBe(false);
    expect(model.redo()).toBe(false);
    expect(model.boxes.map((b) => b.category_id)).toEqual([2]);
  });

  it('keys stay stable across edits and differ between boxes', () => {
    const model = new BoxModel(() => undefined);
    const a = model.add(box(1));
    const b = model.add(box(1));
    expect(a.key).not.toBe(b.key);
    model.update(a.key, { category_id: 3 });
    expect(model.find(a.key)?.category_id).toBe(3);
  });

  it('an update that changes nothing is not an edit; one of an unknown box neither', () => {
    const onChange = vi.fn();
    const model = new BoxModel(onChange);
    const a = model.add(box(1));
    onChange.mockClear();
    model.update(a.key, { x: 10, category_id: 1 });
    model.update(12345, { x: 1 });
    model.remove(12345);
    expect(onChange).not.toHaveBeenCalled();
    model.undo();
    expect(model.boxes).toEqual([]);
  });

  it('editing an accepted model box makes it the labeler’s, adjusted; a drawn box stays drawn', () => {
    const model = new BoxModel(() => undefined);
    const accepted = model.add({ ...box(1), source: 'model', score: 0.7, origin: 'accepted' });
    const drawn = model.add(box(2));
    model.update(accepted.key, { w: 31 });
    model.update(drawn.key, { category_id: 3 });
    expect(model.find(accepted.key)).toMatchObject({ source: 'human', score: null, w: 31, origin: 'adjusted' });
    expect(model.find(drawn.key)).toMatchObject({ source: 'human', category_id: 3, origin: 'drawn' });
  });

  it('dirty until saved; reset starts a clean history', () => {
    const model = new BoxModel(() => undefined);
    expect(model.dirty).toBe(false);
    model.add(box(1));
    expect(model.dirty).toBe(true);
    model.markSaved();
    expect(model.dirty).toBe(false);
    model.add(box(2));
    model.undo(); // back to exactly what was saved
    expect(model.dirty).toBe(false);
    model.reset([{ ...box(4), key: 777 }]);
    expect(model.dirty).toBe(false);
    expect(model.canUndo).toBe(false);
    expect(model.boxes.map((b) => b.key)).toEqual([777]);
  });

  it('replaceAll is one undoable step', () => {
    const model = new BoxModel(() => undefined);
    model.add(box(1));
    model.replaceAll([{ ...box(5), key: 1000 }, { ...box(6), key: 1001 }]);
    expect(model.boxes.map((b) => b.category_id)).toEqual([5, 6]);
    model.undo();
    expect(model.boxes.map((b) => b.category_id)).toEqual([1]);
  });

  it('keeps at most 200 steps of history', () => {
    const model = new BoxModel(() => undefined);
    for (let i = 0; i < 250; i++) model.add(box(1, i));
    let undone = 0;
    while (model.undo()) undone++;
    expect(undone).toBe(200);
    expect(model.boxes).toHaveLength(50);
  });
});

describe('box payloads', () => {
  it('annotations become boxes with fresh keys and back to a payload rounded to 1/100 px', () => {
    const boxes = boxesFromAnnotations([
      { id: 7, category_id: 2, box: { x: 1.234, y: 2.345, w: 3.456, h: 4.5678 }, source: 'model', score: 0.5 },
      { id: 8, category_id: 3, box: { x: 0, y: 0, w: 1, h: 1 }, source: 'human', score: null },
    ]);
    expect(new Set(boxes.map((b) => b.key)).size).toBe(2);
    expect(boxesToPayload(boxes)).toEqual([
      { category_id: 2, x: 1.23, y: 2.35, w: 3.46, h: 4.57, source: 'model', score: 0.5, origin: 'accepted' },
      { category_id: 3, x: 0, y: 0, w: 1, h: 1, source: 'human', origin: 'drawn' },
    ]);
  });

  it('annotations keep the origin the server stored', () => {
    const boxes = boxesFromAnnotations([
      { id: 1, category_id: 2, box: { x: 0, y: 0, w: 5, h: 5 }, source: 'human', score: null, origin: 'adjusted' },
      { id: 2, category_id: 2, box: { x: 0, y: 0, w: 5, h: 5 }, source: 'model', score: 0.9, origin: 'accepted' },
      { id: 3, category_id: 2, box: { x: 0, y: 0, w: 5, h: 5 }, source: 'human', score: null, origin: 'drawn' },
    ]);
    expect(boxes.map((b) => b.origin)).toEqual(['adjusted', 'accepted', 'drawn']);
  });
});

// An unlabeled image with three proposals, as GET /api/next answers it.
function imageWithProposals(): ImageWithBoxes {
  return {
    image: {
      id: 5,
      path: 'a.jpg',
      sha256: '',
      width: 200,
      height: 100,
      added_at: '',
      status: 'unlabeled',
      version: 0,
    },
    annotations: [],
    proposals: [
      { category_id: 1, x: 10, y: 10, w: 20, h: 30, score: 0.91 },
      { category_id: 2, x: 50, y: 10, w: 20, h: 30, score: 0.62 },
      { category_id: 3, x: 90, y: 10, w: 20, h: 30, score: 0.4 },
    ],
    proposal_model_id: 2,
  };
}

function modelWithProposals() {
  const onChange = vi.fn();
  const model = new BoxModel(onChange);
  model.reset(labelsFromImage(imageWithProposals()));
  onChange.mockClear();
  const [a, b, c] = model.proposals.map((p) => p.key) as [number, number, number];
  return { model, onChange, a, b, c };
}

describe('BoxModel proposals', () => {
  it('an image’s proposals are pending, not boxes, and the model is clean', () => {
    const { model } = modelWithProposals();
    expect(model.boxes).toEqual([]);
    expect(model.proposals.map((p) => [p.category_id, p.score])).toEqual([
      [1, 0.91],
      [2, 0.62],
      [3, 0.4],
    ]);
    expect(model.rejectedCount).toBe(0);
    expect(model.dirty).toBe(false);
    expect(model.canUndo).toBe(false);
  });

  it('accepting one makes it a model box with its score and the same key', () => {
    const { model, a } = modelWithProposals();
    expect(model.accept(a)).toBe(true);
    expect(model.findProposal(a)).toBeUndefined();
    expect(model.find(a)).toMatchObject({
      category_id: 1,
      x: 10,
      y: 10,
      w: 20,
      h: 30,
      source: 'model',
      score: 0.91,
      origin: 'accepted',
    });
    expect(model.proposals).toHaveLength(2);
    expect(model.accept(a)).toBe(false); // no longer a proposal
    expect(model.dirty).toBe(true);
  });

  it('accept all is one step; undo brings every proposal back, redo takes them again', () => {
    const { model, onChange } = modelWithProposals();
    expect(model.acceptAll()).toBe(3);
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(model.boxes.map((b) => b.origin)).toEqual(['accepted', 'accepted', 'accepted']);
    expect(model.proposals).toEqual([]);
    expect(model.acceptAll()).toBe(0); // nothing left: no empty step in the history
    model.undo();
    expect(model.boxes).toEqual([]);
    expect(model.proposals).toHaveLength(3);
    expect(model.canUndo).toBe(false);
    model.redo();
    expect(model.boxes).toHaveLength(3);
    expect(model.proposals).toEqual([]);
  });

  it('rejecting one removes it and counts it; undo puts it back pending', () => {
    const { model, b } = modelWithProposals();
    expect(model.reject(b)).toBe(true);
    expect(model.proposals.map((p) => p.category_id)).toEqual([1, 3]);
    expect(model.rejectedCount).toBe(1);
    expect(model.boxes).toEqual([]);
    expect(model.reject(b)).toBe(false);
    expect(model.undo()).toBe(true);
    expect(model.rejectedCount).toBe(0);
    expect(model.findProposal(b)).toBeDefined();
    expect(model.redo()).toBe(true);
    expect(model.rejectedCount).toBe(1);
  });

  it('moving, resizing or relabelling a proposal accepts it as adjusted, the labeler’s box', () => {
    const { model, a, b, c } = modelWithProposals();
    model.update(a, { x: 12, y: 11 });
    model.update(b, { w: 25 });
    model.update(c, { category_id: 1 });
    expect(model.proposals).toEqual([]);
    expect(model.boxes.map((x) => [x.key, x.origin, x.source, x.score])).toEqual([
      [a, 'adjusted', 'human', null],
      [b, 'adjusted', 'human', null],
      [c, 'adjusted', 'human', null],
    ]);
    expect(model.find(a)).toMatchObject({ x: 12, y: 11, w: 20, h: 30, category_id: 1 });
    expect(model.find(b)).toMatchObject({ x: 50, w: 25, category_id: 2 });
    expect(model.find(c)?.category_id).toBe(1);
    model.undo(); // the relabel
    expect(model.findProposal(c)).toMatchObject({ category_id: 3, score: 0.4 });
    expect(model.find(c)).toBeUndefined();
  });

  it('an edit of a proposal that changes nothing leaves it pending (a click is not an accept)', () => {
    const { model, onChange, a } = modelWithProposals();
    model.update(a, { x: 10, y: 10, w: 20, h: 30, category_id: 1 });
    expect(onChange).not.toHaveBeenCalled();
    expect(model.findProposal(a)).toBeDefined();
    expect(model.canUndo).toBe(false);
  });

  it('boxes and proposals mix: reject one, adjust one, accept the rest, draw one', () => {
    const { model, a, b } = modelWithProposals();
    model.reject(a);
    model.update(b, { x: 55 });
    model.acceptAll();
    model.add(box(4, 150));
    expect(model.boxes.map((x) => [x.category_id, x.origin])).toEqual([
      [2, 'adjusted'],
      [3, 'accepted'],
      [4, 'drawn'],
    ]);
    expect(model.rejectedCount).toBe(1);
    expect(boxesToPayload(model.boxes).map((p) => [p.origin, p.source, p.score])).toEqual([
      ['adjusted', 'human', undefined],
      ['accepted', 'model', 0.4],
      ['drawn', 'human', undefined],
    ]);
    // Four steps back is the image as it came.
    for (let i = 0; i < 4; i++) model.undo();
    expect(model.boxes).toEqual([]);
    expect(model.proposals).toHaveLength(3);
    expect(model.rejectedCount).toBe(0);
  });

  it('restore puts back a whole state as one undoable step', () => {
    const { model, a } = modelWithProposals();
    model.reject(a);
    const left = model.state;
    model.reset(labelsFromImage(imageWithProposals()));
    model.restore(left);
    expect(model.rejectedCount).toBe(1);
    expect(model.proposals).toHaveLength(2);
    model.undo();
    expect(model.rejectedCount).toBe(0);
    expect(model.proposals).toHaveLength(3);
  });

  it('a labeled image (no proposals field, or an empty one) has none', () => {
    const data = imageWithProposals();
    delete data.proposals;
    expect(labelsFromImage(data).proposals).toEqual([]);
    expect(labelsFromImage({ ...data, proposals: [] }).proposals).toEqual([]);
  });
});
