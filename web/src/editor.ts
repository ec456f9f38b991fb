// The canvas: the image, its boxes and the tools to draw, select, move, resize, zoom and pan.
// It owns no label state: it shows the boxes it is given and reports what the user did through
// callbacks, so the box model (and its undo history) stays the single source of truth.
// The model's proposals are drawn dashed with their score; they are selected, moved and resized
// like boxes (the box model decides what that makes of them).
import Konva from 'konva';
import type { EditBox, Proposal } from './box_model';
import {
  bigEnoughToDraw,
  clipRect,
  keepInside,
  MIN_BOX_IMAGE_PX,
  rectFromPoints,
} from './geometry';
import type { Category, Rect } from './types';

export interface EditorCallbacks {
  canDraw(): boolean; // a category is picked
  onCreate(rect: Rect): void;
  onChange(key: number, rect: Rect): void;
  onSelect(key: number | null): void;
  onViewChange(): void;
}

export interface View {
  scale: number;
  x: number; // screen offset of image pixel (0,0) inside the canvas
  y: number;
}

const MIN_SCALE = 0.02;
const MAX_SCALE = 40;

interface BoxShape {
  proposal: boolean;
  rect: Konva.Rect;
  label: Konva.Label;
  tag: Konva.Tag;
  text: Konva.Text;
}

export class Editor {
  private readonly stage: Konva.Stage;
  private readonly layer = new Konva.Layer();
  private readonly world = new Konva.Group();
  private readonly boxGroup = new Konva.Group();
  private readonly transformer: Konva.Transformer;
  private readonly drawRect = new Konva.Rect({
    stroke: '#ffffff',
    dash: [6, 4],
    strokeWidth: 1.5,
    strokeScaleEnabled: false,
    listening: false,
    visible: false,
  });
  private imageNode: Konva.Image | null = null;
  private width = 0;
  private height = 0;
  private shapes = new Map<number, BoxShape>();
  private selected: number | null = null;
  private panMode = false;
  private drawing: { x: number; y: number } | null = null;
  private panning: { pointerX: number; pointerY: number; worldX: number; worldY: number } | null =
    null;

  constructor(
    private readonly container: HTMLElement,
    private readonly callbacks: EditorCallbacks,
  ) {
    this.stage = new Konva.Stage({
      container: container as HTMLDivElement,
      width: container.clientWidth,
      height: container.clientHeight,
    });
    this.transformer = new Konva.Transformer({
      rotateEnabled: false,
      keepRatio: false,
      ignoreStroke: true,
      flipEnabled: false,
      anchorSize: 9,
      anchorCornerRadius: 2,
      borderStroke: '#ffffff',
      anchorStroke: '#1f2937',
      anchorFill: '#ffffff',
      enabledAnchors: [
        'top-left',
        'top-center',
        'top-right',
        'middle-right',
        'middle-left',
        'bottom-left',
        'bottom-center',
        'bottom-right',
      ],
      boundBoxFunc: (oldBox, newBox) => this.boundResize(oldBox, newBox),
    });
    this.world.add(this.boxGroup, this.drawRect);
    this.layer.add(this.world, this.transformer);
    this.stage.add(this.layer);
    this.bindPointer();
    new ResizeObserver(() => this.resize()).observe(container);
  }

  // Shows an image (already decoded) and fits it to the canvas.
  setImage(bitmap: CanvasImageSource | null, width: number, height: number): void {
    this.imageNode?.destroy();
    this.imageNode = null;
    this.width = width;
    this.height = height;
    if (bitmap) {
      this.imageNode = new Konva.Image({ image: bitmap, width, height, listening: true });
      this.world.add(this.imageNode);
      this.imageNode.moveToBottom();
    }
    this.cancelGesture();
    this.fit();
  }

