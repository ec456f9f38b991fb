// The labeling session, without the DOM (as CVAT's cvat-core is without its canvas): which image
// is shown, the one fetched ahead, going back and forth, a new queue replacing the order, and
// saving with what became of each save. The page (app.ts) shows what the session answers and
// passes in what the labeler did; everything the session needs from outside comes through
// SessionPorts, so tests run it with fakes.
//
// Every decoded image is owned by exactly one of: the image shown, an image stashed by going
// back, or the prefetch. Whatever leaves those is released, once.
//
// The session also keeps what labeling each image cost: it tells the effort ledger which image is
// shown, and a save (a skip too) carries the seconds gathered on it, each box's origin and the
// proposals rejected. A proposal left pending at a save was not confirmed: it is not sent and not
// counted.
import { ApiError, NetworkError, isUnauthorized } from './api';
import { boxesToPayload, type LabelState } from './box_model';
import { saveSeconds, type EffortLedger } from './effort';
import type { PendingSave, SaveOutcome } from './save_queue';
import type { ImageWithBoxes, SavePayload } from './types';

export interface Releasable {
  release(): void;
}

// An image ready to show: its record, boxes and decoded bitmap.
export interface Loaded<B extends Releasable> {
  data: ImageWithBoxes;
  bitmap: B;
}

// The labeler's unsaved work on an image left by going back: boxes, proposals pending and
// rejected (it comes back exactly so), and the comment.
export interface Edits {
  labels: LabelState;
  comment: string;
}

// The part of SaveQueue the session uses.
export interface SaveSink {
  readonly pending: readonly PendingSave[];
  submit(entry: Omit<PendingSave, 'id' | 'queued_at'>): Promise<SaveOutcome>;
  resumeFor(id: string): Promise<SaveOutcome>;
  resume(): Promise<void>;
  resolveConflict(id: string, choice: 'mine' | 'theirs'): Promise<SaveOutcome | null>;
}

export interface SessionPorts<B extends Releasable> {
  next(exclude: number[]): Promise<ImageWithBoxes | null>;
  previous(before: number | null): Promise<ImageWithBoxes | null>;
  decode(imageId: number): Promise<B>;
  saves: SaveSink;
  // Resolves once the labeler has logged in again (after a 401).
  login(reason: string): Promise<void>;
  // Resolves after `delayMs`, or sooner when the browser says it is online again.
  waitForNetwork(delayMs: number): Promise<void>;
  onOffline(): void; // the next image waits for the connection
  now(): number;
  leaseMs(): number; // how long the server keeps an image handed out to this labeler
  effort: EffortLedger;
}

export type Step<B extends Releasable> =
  | { kind: 'show'; image: Loaded<B>; edits: Edits | null }
  | { kind: 'done' }; // nothing left to label

export type SaveResult<B extends Releasable> =
  | { kind: 'moved'; queued: boolean; step: Step<B> } // saved, or kept to send later, and moved on
  | { kind: 'conflict'; id: string; current: ImageWithBoxes } // stays; the labeler chooses
  | { kind: 'rejected'; error: ApiError } // stays; the server refused for good
  | { kind: 'none' }; // nothing shown, or nothing left to resolve

interface Prefetch<B extends Releasable> {
  afterId: number;
  promise: Promise<Loaded<B> | null>;
  imageId: number | null;
  // advance() is waiting for it: from then on it is the next image, and neither a new queue
  // nor a stale check drops it.
  taken: boolean;
}

interface Stashed<B extends Releasable> {
  loaded: Loaded<B>;
  edits: Edits;
}

const RELOGIN_SAVE = 'Your session ended. Log in again: your unsaved boxes are kept and will be saved.';
const RELOGIN = 'Your session ended. Log in again.';

export class LabelingSession<B extends Releasable> {
  private shown: Loaded<B> | null = null;
  private prefetch: Prefetch<B> | null = null;
  private forward: Stashed<B>[] = [];
  // Images prefetched from an order a new queue replaced, until their lease runs out (ms since
  // epoch). The server hands a labeler the images they already hold first, so without these in
  // `exclude` the dropped image would come straight back instead of the new order's first.
  private readonly heldBack = new Map<number, number>();

  constructor(private readonly ports: SessionPorts<B>) {}

  get current(): Loaded<B> | null {
    return this.shown;
  }

  get prefetchedId(): number | null {
    return this.prefetch?.imageId ?? null;
  }

