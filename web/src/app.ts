// The labeling session: which image is shown, the prefetched next one, saving, skipping, going
// back, and what the page says when the server refuses. The widgets (canvas, category bar, side
// panels, toasts) only display and report; every decision about labels is made here.
import { Api, ApiError, NetworkError, isUnauthorized } from './api';
import { BoxModel, boxesFromAnnotations, boxesToPayload, type EditBox } from './box_model';
import { CategoryBar } from './category_bar';
import { byId } from './dom';
import { Editor } from './editor';
import { EventStream } from './events';
import { HaltingWidget } from './halting_widget';
import { installHotkeys, type Action } from './hotkeys';
import { loadBitmap, type LoadedBitmap } from './image_loader';
import { LoginDialog } from './login';
import { LoopPanel, loopSummary } from './loop_panel';
import { ModelsPanel } from './models_panel';
import { SaveQueue, type PendingSave, type SaveOutcome } from './save_queue';
import { SelectionPanel } from './selection_panel';
import { Session } from './session';
import { Toasts } from './toasts';
import type { Category, Counts, Image, ImageWithBoxes, LoopState, QueueEvent, User } from './types';

// An image ready to show: its record, boxes and decoded bitmap.
interface Loaded {
  data: ImageWithBoxes;
  bitmap: LoadedBitmap;
}

// The image fetched ahead of the one shown. `taken` once advance() waits for it: from then on it
// is the next image and a new queue no longer drops it.
interface Prefetch {
  afterId: number;
  promise: Promise<Loaded | null>;
  imageId: number | null;
  taken: boolean;
}

// An image left by going back, with the edits not saved yet, to return to.
interface Stashed {
  loaded: Loaded;
  boxes: readonly EditBox[];
  comment: string;
}

export class App {
  private readonly session = new Session();
  private readonly api = new Api(() => this.session.get());
  private readonly toasts = new Toasts(byId('toasts'));
  private readonly login = new LoginDialog(byId('login'), this.api);
  private readonly model = new BoxModel(() => this.onBoxesChanged());
  private readonly editor: Editor;
  private readonly categoryBar: CategoryBar;
  private readonly selection: SelectionPanel;
  private readonly models: ModelsPanel;
  private readonly loop: LoopPanel;
  private readonly halting = new HaltingWidget(byId('halting'));
  private readonly queue: SaveQueue;
  private readonly events: EventStream;
  private readonly comment = byId<HTMLTextAreaElement>('comment');

  private user: User | null = null;
  private categories: Category[] = [];
  private settings: Record<string, unknown> = {};
  private current: Loaded | null = null;
  private version = 0;
  private selected: number | null = null;
  private activeCategory: number | null = null;
  private prefetch: Prefetch | null = null;
  // Images prefetched from an order a new queue replaced, until their lease runs out (ms since
  // epoch). The server hands a labeler the images they already hold first, so without these in
  // `exclude` the dropped image would come straight back instead of the new order's first.
  private readonly heldBack = new Map<number, number>();
  private forward: Stashed[] = [];
  private busy = false;
  private interactiveImage: number | null = null;
  private lastLabeled = -1;
  private storageWarned = false;