  // Updates the shapes in place (matched by box key), so a gesture that just started on a shape,
  // like dragging a box that the same mousedown selected, keeps its node. A proposal that becomes
  // a box keeps its key, so it keeps its node (and the selection) too.
  setBoxes(
    boxes: readonly EditBox[],
    selected: number | null,
    categories: Category[],
    proposals: readonly Proposal[] = [],
  ): void {
    const byId = new Map(categories.map((c) => [c.id, c]));
    const keep = new Set([...boxes, ...proposals].map((b) => b.key));
    for (const [key, shape] of this.shapes) {
      if (keep.has(key)) continue;
      shape.rect.destroy();
      shape.label.destroy();
      this.shapes.delete(key);
    }
    const draw = (box: EditBox | Proposal, proposal: boolean) => {
      const shape = this.shapes.get(box.key) ?? this.createShape(box.key);
      shape.proposal = proposal;
      const category = byId.get(box.category_id);
      const color = category?.color ?? '#9ca3af';
      const isSelected = box.key === selected;
      const name = category?.name ?? `#${box.category_id}`;
      shape.rect.setAttrs({
        x: box.x,
        y: box.y,
        width: box.w,
        height: box.h,
        scaleX: 1,
        scaleY: 1,
        stroke: color,
        strokeWidth: isSelected ? 3 : 2,
        dash: proposal ? [8, 5] : [],
        fill: hexWithAlpha(color, isSelected ? 0.22 : proposal ? 0.03 : 0.1),
        draggable: !this.panMode,
      });
      shape.tag.setAttrs({ fill: proposal ? hexWithAlpha(color, 0.75) : color });
      shape.text.setAttrs({
        text: proposal ? `${name} ${(box as Proposal).score.toFixed(2)}?` : name,
        fill: readableTextOn(color),
        fontStyle: proposal ? 'italic bold' : 'bold',
      });
      this.placeLabel(shape.label, shape.rect);
    };
    for (const proposal of proposals) draw(proposal, true);
    for (const box of boxes) draw(box, false);
    this.selected = selected !== null && this.shapes.has(selected) ? selected : null;
    const node = this.selected !== null ? this.shapes.get(this.selected)?.rect : undefined;
    this.transformer.nodes(node && !this.panMode ? [node] : []);
    if (node) {
      node.moveToTop();
      this.shapes.get(this.selected!)!.label.moveToTop();
    }
    // Drawn now, not on the next frame, so the hit canvas matches what the user clicks next.
    this.layer.draw();
  }

  private createShape(key: number): BoxShape {
    const rect = new Konva.Rect({ strokeScaleEnabled: false, name: 'box' });
    rect.setAttr('boxKey', key);
    const tag = new Konva.Tag({ cornerRadius: 2 });
    const text = new Konva.Text({
      fontSize: 12,
      fontFamily: 'system-ui, sans-serif',
      fontStyle: 'bold',
      padding: 3,
    });
    const label = new Konva.Label({ listening: false });
    label.add(tag, text);
    const shape: BoxShape = { proposal: false, rect, label, tag, text };
    rect.on('dragmove', () => {
      const inside = keepInside(
        { x: rect.x(), y: rect.y(), w: rect.width(), h: rect.height() },
        this.width,
        this.height,
      );
      rect.position({ x: inside.x, y: inside.y });
      this.placeLabel(label, rect);
    });
    rect.on('dragend', () => this.reportChange(key, rect));
    rect.on('transform', () => this.placeLabel(label, rect));
    rect.on('transformend', () => {
      // Konva resizes by scaling; fold the scale back into the size so strokes stay even.
      rect.setAttrs({
        width: rect.width() * rect.scaleX(),
        height: rect.height() * rect.scaleY(),
        scaleX: 1,
        scaleY: 1,
      });
      this.reportChange(key, rect);
    });
    this.boxGroup.add(rect, label);
    this.shapes.set(key, shape);
    return shape;
  }

  setPanMode(on: boolean): void {
    this.panMode = on;
    for (const shape of this.shapes.values()) shape.rect.draggable(!on);
    if (on) this.transformer.nodes([]);
    this.updateCursor();
  }

  get isPanMode(): boolean {
    return this.panMode;
  }

  get view(): View {
    return { scale: this.world.scaleX(), x: this.world.x(), y: this.world.y() };
  }

  // Image pixel -> client (page) coordinates; used by tests and the hint overlay.
  toClient(x: number, y: number): { x: number; y: number } {
    const bounds = this.container.getBoundingClientRect();
    const v = this.view;
    return { x: bounds.left + v.x + x * v.scale, y: bounds.top + v.y + y * v.scale };
  }

