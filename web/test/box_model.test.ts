import { describe, expect, it, vi } from 'vitest';
import { BoxModel, boxesFromAnnotations, boxesToPayload, type EditBox } from '../src/box_model';

const box = (category_id: number, x = 10): Omit<EditBox, 'key'> => ({
  category_id,
  x,
  y: 20,
  w: 30,
  h: 40,
  source: 'human',
  score: null,
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

  it('editing a model proposal makes it the labeler’s box', () => {
    const model = new BoxModel(() => undefined);
    const proposal = model.add({ ...box(1), source: 'model', score: 0.7 });
    model.update(proposal.key, { w: 31 });
    expect(model.find(proposal.key)).toMatchObject({ source: 'human', score: null, w: 31 });
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
      { category_id: 2, x: 1.23, y: 2.35, w: 3.46, h: 4.57, source: 'model', score: 0.5 },
      { category_id: 3, x: 0, y: 0, w: 1, h: 1, source: 'human' },
    ]);
  });
});
