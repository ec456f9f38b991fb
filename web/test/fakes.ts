// Test doubles for the page's DOM-free modules: a server that keeps images, versions and who
// saved what (the routes the session and the save queue use), bitmaps that count their releases,
// and in-memory storage and timers.
import { ApiError, NetworkError } from '../src/api';
import type { KeyValueStorage, Timers } from '../src/save_queue';
import type {
  Annotation,
  ImageWithBoxes,
  ProposalJson,
  SaveAnswer,
  SaveEffort,
  SavePayload,
  SkipAnswer,
} from '../src/types';

export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

// Lets every pending promise callback run.
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise((r) => setTimeout(r, 0));
}

interface StoredImage {
  data: ImageWithBoxes;
  savedAt: number | null; // order of the last save, for /previous
}

export class FakeServer {
  readonly images = new Map<number, StoredImage>();
  readonly calls: { route: string; exclude?: number[]; id?: number; payload?: SavePayload }[] = [];
  offline = false;
  loggedOut = false;
  // The next this many calls of /next answer 401 (a session that ended meanwhile).
  refuseNext = 0;
  // The next calls of /next wait for these, one each, in order (to hold a prefetch in flight).
  readonly nextGates: Deferred[] = [];
  // The order /next hands images out in (a new queue reorders it).
  order: number[] = [];
  private saves = 0;

  constructor(count: number) {
    for (let id = 1; id <= count; id++) {
      this.images.set(id, {
        data: {
          image: {
            id,
            path: `img${id}.jpg`,
            sha256: '',
            width: 100,
            height: 80,
            added_at: '',
            status: 'unlabeled',
            version: 0,
          },
          annotations: [],
        },
        savedAt: null,
      });
      this.order.push(id);
    }
  }

  private check(): void {
    if (this.offline) throw new NetworkError('offline');
    if (this.loggedOut) throw new ApiError(401, 'unauthorized', 'log in', {});
  }

  private copy(id: number): ImageWithBoxes {
    return structuredClone(this.images.get(id)!.data);
  }

  async next(exclude: number[]): Promise<ImageWithBoxes | null> {
    this.calls.push({ route: 'next', exclude: [...exclude] });
    const gate = this.nextGates.shift();
    if (gate) await gate.promise;
    this.check();
    if (this.refuseNext > 0) {
      this.refuseNext--;
      throw new ApiError(401, 'unauthorized', 'log in', {});
    }
    const id = this.order.find(
      (i) => this.images.get(i)!.data.image.status === 'unlabeled' && !exclude.includes(i),
    );
    return id === undefined ? null : this.copy(id);
  }

  async previous(before: number | null): Promise<ImageWithBoxes | null> {
    this.calls.push({ route: 'previous', id: before ?? undefined });
    await Promise.resolve();
    this.check();
    const limit = before === null ? Infinity : (this.images.get(before)?.savedAt ?? Infinity);
    const saved = [...this.images.values()]
      .filter((s) => s.savedAt !== null && s.savedAt < limit)
      .sort((a, b) => b.savedAt! - a.savedAt!);
    return saved[0] ? this.copy(saved[0].data.image.id) : null;
  }

  async saveLabels(id: number, payload: SavePayload): Promise<SaveAnswer> {
    this.calls.push({ route: 'save', id, payload: structuredClone(payload) });
    await Promise.resolve();
    this.check();
    const stored = this.images.get(id)!;
    if (payload.version !== stored.data.image.version) {
      throw new ApiError(409, 'conflict', 'version moved', { current: this.copy(id) });
    }
    const annotations: Annotation[] = payload.boxes.map((b, i) => ({
      id: i + 1,
      category_id: b.category_id,
      box: { x: b.x, y: b.y, w: b.w, h: b.h },
      source: b.source ?? 'human',
      score: b.score ?? null,
      origin: b.origin ?? 'drawn',
    }));
    stored.data.annotations = annotations;
    // Proposals are offered only while an image is unlabeled.
    stored.data.proposals = [];
    stored.data.image = { ...stored.data.image, status: 'labeled', version: stored.data.image.version + 1 };
    stored.savedAt = ++this.saves;
    const answer = this.copy(id);
    return { image: answer.image, annotations: answer.annotations, event: event(id, answer.image.version) };
  }