  constructor() {
    this.editor = new Editor(byId('stage'), {
      canDraw: () => this.activeCategory !== null && this.current !== null,
      onCreate: (rect) => {
        if (this.activeCategory === null) return;
        this.model.add({ ...rect, category_id: this.activeCategory, source: 'human', score: null });
      },
      onChange: (key, rect) => this.model.update(key, rect),
      onSelect: (key) => this.select(key),
      onViewChange: () => this.showZoom(),
    });
    this.categoryBar = new CategoryBar(byId('categories'), (id) => this.pickCategory(id));
    this.selection = new SelectionPanel(
      byId('selection'),
      (id) => this.relabelSelected(id),
      () => this.deleteSelected(),
    );
    this.loop = new LoopPanel(this.api, this.toasts, (state) => this.showLoop(state));
    this.models = new ModelsPanel(byId('models-panel'), this.api, this.loop);
    this.queue = new SaveQueue(this.api, {
      onCountChange: (count) => this.showUnsaved(count),
      onSaved: () => undefined,
      onConflict: (entry, current) => {
        if (entry.image_id !== this.interactiveImage) void this.offerBackgroundConflict(entry, current);
      },
      onRejected: (entry, error) => {
        if (entry.image_id !== this.interactiveImage) {
          this.toasts.show(`The server refused the save of image ${entry.image_id}: ${error.message}`, {
            kind: 'error',
          });
        }
      },
      onUnauthorized: () => {
        if (this.interactiveImage === null) void this.relogin();
      },
      onStorageFailed: () => {
        if (this.storageWarned) return;
        this.storageWarned = true;
        this.toasts.show(
          'This browser refuses to store unsent saves; keep the tab open until they are sent.',
          { kind: 'warn' },
        );
      },
    });
    this.events = new EventStream({
      counts: ({ counts }) => this.onCounts(counts),
      queue: (data) => this.onQueue(data),
      loop: (state) => this.loop.apply(state),
      model: (data) => {
        this.toasts.show(
          data.message ?? `Model #${data.model_id ?? '?'} trained on ${data.trained_on ?? '?'} images.`,
          { kind: 'success', testid: 'toast-model' },
        );
        if (this.models.isOpen) void this.models.refresh();
        void this.loop.refresh();
      },
      job: ({ job }) => {
        this.models.onJob(job);
        this.loop.onJob(job);
        if (job.state === 'failed') {
          this.toasts.show(`The ${job.kind} job failed: ${job.error || job.message}`, { kind: 'error' });
        }
      },
    });
    this.bindControls();
    installHotkeys(
      () => this.categories,
      () => !this.login.isOpen,
      (action) => this.dispatch(action),
    );
    this.exposeTestHooks();
    this.showUnsaved(this.queue.size);
  }

  async start(): Promise<void> {
    this.message('Loading…');
    await this.withLogin(async () => {
      this.user = await this.api.me();
      const project = await this.api.project();
      this.categories = [...project.categories].sort((a, b) => a.position - b.position);
      this.settings = project.settings ?? {};
      byId('project-name').textContent = project.name;
      this.categoryBar.setCategories(this.categories);
      this.selection.setCategories(this.categories);
      this.onCounts(project.counts);
    }, 'Log in to label.');
    byId('user-name').textContent = this.user ? `${this.user.name} · ${this.user.role}` : '';
    this.loop.setAdmin(this.user?.role === 'admin');
    this.events.connect(this.api.eventsUrl());
    void this.refreshQueue();
    void this.loop.refresh();
    if (this.categories.length > 0) this.pickCategory(this.categories[0]!.id);
    // Saves left over from an earlier visit go first, so their images are not handed out again.
    void this.queue.flush();
    await this.advance();
  }

  // ---- navigation ----

  private async advance(): Promise<void> {
    const stashed = this.forward.pop();
    if (stashed) {
      this.show(stashed.loaded, stashed.boxes, stashed.comment);
      return;
    }
    const afterId = this.current?.data.image.id ?? null;
    let next: Loaded | null;
    try {
      const prefetched = this.prefetch && this.prefetch.afterId === afterId ? this.prefetch : null;
      if (prefetched) prefetched.taken = true;
      next = prefetched ? await prefetched.promise : await this.fetchNext([]);
    } catch (error) {
      this.prefetch = null;
      if (error instanceof NetworkError) {
        next = await this.fetchNextWhenOnline();
      } else throw error;
    }
    this.prefetch = null;
    if (!next) {
      // The prefetched image may have been taken while it waited; ask once more without it.
      next = await this.withLogin(() => this.fetchNext([]), 'Your session ended. Log in again.');
    }
    if (next) this.show(next);
    else this.showDone();
  }