  fit(): void {
    const cw = this.stage.width();
    const ch = this.stage.height();
    if (this.width <= 0 || this.height <= 0 || cw <= 0 || ch <= 0) return;
    const scale = clamp(Math.min(cw / this.width, ch / this.height) * 0.97, MIN_SCALE, MAX_SCALE);
    this.world.scale({ x: scale, y: scale });
    this.world.position({ x: (cw - this.width * scale) / 2, y: (ch - this.height * scale) / 2 });
    this.afterViewChange();
  }

  // Zooms by `factor` keeping the canvas point (cx, cy) fixed (default: the canvas centre).
  zoomBy(factor: number, cx = this.stage.width() / 2, cy = this.stage.height() / 2): void {
    const old = this.world.scaleX();
    const scale = clamp(old * factor, MIN_SCALE, MAX_SCALE);
    const ix = (cx - this.world.x()) / old;
    const iy = (cy - this.world.y()) / old;
    this.world.scale({ x: scale, y: scale });
    this.world.position({ x: cx - ix * scale, y: cy - iy * scale });
    this.afterViewChange();
  }

  private afterViewChange(): void {
    for (const shape of this.shapes.values()) this.placeLabel(shape.label, shape.rect);
    this.transformer.forceUpdate();
    this.layer.batchDraw();
    this.callbacks.onViewChange();
  }

  // Labels keep a constant on-screen size and sit above their box (inside it at the top edge).
  private placeLabel(label: Konva.Label, rect: Konva.Rect): void {
    const inverse = 1 / this.world.scaleX();
    label.scale({ x: inverse, y: inverse });
    const labelHeight = label.height() * inverse;
    const above = rect.y() - labelHeight;
    label.position({ x: rect.x(), y: above >= 0 ? above : rect.y() });
  }

  private reportChange(key: number, rect: Konva.Rect): void {
    const r = clipRect(
      { x: rect.x(), y: rect.y(), w: rect.width(), h: rect.height() },
      this.width,
      this.height,
    );
    this.callbacks.onChange(key, r);
  }

  private boundResize(
    oldBox: { x: number; y: number; width: number; height: number; rotation: number },
    newBox: { x: number; y: number; width: number; height: number; rotation: number },
  ) {
    // Boxes arrive in canvas coordinates; the image occupies [x0, x1] x [y0, y1] there.
    const v = this.view;
    const x0 = v.x;
    const y0 = v.y;
    const x1 = v.x + this.width * v.scale;
    const y1 = v.y + this.height * v.scale;
    const slack = 0.5;
    const minSize = MIN_BOX_IMAGE_PX * v.scale;
    if (newBox.width < minSize || newBox.height < minSize) return oldBox;
    if (
      newBox.x < x0 - slack ||
      newBox.y < y0 - slack ||
      newBox.x + newBox.width > x1 + slack ||
      newBox.y + newBox.height > y1 + slack
    ) {
      return oldBox;
    }
    return newBox;
  }

  private imagePointer(): { x: number; y: number } | null {
    const p = this.stage.getPointerPosition();
    if (!p) return null;
    const v = this.view;
    return { x: (p.x - v.x) / v.scale, y: (p.y - v.y) / v.scale };
  }