  get heldBackIds(): number[] {
    return [...this.heldBack.keys()];
  }

  get stashedIds(): number[] {
    return this.forward.map((s) => s.loaded.data.image.id);
  }

  // ---- navigation ----

  // The next image: one left by going back first, then the prefetched one, then a fresh fetch.
  async advance(): Promise<Step<B>> {
    const stashed = this.forward.pop();
    if (stashed) return this.show(stashed.loaded, stashed.edits);
    const afterId = this.shown?.data.image.id ?? null;
    let next: Loaded<B> | null;
    const prefetched = this.prefetch?.afterId === afterId ? this.prefetch : null;
    if (!prefetched) this.discardPrefetch();
    try {
      if (prefetched) prefetched.taken = true;
      next = prefetched ? await prefetched.promise : await this.fetchNext();
    } catch (error) {
      if (error instanceof NetworkError) next = await this.fetchNextWhenOnline();
      else if (isUnauthorized(error)) next = null; // asked again below, after a login
      else throw error;
    } finally {
      if (prefetched && this.prefetch === prefetched) this.prefetch = null;
    }
    // The prefetched image may have been taken by someone else while it waited: ask once more.
    next ??= await this.withLogin(() => this.fetchNext(), RELOGIN);
    return next ? this.show(next, null) : this.finish();
  }

  // The labeler's previous saved image; the one shown is stashed with its edits and comes back
  // on the next advance, and the prefetch is kept for when it does. Null when there is none.
  async back(edits: Edits): Promise<Step<B> | null> {
    const before = this.shown?.data.image.id ?? null;
    const data = await this.withLogin(() => this.ports.previous(before), RELOGIN);
    if (!data) return null;
    const bitmap = await this.ports.decode(data.image.id);
    if (this.shown) this.forward.push({ loaded: this.shown, edits });
    return this.show({ data, bitmap }, null);
  }

  // A new queue was published: the prefetched image came from the old order, so it goes back
  // (its lease is waited out) and the next one is asked for again. The image shown stays.
  async replaceQueue(): Promise<void> {
    const dropped = this.prefetch;
    if (!dropped || dropped.taken) return;
    this.prefetch = null;
    try {
      const loaded = await dropped.promise;
      if (loaded) {
        this.heldBack.set(loaded.data.image.id, this.ports.now() + this.ports.leaseMs());
        loaded.bitmap.release();
      }
    } catch {
      // A failed prefetch holds nothing.
    }
    this.startPrefetch();
  }

  // Releases every image held (a session replaced by another; the browser frees a closed page's).
  dispose(): void {
    this.discardPrefetch();
    for (const stashed of this.forward) stashed.loaded.bitmap.release();
    this.forward = [];
    this.shown?.bitmap.release();
    this.shown = null;
  }

  private show(loaded: Loaded<B>, edits: Edits | null): Step<B> {
    const previous = this.shown;
    if (previous && previous !== loaded && !this.forward.some((s) => s.loaded === previous)) {
      previous.bitmap.release();
    }
    this.shown = loaded;
    this.ports.effort.show(loaded.data.image.id);
    this.startPrefetch();
    return { kind: 'show', image: loaded, edits };
  }

  private finish(): Step<B> {
    this.shown?.bitmap.release();
    this.shown = null;
    this.ports.effort.show(null);
    return { kind: 'done' };
  }

  // The next image to label: not the one shown, nor one waiting to be saved, nor one held back.
  private async fetchNext(): Promise<Loaded<B> | null> {
    const skip = new Set<number>();
    if (this.shown) skip.add(this.shown.data.image.id);
    for (const entry of this.ports.saves.pending) skip.add(entry.image_id);
    const now = this.ports.now();
    for (const [id, until] of this.heldBack) {
      if (until > now) skip.add(id);
      else this.heldBack.delete(id);
    }
    const data = await this.ports.next([...skip]);
    if (!data) return null;
    return { data, bitmap: await this.ports.decode(data.image.id) };
  }

  private async fetchNextWhenOnline(): Promise<Loaded<B> | null> {
    this.ports.onOffline();
    for (let delay = 1000; ; delay = Math.min(15000, delay * 2)) {
      await this.ports.waitForNetwork(delay);
      try {
        return await this.fetchNext();
      } catch (error) {
        if (!(error instanceof NetworkError)) throw error;
      }
    }
  }