  private async fetchNextWhenOnline(): Promise<Loaded | null> {
    this.message('Offline: waiting for the connection to come back…');
    for (let delay = 1000; ; delay = Math.min(15000, delay * 2)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          window.removeEventListener('online', done);
          window.clearTimeout(timer);
          resolve();
        };
        const timer = window.setTimeout(done, delay);
        window.addEventListener('online', done);
      });
      try {
        const next = await this.fetchNext([]);
        return next;
      } catch (error) {
        if (!(error instanceof NetworkError)) throw error;
      }
    }
  }

  // The next image to label, not one of `exclude`, nor the one shown, nor one waiting to be saved.
  private async fetchNext(exclude: number[]): Promise<Loaded | null> {
    const skip = new Set(exclude);
    if (this.current) skip.add(this.current.data.image.id);
    for (const entry of this.queue.pending) skip.add(entry.image_id);
    const now = Date.now();
    for (const [id, until] of this.heldBack) {
      if (until > now) skip.add(id);
      else this.heldBack.delete(id);
    }
    const data = await this.api.next([...skip]);
    if (!data) return null;
    return { data, bitmap: await loadBitmap(this.api, data.image.id) };
  }

  private startPrefetch(): void {
    if (!this.current || this.forward.length > 0) return;
    const afterId = this.current.data.image.id;
    if (this.prefetch?.afterId === afterId) return;
    const promise = this.fetchNext([]);
    const entry: Prefetch = { afterId, promise, imageId: null, taken: false };
    // A failed prefetch is retried when the image is needed; nothing is lost.
    promise.then(
      (loaded) => (entry.imageId = loaded?.data.image.id ?? null),
      () => undefined,
    );
    this.prefetch = entry;
  }

  // A new queue: the image fetched ahead came from the old order, so it goes back (and its lease
  // is waited out) and the next one is asked for again. The image being edited stays as it is.
  private dropPrefetch(): void {
    const dropped = this.prefetch;
    if (!dropped || dropped.taken) return;
    this.prefetch = null;
    const leaseMs = (Number(this.settings['lease_seconds'] ?? 300) || 300) * 1000;
    void dropped.promise
      .then(
        (loaded) => {
          if (!loaded) return;
          this.heldBack.set(loaded.data.image.id, Date.now() + leaseMs);
          loaded.bitmap.release();
        },
        () => undefined,
      )
      .then(() => this.startPrefetch());
  }

  private onQueue(data: QueueEvent): void {
    const from = data.model_id != null ? `model ${data.model_id}` : 'a model';
    const strategy = data.strategy ? ` (${data.strategy})` : '';
    this.toasts.show(`New order from ${from}${strategy}.`, { kind: 'info', testid: 'toast-queue' });
    this.halting.markStale();
    this.dropPrefetch();
    void this.refreshQueue();
    // With nothing left before, the new queue may hold images again.
    if (!this.current && !this.busy && this.user) void this.runExclusive(() => this.advance());
  }

  private async refreshQueue(): Promise<void> {
    try {
      this.halting.setQueue(await this.api.queue());
    } catch (error) {
      // A server without the queue route answers 404: the page works as before, in import order.
      if (error instanceof ApiError && error.status === 404) this.halting.setQueue(null);
      else this.halting.setUnavailable(`Queue unavailable: ${describe(error)}`);
    }
  }

  private show(loaded: Loaded, boxes?: readonly EditBox[], comment?: string): void {
    if (this.current && this.current !== loaded && !this.forward.some((s) => s.loaded === this.current)) {
      this.current.bitmap.release();
    }
    this.current = loaded;
    const image = loaded.data.image;
    this.version = image.version;
    this.selected = null;
    this.message(null);
    this.editor.setImage(loaded.bitmap.element, image.width, image.height);
    this.model.reset(boxesFromAnnotations(loaded.data.annotations));
    // Edits carried over from before going back are still unsaved (and undoable).
    if (boxes) this.model.replaceAll(boxes);
    this.comment.value = comment ?? '';
    this.showImageInfo(image);
    this.halting.setImage(loaded.data.query ?? null);
    this.startPrefetch();
  }

  private showDone(): void {
    this.current?.bitmap.release();
    this.current = null;
    this.model.reset([]);
    this.editor.setImage(null, 0, 0);
    this.showImageInfo(null);
    this.halting.setImage(null, false);
    this.message('All images are labeled. Nothing left in the queue.');
  }

  private async back(): Promise<void> {
    const before = this.current?.data.image.id ?? null;
    const data = await this.withLogin(() => this.api.previous(before), 'Your session ended. Log in again.');
    if (!data) {
      this.toasts.show('No earlier image saved by you.', { kind: 'info', testid: 'toast-no-previous' });
      return;
    }
    const bitmap = await loadBitmap(this.api, data.image.id);
    if (this.current) {
      this.forward.push({
        loaded: this.current,
        boxes: this.model.boxes,
        comment: this.comment.value,
      });
    }
    this.prefetch = null;
    this.show({ data, bitmap });
  }

  // ---- saving ----

  private async saveAndNext(kind: 'labels' | 'skip'): Promise<void> {
    if (!this.current) return;
    const image = this.current.data.image;
    const entry = {
      image_id: image.id,
      kind,
      payload: {
        version: this.version,
        boxes: kind === 'labels' ? boxesToPayload(this.model.boxes) : [],
        comment: this.comment.value.trim(),
      },
    };
    this.interactiveImage = image.id;
    let outcome: SaveOutcome;
    try {
      outcome = await this.queue.submit(entry);
    } finally {
      this.interactiveImage = null;
    }
    await this.handleOutcome(outcome, entry.kind);
  }

  private async handleOutcome(outcome: SaveOutcome, kind: 'labels' | 'skip'): Promise<void> {
    switch (outcome.kind) {
      case 'saved':
        this.model.markSaved();
        await this.advance();
        return;
      case 'queued':
        this.toasts.show(
          'Offline: this save is kept in the browser and will be sent when the connection is back.',
          { kind: 'warn', testid: 'toast-offline' },
        );
        this.model.markSaved();
        await this.advance();
        return;
      case 'unauthorized': {
        await this.login.ask(
          'Your session ended. Log in again: your unsaved boxes are kept and will be saved.',
        ).then((result) => this.onLoggedIn(result.token, result.user));
        // The save waited in the queue; it goes out now that there is a session.
        this.interactiveImage = this.current?.data.image.id ?? null;
        let next: SaveOutcome;
        try {
          next = await this.queue.resumeFor(outcome.id);
        } finally {
          this.interactiveImage = null;
        }
        await this.handleOutcome(next, kind);
        return;
      }
      case 'conflict':
        await this.offerConflict(outcome.current);
        return;
      case 'rejected':
        this.toasts.show(`The server refused this save: ${outcome.error.message}`, {
          kind: 'error',
          testid: 'toast-rejected',
        });
        return;
    }
  }

  private async lastLabeler(imageId: number): Promise<string> {
    try {
      const details = await this.api.image(imageId);
      const last = details.events?.[details.events.length - 1];
      return last?.labeler ?? 'someone else';
    } catch {
      return 'someone else';
    }
  }

  // Conflict on the image being edited: stay on it and let the labeler choose.
  private async offerConflict(current: ImageWithBoxes): Promise<void> {
    const imageId = current.image.id;
    const entry = this.queue.pending.find((e) => e.image_id === imageId && e.conflict);
    const who = await this.lastLabeler(imageId);
    this.toasts.show(
      `${who} saved this image while you were editing it (now version ${current.image.version}, ` +
        `${current.annotations.length} boxes). Load theirs, or overwrite with yours?`,
      {
        kind: 'warn',
        testid: 'toast-conflict',
        actions: [
          {
            label: 'Load theirs',
            testid: 'conflict-load-theirs',
            run: () => {
              if (entry) void this.queue.resolveConflict(entry.id, 'theirs');
              if (this.current?.data.image.id !== imageId) return;
              this.current.data = current;
              this.version = current.image.version;
              this.model.reset(boxesFromAnnotations(current.annotations));
              this.showImageInfo(current.image);
            },
          },
          {
            label: 'Overwrite with mine',
            testid: 'conflict-overwrite',
            run: () => {
              if (!entry) return;
              void this.runExclusive(async () => {
                this.interactiveImage = imageId;
                let outcome: SaveOutcome | null;
                try {
                  outcome = await this.queue.resolveConflict(entry.id, 'mine');
                } finally {
                  this.interactiveImage = null;
                }
                if (outcome) await this.handleOutcome(outcome, entry.kind);
              });
            },
          },
        ],
      },
    );
  }

  // Conflict on a save sent in the background (after being offline): the labeler is elsewhere.
  private async offerBackgroundConflict(entry: PendingSave, current: ImageWithBoxes): Promise<void> {
    const who = await this.lastLabeler(entry.image_id);
    this.toasts.show(
      `Your offline save of image ${entry.image_id} (${current.image.path}) clashed with ${who}'s ` +
        `save. Keep yours or theirs?`,
      {
        kind: 'warn',
        testid: 'toast-conflict',
        actions: [
          {
            label: 'Keep mine',
            testid: 'conflict-overwrite',
            run: () => void this.queue.resolveConflict(entry.id, 'mine'),
          },
          {
            label: 'Keep theirs',
            testid: 'conflict-load-theirs',
            run: () => void this.queue.resolveConflict(entry.id, 'theirs'),
          },
        ],
      },
    );
  }

  // ---- session ----

  private async relogin(): Promise<void> {
    const result = await this.login.ask(
      'Your session ended. Log in again: your unsaved boxes are kept and will be saved.',
    );
    this.onLoggedIn(result.token, result.user);
    await this.queue.resume();
  }

  private onLoggedIn(token: string, user: User): void {
    this.session.set(token);
    this.user = user;
    byId('user-name').textContent = `${user.name} · ${user.role}`;
    this.loop.setAdmin(user.role === 'admin');
    this.events.connect(this.api.eventsUrl());
  }

  // Runs `work`; on a 401 asks for a login and runs it again.
  private async withLogin<T>(work: () => Promise<T>, reason: string): Promise<T> {
    for (;;) {
      try {
        return await work();
      } catch (error) {
        if (!isUnauthorized(error)) throw error;
        this.message(null);
        const result = await this.login.ask(reason);
        this.onLoggedIn(result.token, result.user);
        void this.queue.resume();
      }
    }
  }

  private async logout(): Promise<void> {
    if (this.queue.size > 0) {
      this.toasts.show(
        `${this.queue.size} save(s) are not sent yet; they stay in this browser and are sent after the next login.`,
        { kind: 'warn' },
      );
    }
    try {
      await this.api.logout();
    } catch (error) {
      if (!(error instanceof ApiError) && !(error instanceof NetworkError)) throw error;
    }
    this.session.clear();
    this.events.close();
    window.location.reload();
  }

  // ---- editing ----

  private pickCategory(id: number): void {
    this.activeCategory = id;
    this.categoryBar.setActive(id);
    this.editor.updateCursor();
  }

  private select(key: number | null): void {
    this.selected = key !== null && this.model.find(key) ? key : null;
    this.onBoxesChanged();
  }

  private relabelSelected(categoryId: number): void {
    if (this.selected === null) return;
    this.model.update(this.selected, { category_id: categoryId });
  }

  private deleteSelected(): void {
    if (this.selected === null) return;
    const key = this.selected;
    this.selected = null;
    this.model.remove(key);
  }

  private onBoxesChanged(): void {
    if (this.selected !== null && !this.model.find(this.selected)) this.selected = null;
    this.editor?.setBoxes(this.model.boxes, this.selected, this.categories);
    this.selection?.show(this.selected !== null ? (this.model.find(this.selected) ?? null) : null);
    byId<HTMLButtonElement>('undo-button').disabled = !this.model.canUndo;
    byId<HTMLButtonElement>('redo-button').disabled = !this.model.canRedo;
  }

  private dispatch(action: Action): void {
    switch (action.type) {
      case 'category':
        if (this.selected !== null) this.relabelSelected(action.id);
        this.pickCategory(action.id);
        return;
      case 'save-next':
        void this.runExclusive(() => this.saveAndNext('labels'));
        return;
      case 'skip':
        void this.runExclusive(() => this.saveAndNext('skip'));
        return;
      case 'back':
        void this.runExclusive(() => this.back());
        return;
      case 'delete':
        this.deleteSelected();
        return;
      case 'undo':
        this.model.undo();
        return;
      case 'redo':
        this.model.redo();
        return;
      case 'fit':
        this.editor.fit();
        return;
      case 'pan-toggle':
        this.togglePan();
        return;
      case 'deselect':
        this.select(null);
        return;
      case 'zoom-in':
        this.editor.zoomBy(1.25);
        return;
      case 'zoom-out':
        this.editor.zoomBy(0.8);
        return;
    }
  }

  // One navigation at a time: a second Space while a save is in flight must not save twice.
  private async runExclusive(work: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    document.body.classList.add('busy');
    try {
      await work();
    } catch (error) {
      this.toasts.show(describe(error), { kind: 'error', testid: 'toast-error' });
    } finally {
      this.busy = false;
      document.body.classList.remove('busy');
    }
  }

  private togglePan(): void {
    this.editor.setPanMode(!this.editor.isPanMode);
    byId('pan-button').classList.toggle('active', this.editor.isPanMode);
  }

  // ---- display ----

  private onCounts(counts: Counts): void {
    this.categoryBar.setCounts(counts);
    const images = counts.images;
    byId('progress-summary').textContent =
      `${images.labeled} of ${images.total} images labeled` +
      (images.skipped > 0 ? ` · ${images.skipped} skipped` : '');
    // Every N labels (the training trigger, when set) is worth a toast.
    const every = Number(this.settings['trigger_every'] ?? 20) || 20;
    if (this.lastLabeled >= 0 && images.labeled !== this.lastLabeled) {
      const crossed = Math.floor(images.labeled / every) > Math.floor(this.lastLabeled / every);
      if (crossed) {
        this.toasts.show(`${images.labeled} images labeled so far.`, { kind: 'success', testid: 'toast-counts' });
      }
    }
    this.lastLabeled = images.labeled;
  }

  private showLoop(state: LoopState | null): void {
    const chip = byId('loop-status');
    chip.hidden = state === null;
    chip.textContent = state ? loopSummary(state) : '';
    chip.dataset['state'] = state?.state ?? '';
    // The "N images labeled" toasts follow the loop's period, as an admin may just have changed it.
    if (state) this.settings = { ...this.settings, trigger_every: state.every };
  }

  private showUnsaved(count: number): void {
    const badge = byId('unsaved-badge');
    badge.hidden = count === 0;
    badge.textContent = `${count} unsaved`;
    badge.title = 'Saves kept in this browser until the server takes them';
  }

  private showImageInfo(image: Image | null): void {
    byId('image-info').textContent = image
      ? `${image.path} · ${image.width}×${image.height} · ${image.status} · v${image.version}`
      : '';
  }

  private showZoom(): void {
    byId('zoom-level').textContent = `${Math.round(this.editor.view.scale * 100)}%`;
  }

  private message(text: string | null): void {
    const element = byId('stage-message');
    element.hidden = text === null;
    element.textContent = text ?? '';
  }

  private bindControls(): void {
    const click = (id: string, run: () => void) => {
      const button = byId<HTMLButtonElement>(id);
      // Clicking must not leave focus on the button, or Space would press it again.
      button.addEventListener('mousedown', (e) => e.preventDefault());
      button.addEventListener('click', run);
    };
    click('save-button', () => this.dispatch({ type: 'save-next' }));
    click('skip-button', () => this.dispatch({ type: 'skip' }));
    click('back-button', () => this.dispatch({ type: 'back' }));
    click('undo-button', () => this.dispatch({ type: 'undo' }));
    click('redo-button', () => this.dispatch({ type: 'redo' }));
    click('zoom-in-button', () => this.dispatch({ type: 'zoom-in' }));
    click('zoom-out-button', () => this.dispatch({ type: 'zoom-out' }));
    click('fit-button', () => this.dispatch({ type: 'fit' }));
    click('pan-button', () => this.dispatch({ type: 'pan-toggle' }));
    click('models-button', () => void this.models.toggle());
    click('loop-status', () => void this.models.open());
    click('logout-button', () => void this.logout());
  }

  // Read-only state for tests and debugging: no pixel-peeping needed to know what the page holds.
  private exposeTestHooks(): void {
    const app = this;
    const hooks = {
      get imageId() {
        return app.current?.data.image.id ?? null;
      },
      get prefetchedId() {
        return app.prefetch?.imageId ?? null;
      },
      get query() {
        return app.current?.data.query ?? null;
      },
      get heldBack() {
        return [...app.heldBack.keys()];
      },
      get imagePath() {
        return app.current?.data.image.path ?? null;
      },
      get version() {
        return app.current ? app.version : null;
      },
      get boxes() {
        return app.model.boxes.map((b) => ({
          category_id: b.category_id,
          category: app.categories.find((c) => c.id === b.category_id)?.name ?? null,
          x: b.x,
          y: b.y,
          w: b.w,
          h: b.h,
        }));
      },
      get selected() {
        const box = app.selected !== null ? app.model.find(app.selected) : undefined;
        return box ? { index: app.model.boxes.indexOf(box), category_id: box.category_id, x: box.x, y: box.y, w: box.w, h: box.h } : null;
      },
      get activeCategory() {
        return app.activeCategory;
      },
      get unsaved() {
        return app.queue.size;
      },
      get busy() {
        return app.busy;
      },
      get user() {
        return app.user ? { ...app.user } : null;
      },
      get view() {
        return app.editor.view;
      },
      toClient: (x: number, y: number) => app.editor.toClient(x, y),
    };
    Object.defineProperty(window, '__boxloop', { value: Object.freeze(hooks), configurable: false });
  }
}

function describe(error: unknown): string {
  if (error instanceof NetworkError) return 'Cannot reach the server. Your work is kept; try again.';
  if (error instanceof ApiError) return `The server refused: ${error.message}`;
  return `Something went wrong: ${error instanceof Error ? error.message : String(error)}`;
}