  async skip(id: number, version: number, comment: string, effort?: SaveEffort): Promise<SkipAnswer> {
    const payload: SavePayload = { version, boxes: [], comment };
    if (effort) payload.effort = effort;
    this.calls.push({ route: 'skip', id, payload });
    await Promise.resolve();
    this.check();
    const stored = this.images.get(id)!;
    if (version !== stored.data.image.version) {
      throw new ApiError(409, 'conflict', 'version moved', { current: this.copy(id) });
    }
    stored.data.image = { ...stored.data.image, status: 'skipped', version: version + 1 };
    stored.savedAt = ++this.saves;
    return { image: this.copy(id).image, event: event(id, version + 1) };
  }

  // Another labeler saves the image behind the page's back.
  saveBehindTheBack(id: number, categoryId: number): void {
    const stored = this.images.get(id)!;
    stored.data.annotations = [
      { id: 99, category_id: categoryId, box: { x: 1, y: 1, w: 5, h: 5 }, source: 'human', score: null },
    ];
    stored.data.image = { ...stored.data.image, status: 'labeled', version: stored.data.image.version + 1 };
  }

  // The model's proposals on an unlabeled image, as /next and /images/{id} answer them.
  propose(id: number, proposals: ProposalJson[], modelId = 1): void {
    const stored = this.images.get(id)!;
    stored.data.proposals = structuredClone(proposals);
    stored.data.proposal_model_id = modelId;
  }

  // Holds the next `count` calls of /next until their gates are resolved.
  holdNext(count: number): Deferred[] {
    const gates = Array.from({ length: count }, () => deferred());
    this.nextGates.push(...gates);
    return gates;
  }

  routes(route: string) {
    return this.calls.filter((c) => c.route === route);
  }
}

function event(imageId: number, version: number) {
  return {
    id: version,
    image_id: imageId,
    labeler: 'alice',
    comment: '',
    status: 'labeled' as const,
    box_count: 0,
    created_at: '',
    version,
  };
}

// Bitmaps that record every decode and release, to check that none leaks or is released twice.
export class BitmapLedger {
  readonly all: FakeBitmap[] = [];

  async decode(imageId: number): Promise<FakeBitmap> {
    await Promise.resolve();
    const bitmap = new FakeBitmap(imageId);
    this.all.push(bitmap);
    return bitmap;
  }

  // The image ids of bitmaps decoded and not released, sorted.
  live(): number[] {
    return this.all.filter((b) => b.releases === 0).map((b) => b.imageId).sort((a, b) => a - b);
  }

  releasedTwice(): FakeBitmap[] {
    return this.all.filter((b) => b.releases > 1);
  }
}

export class FakeBitmap {
  releases = 0;
  constructor(readonly imageId: number) {}
  release(): void {
    this.releases++;
  }
}

export class MemoryStorage implements KeyValueStorage {
  readonly map = new Map<string, string>();
  refuse = false;
  get(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  set(key: string, value: string): boolean {
    if (this.refuse) return false;
    this.map.set(key, value);
    return true;
  }
  remove(key: string): void {
    this.map.delete(key);
  }
}

// Timers run by hand: run() fires every timer due so far.
export class ManualTimers implements Timers {
  private timers = new Map<number, () => void>();
  private nextId = 1;
  readonly delays: number[] = [];
  setTimeout(run: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, run);
    this.delays.push(ms);
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  get pending(): number {
    return this.timers.size;
  }
  run(): void {
    const due = [...this.timers.values()];
    this.timers.clear();
    for (const run of due) run();
  }
}