  private startPrefetch(): void {
    if (!this.shown || this.forward.length > 0) return;
    const afterId = this.shown.data.image.id;
    if (this.prefetch?.afterId === afterId) return;
    this.discardPrefetch();
    const promise = this.fetchNext();
    const entry: Prefetch<B> = { afterId, promise, imageId: null, taken: false };
    // A failed prefetch is retried when the image is needed; nothing is lost.
    promise.then(
      (loaded) => (entry.imageId = loaded?.data.image.id ?? null),
      () => undefined,
    );
    this.prefetch = entry;
  }

  // A prefetch nobody will show (fetched after another image): its bitmap is released on arrival.
  private discardPrefetch(): void {
    const dropped = this.prefetch;
    if (!dropped || dropped.taken) return;
    this.prefetch = null;
    dropped.promise.then(
      (loaded) => loaded?.bitmap.release(),
      () => undefined,
    );
  }

  // ---- saving ----

  // Saves the image shown (its boxes, or a skip) and, once the server took it or it is kept to be
  // sent later, moves on. A lost session asks for a login and sends the same save after it.
  async save(kind: 'labels' | 'skip', labels: LabelState, comment: string): Promise<SaveResult<B>> {
    if (!this.shown) return { kind: 'none' };
    const image = this.shown.data.image;
    const payload = labelsPayload(image.version, labels, comment, this.ports.effort.take(image.id));
    // A skip costs time too (its effort is sent); it sends no boxes.
    if (kind === 'skip') payload.boxes = [];
    const outcome = await this.ports.saves.submit({ image_id: image.id, kind, payload });
    return this.settle(outcome, image.id, payload);
  }

  // The labeler keeps their boxes after a conflict: sent again on top of the other version.
  async keepMine(id: string): Promise<SaveResult<B>> {
    const entry = this.ports.saves.pending.find((e) => e.id === id);
    const outcome = await this.ports.saves.resolveConflict(id, 'mine');
    if (!outcome) return { kind: 'none' };
    return entry ? this.settle(outcome, entry.image_id, entry.payload) : this.settle(outcome);
  }

  // The labeler takes the other save after a conflict: their save is dropped, and when the image
  // is still shown it now stands at the server's version. True when the shown image changed.
  takeTheirs(id: string, current: ImageWithBoxes): boolean {
    const entry = this.ports.saves.pending.find((e) => e.id === id);
    // The time that save carried was spent all the same: it goes into the next save of the image.
    if (entry) this.giveBack(entry.image_id, entry.payload);
    void this.ports.saves.resolveConflict(id, 'theirs');
    if (this.shown?.data.image.id !== current.image.id) return false;
    this.shown.data = current;
    return true;
  }

  // `imageId` and `sent`: the save whose effort is given back should the server refuse it.
  private async settle(first: SaveOutcome, imageId?: number, sent?: SavePayload): Promise<SaveResult<B>> {
    let outcome = first;
    for (;;) {
      switch (outcome.kind) {
        case 'saved':
        case 'queued':
          return { kind: 'moved', queued: outcome.kind === 'queued', step: await this.advance() };
        case 'unauthorized':
          await this.ports.login(RELOGIN_SAVE);
          outcome = await this.ports.saves.resumeFor(outcome.id);
          continue;
        case 'conflict':
          return { kind: 'conflict', id: outcome.id, current: outcome.current };
        case 'rejected':
          if (imageId !== undefined && sent) this.giveBack(imageId, sent);
          return { kind: 'rejected', error: outcome.error };
      }
    }
  }

  private giveBack(imageId: number, payload: SavePayload): void {
    if (payload.effort) this.ports.effort.credit(imageId, payload.effort.active_seconds);
  }

  // Runs `work`; on a 401 asks for a login (the saves it held go out after it) and runs it again.
  private async withLogin<T>(work: () => Promise<T>, reason: string): Promise<T> {
    for (;;) {
      try {
        return await work();
      } catch (error) {
        if (!isUnauthorized(error)) throw error;
        await this.ports.login(reason);
        void this.ports.saves.resume();
      }
    }
  }
}

// A save of labels: the boxes with their origins, and what the image cost. Proposals still
// pending are neither sent nor counted.
export function labelsPayload(
  version: number,
  labels: LabelState,
  comment: string,
  seconds: number,
): SavePayload {
  return {
    version,
    boxes: boxesToPayload(labels.boxes),
    comment,
    effort: { active_seconds: saveSeconds(seconds), rejected: labels.rejected.length },
  };
}