  private bindPointer(): void {
    this.stage.on('mousedown', (event) => {
      const button = event.evt.button;
      const p = this.stage.getPointerPosition();
      if (!p) return;
      if (button === 1 || (button === 0 && this.panMode)) {
        event.evt.preventDefault();
        this.panning = { pointerX: p.x, pointerY: p.y, worldX: this.world.x(), worldY: this.world.y() };
        this.updateCursor();
        return;
      }
      if (button !== 0) return;
      const target = event.target;
      if (this.isTransformerPart(target)) return;
      const hit = this.boxAtPointer();
      if (hit !== null && !event.evt.shiftKey) {
        this.callbacks.onSelect(hit);
        return;
      }
      // Shift starts a box even on top of another one (small boxes inside big ones).
      if (target.hasName('box')) target.stopDrag();
      if (this.selected !== null) this.callbacks.onSelect(null);
      if (!this.callbacks.canDraw() || this.width <= 0) return;
      const start = this.imagePointer();
      if (!start) return;
      this.drawing = {
        x: clamp(start.x, 0, this.width),
        y: clamp(start.y, 0, this.height),
      };
      this.drawRect.setAttrs({ x: this.drawing.x, y: this.drawing.y, width: 0, height: 0 });
      this.drawRect.visible(true);
      this.drawRect.moveToTop();
    });

    this.stage.on('mousemove', () => {
      const p = this.stage.getPointerPosition();
      if (!p) return;
      if (this.panning) {
        this.world.position({
          x: this.panning.worldX + p.x - this.panning.pointerX,
          y: this.panning.worldY + p.y - this.panning.pointerY,
        });
        this.afterViewChange();
        return;
      }
      if (this.drawing) {
        const r = this.currentDrawRect();
        if (r) this.drawRect.setAttrs({ x: r.x, y: r.y, width: r.w, height: r.h });
        this.layer.batchDraw();
      }
    });

    // Released outside the canvas still ends the gesture.
    window.addEventListener('mouseup', () => this.finishGesture());
    this.stage.on('wheel', (event) => {
      event.evt.preventDefault();
      const p = this.stage.getPointerPosition();
      if (!p) return;
      const factor = Math.pow(1.0015, -event.evt.deltaY);
      this.zoomBy(factor, p.x, p.y);
    });
    this.stage.on('contextmenu', (event) => event.evt.preventDefault());
    // Middle-click autoscroll would fight the pan.
    this.container.addEventListener('mousedown', (e) => {
      if (e.button === 1) e.preventDefault();
    });
  }

  // The box under the pointer: the selected one first, then the topmost box, then the topmost
  // proposal (a confirmed box matters more than an offer lying under it). Computed from geometry
  // rather than Konva's hit canvas, which lags a frame behind the latest redraw.
  private boxAtPointer(): number | null {
    const p = this.imagePointer();
    if (!p) return null;
    const inside = (rect: Konva.Rect) =>
      p.x >= rect.x() &&
      p.y >= rect.y() &&
      p.x <= rect.x() + rect.width() &&
      p.y <= rect.y() + rect.height();
    const selected = this.selected !== null ? this.shapes.get(this.selected) : undefined;
    if (selected && inside(selected.rect)) return this.selected;
    const under = [...this.shapes.entries()].reverse().filter(([, shape]) => inside(shape.rect));
    return (under.find(([, shape]) => !shape.proposal) ?? under[0])?.[0] ?? null;
  }

  private currentDrawRect(): Rect | null {
    if (!this.drawing) return null;
    const p = this.imagePointer();
    if (!p) return null;
    return clipRect(
      rectFromPoints(this.drawing.x, this.drawing.y, p.x, p.y),
      this.width,
      this.height,
    );
  }

  private finishGesture(): void {
    if (this.panning) {
      this.panning = null;
      this.updateCursor();
    }
    if (!this.drawing) return;
    const r = this.currentDrawRect();
    this.cancelGesture();
    const scale = this.world.scaleX();
    if (r && bigEnoughToDraw(r, scale)) {
      this.callbacks.onCreate(r);
    }
  }

  private cancelGesture(): void {
    this.drawing = null;
    this.panning = null;
    this.drawRect.visible(false);
    this.layer.batchDraw();
  }

  private isTransformerPart(node: Konva.Node): boolean {
    let current: Konva.Node | null = node;
    while (current) {
      if (current === this.transformer) return true;
      current = current.getParent();
    }
    return false;
  }

  updateCursor(): void {
    const style = this.container.style;
    if (this.panning) style.cursor = 'grabbing';
    else if (this.panMode) style.cursor = 'grab';
    else style.cursor = this.callbacks.canDraw() ? 'crosshair' : 'default';
  }

  private resize(): void {
    const w = this.container.clientWidth;
    const h = this.container.clientHeight;
    if (w === this.stage.width() && h === this.stage.height()) return;
    const first = this.stage.width() === 0 || this.stage.height() === 0;
    this.stage.size({ width: w, height: h });
    if (first) this.fit();
    else this.afterViewChange();
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}

function hexWithAlpha(hex: string, alpha: number): string {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex);
  if (!m) return `rgba(156,163,175,${alpha})`;
  const n = parseInt(m[1]!, 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

function readableTextOn(hex: string): string {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex);
  if (!m) return '#111827';
  const n = parseInt(m[1]!, 16);
  const luminance = 0.299 * ((n >> 16) & 255) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255);
  return luminance > 150 ? '#111827' : '#ffffff';
}
