// The page: wires the labeling session (labeling_session.ts: images, prefetch, back/next, saves)
// to the views (canvas, category bar, side panels, toasts) and the server's events. The views only
// display and report; the session decides what is shown and saved; this file turns the one into
// the other and says in words what happened.
import { Api, ApiError, NetworkError } from './api';
import { BoxModel, labelsFromImage } from './box_model';
import { CategoryBar } from './category_bar';
import { pendingByCategory } from './category_counts';
import { byId } from './dom';
import { Editor } from './editor';
import { EffortMeter } from './effort';
import { EffortPanel } from './effort_panel';
import { EventStream } from './events';
import { HaltingWidget } from './halting_widget';
import { installHotkeys, type Action } from './hotkeys';
import { loadBitmap, type LoadedBitmap } from './image_loader';
import { LabelingSession, type SaveResult, type Step } from './labeling_session';
import { LoginDialog } from './login';
import { LoopPanel, loopSummary } from './loop_panel';
import { ModelsPanel } from './models_panel';
import { SaveQueue, type PendingSave } from './save_queue';
import { SelectionPanel, type Selection } from './selection_panel';
import { Session, readStorage, writeStorage } from './session';
import { Toasts } from './toasts';
import type { Category, Counts, Image, ImageWithBoxes, LoopState, QueueEvent, User } from './types';

// The category picked last, kept across reloads.
const ACTIVE_CATEGORY_KEY = 'boxloop.category';
// Whether the model's proposals are shown, kept across reloads ("0": hidden).
const PROPOSALS_SHOWN_KEY = 'boxloop.proposals';

export class App {
  private readonly token = new Session();
  private readonly api = new Api(() => this.token.get());
  private readonly toasts = new Toasts(byId('toasts'));
  private readonly login = new LoginDialog(byId('login'), this.api);
  private readonly model = new BoxModel(() => this.onBoxesChanged());
  // Active seconds per image; performance.now() does not jump with the wall clock.
  private readonly effort = new EffortMeter(() => performance.now());
  private readonly editor: Editor;
  private readonly categoryBar: CategoryBar;
  private readonly selection: SelectionPanel;
  private readonly models: ModelsPanel;
  private readonly loop: LoopPanel;
  private readonly effortPanel: EffortPanel;
  private readonly halting = new HaltingWidget(byId('halting'));
  private readonly queue: SaveQueue;
  private readonly session: LabelingSession<LoadedBitmap>;
  private readonly events: EventStream;
  private readonly comment = byId<HTMLTextAreaElement>('comment');

  private user: User | null = null;
  private categories: Category[] = [];
  private settings: Record<string, unknown> = {};
  private selected: number | null = null;
  private activeCategory: number | null = null;
  private proposalsShown = readStorage(PROPOSALS_SHOWN_KEY) !== '0';
  private busy = false;
  private lastLabeled = -1;
  private storageWarned = false;

  constructor() {
    this.editor = new Editor(byId('stage'), {
      canDraw: () => this.activeCategory !== null && this.session.current !== null,
      onCreate: (rect) => {
        if (this.activeCategory === null) return;
        this.model.add({ ...rect, category_id: this.activeCategory, source: 'human', score: null });
      },
      // A proposal moved or resized is accepted as adjusted (the box model decides).
      onChange: (key, rect) => this.model.update(key, rect),
      onSelect: (key) => this.select(key),
      onViewChange: () => this.showZoom(),
    });
    this.categoryBar = new CategoryBar(byId('categories'), (id) => this.pickCategory(id));
    this.selection = new SelectionPanel(
      byId('selection'),
      (id) => this.relabelSelected(id),
      () => this.deleteSelected(),
      () => this.acceptSelected(),
    );
    this.loop = new LoopPanel(this.api, this.toasts, (state) => this.showLoop(state));
    this.effortPanel = new EffortPanel(this.api);
    this.models = new ModelsPanel(byId('models-panel'), this.api, this.loop, this.effortPanel);
    // Only saves nobody awaits reach these: ones sent in the background after being offline or
    // left from an earlier visit. The save the labeler just made answers through the session.
    this.queue = new SaveQueue(this.api, {
      onCountChange: (count) => this.showUnsaved(count),
      onConflict: (entry, current) => void this.offerBackgroundConflict(entry, current),
      onRejected: (entry, error) =>
        this.toasts.show(`The server refused the save of image ${entry.image_id}: ${error.message}`, {
          kind: 'error',
        }),
      onUnauthorized: () => void this.relogin(),
      onStorageFailed: () => {
        if (this.storageWarned) return;
        this.storageWarned = true;
        this.toasts.show(
          'This browser refuses to store unsent saves; keep the tab open until they are sent.',
          { kind: 'warn' },
        );
      },
    });
    window.addEventListener('online', () => void this.queue.flush());
    this.session = new LabelingSession<LoadedBitmap>({
      next: (exclude) => this.api.next(exclude),
      previous: (before) => this.api.previous(before),
      decode: (imageId) => loadBitmap(this.api, imageId),
      saves: this.queue,
      login: async (reason) => {
        this.message(null);
        const result = await this.login.ask(reason);
        this.onLoggedIn(result.token, result.user);
      },
      waitForNetwork: (delayMs) => waitForOnline(delayMs),
      onOffline: () => this.message('Offline: waiting for the connection to come back…'),
      now: () => Date.now(),
      leaseMs: () => (Number(this.settings['lease_seconds'] ?? 300) || 300) * 1000,
      effort: this.effort,
    });
    trackActivity(this.effort);
    this.events = new EventStream({
      counts: ({ counts }) => {
        this.onCounts(counts);
        // A save changed the effort figures too; fetched only while they are in view.
        if (this.models.isOpen) void this.effortPanel.refresh();
      },
      queue: (data) => this.onQueue(data),
      loop: (state) => {
        this.loop.apply(state);
        // A loop event comes with every label; the curve is fetched for it only while in view.
        if (this.models.isOpen) void this.loop.curve.refresh();
      },
      model: (data) => {
        this.toasts.show(
          data.message ?? `Model #${data.model_id ?? '?'} trained on ${data.trained_on ?? '?'} images.`,
          { kind: 'success', testid: 'toast-model' },
        );
        if (this.models.isOpen) void this.models.refresh();
        void this.loop.refresh();
        void this.loop.curve.refresh();
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
    for (;;) {
      try {
        this.user = await this.api.me();
        break;
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 401)) throw error;
        this.message(null);
        const result = await this.login.ask('Log in to label.');
        this.token.set(result.token);
      }
    }
    this.queue.setUser(this.user.name);
    const project = await this.api.project();
    this.categories = [...project.categories].sort((a, b) => a.position - b.position);
    this.settings = project.settings ?? {};
    byId('project-name').textContent = project.name;
    this.categoryBar.setCategories(this.categories);
    this.selection.setCategories(this.categories);
    this.onCounts(project.counts);
    this.showUser(this.user);
    this.events.connect(this.api.eventsUrl());
    void this.refreshQueue();
    void this.loop.refresh();
    void this.loop.curve.refresh();
    this.pickCategory(this.restoredCategory());
    // Saves left over from an earlier visit go first, so their images are not handed out again.
    void this.queue.flush();
    this.render(await this.session.advance());
  }

  // ---- navigation ----

  private render(step: Step<LoadedBitmap>): void {
    if (step.kind === 'done') {
      this.model.reset([]);
      this.editor.setImage(null, 0, 0);
      this.showImageInfo(null);
      this.halting.setImage(null, false);
      this.message('All images are labeled. Nothing left in the queue.');
      return;
    }
    const { data, bitmap } = step.image;
    this.selected = null;
    this.message(null);
    this.editor.setImage(bitmap.element, data.image.width, data.image.height);
    this.model.reset(labelsFromImage(data));
    // Edits carried over from before going back (boxes, proposals accepted or rejected) are still
    // unsaved, and undoable.
    if (step.edits) this.model.restore(step.edits.labels);
    this.comment.value = step.edits?.comment ?? '';
    this.showImageInfo(data.image);
    this.halting.setImage(data.query ?? null);
  }

  private async back(): Promise<void> {
    const step = await this.session.back({ labels: this.model.state, comment: this.comment.value });
    if (!step) {
      this.toasts.show('No earlier image saved by you.', { kind: 'info', testid: 'toast-no-previous' });
      return;
    }
    this.render(step);
  }

  private onQueue(data: QueueEvent): void {
    const from = data.model_id != null ? `model ${data.model_id}` : 'a model';
    const strategy = data.strategy ? ` (${data.strategy})` : '';
    this.toasts.show(`New order from ${from}${strategy}.`, { kind: 'info', testid: 'toast-queue' });
    this.halting.markStale();
    void this.session.replaceQueue();
    void this.refreshQueue();
    void this.loop.curve.refresh();
    // With nothing left before, the new queue may hold images again.
    if (!this.session.current && !this.busy && this.user) {
      void this.runExclusive(async () => this.render(await this.session.advance()));
    }
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

  // ---- saving ----

  private async save(kind: 'labels' | 'skip'): Promise<void> {
    // Proposals still pending are not confirmed: the session neither sends nor counts them.
    const result = await this.session.save(kind, this.model.state, this.comment.value.trim());
    await this.afterSave(result);
  }

  private async afterSave(result: SaveResult<LoadedBitmap>): Promise<void> {
    switch (result.kind) {
      case 'none':
        return;
      case 'moved':
        if (result.queued) {
          this.toasts.show(
            'Offline: this save is kept in the browser and will be sent when the connection is back.',
            { kind: 'warn', testid: 'toast-offline' },
          );
        }
        this.model.markSaved();
        this.render(result.step);
        return;
      case 'conflict':
        await this.offerConflict(result.id, result.current);
        return;
      case 'rejected':
        this.toasts.show(`The server refused this save: ${result.error.message}`, {
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
  private async offerConflict(id: string, current: ImageWithBoxes): Promise<void> {
    const who = await this.lastLabeler(current.image.id);
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
              if (!this.session.takeTheirs(id, current)) return;
              this.model.reset(labelsFromImage(current));
              this.showImageInfo(current.image);
            },
          },
          {
            label: 'Overwrite with mine',
            testid: 'conflict-overwrite',
            run: () =>
              void this.runExclusive(async () => this.afterSave(await this.session.keepMine(id))),
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

  // ---- login ----

  // A save sent in the background met a 401: ask for a login, then send what waited.
  private async relogin(): Promise<void> {
    const result = await this.login.ask(
      'Your session ended. Log in again: your unsaved boxes are kept and will be saved.',
    );
    this.onLoggedIn(result.token, result.user);
    await this.queue.resume();
  }

  private onLoggedIn(token: string, user: User): void {
    this.token.set(token);
    // Someone else logged in: everything on this page (the image held, the edits, the saves
    // waiting) is the previous user's. Their saves stay stored under their name; start afresh.
    if (this.user && this.user.name !== user.name) {
      window.location.reload();
      return;
    }
    this.user = user;
    this.queue.setUser(user.name);
    this.showUser(user);
    this.events.connect(this.api.eventsUrl());
  }

  private showUser(user: User): void {
    byId('user-name').textContent = `${user.name} · ${user.role}`;
    this.loop.setAdmin(user.role === 'admin');
  }

  private async logout(): Promise<void> {
    if (this.queue.size > 0) {
      this.toasts.show(
        `${this.queue.size} save(s) are not sent yet; they stay in this browser and are sent the next time you log in here.`,
        { kind: 'warn' },
      );
    }
    try {
      await this.api.logout();
    } catch (error) {
      if (!(error instanceof ApiError) && !(error instanceof NetworkError)) throw error;
    }
    this.token.clear();
    this.events.close();
    window.location.reload();
  }

  // ---- editing ----

  private restoredCategory(): number | null {
    const stored = Number(readStorage(ACTIVE_CATEGORY_KEY));
    const found = this.categories.find((c) => c.id === stored);
    return (found ?? this.categories[0])?.id ?? null;
  }

  private pickCategory(id: number | null): void {
    this.activeCategory = id;
    this.categoryBar.setActive(id);
    this.editor.updateCursor();
    if (id !== null) writeStorage(ACTIVE_CATEGORY_KEY, String(id));
  }

  private select(key: number | null): void {
    this.selected = key;
    this.onBoxesChanged();
  }

  // The box or shown proposal selected, if any.
  private selectedItem(): Selection | null {
    if (this.selected === null) return null;
    const box = this.model.find(this.selected);
    if (box) return { kind: 'box', box };
    const proposal = this.proposalsShown ? this.model.findProposal(this.selected) : undefined;
    return proposal ? { kind: 'proposal', proposal } : null;
  }

  // Relabelling a proposal accepts it as adjusted.
  private relabelSelected(categoryId: number): void {
    if (this.selected === null) return;
    this.model.update(this.selected, { category_id: categoryId });
  }

  // Deletes the selected box, or rejects the selected proposal.
  private deleteSelected(): void {
    const selection = this.selectedItem();
    if (!selection) return;
    this.selected = null;
    if (selection.kind === 'proposal') this.model.reject(selection.proposal.key);
    else this.model.remove(selection.box.key);
  }

  // The selected proposal becomes a box as proposed; it stays selected, now as a box.
  private acceptSelected(): void {
    const selection = this.selectedItem();
    if (selection?.kind === 'proposal') this.model.accept(selection.proposal.key);
  }

  private acceptAll(): void {
    if (this.model.proposals.length === 0) return;
    // What is not on screen is not confirmed by a key press.
    if (!this.proposalsShown) {
      this.toasts.show('The proposals are hidden: P shows them.', {
        kind: 'info',
        testid: 'toast-proposals-hidden',
      });
      return;
    }
    this.model.acceptAll();
  }

  private toggleProposals(): void {
    this.proposalsShown = !this.proposalsShown;
    writeStorage(PROPOSALS_SHOWN_KEY, this.proposalsShown ? '1' : '0');
    this.onBoxesChanged();
  }

  private onBoxesChanged(): void {
    const selection = this.selectedItem();
    if (!selection) this.selected = null;
    const proposals = this.proposalsShown ? this.model.proposals : [];
    this.editor.setBoxes(this.model.boxes, this.selected, this.categories, proposals);
    this.selection.show(selection);
    this.categoryBar.setPending(
      pendingByCategory(this.model.boxes, this.session.current?.data.annotations ?? []),
    );
    this.showProposals();
    byId<HTMLButtonElement>('undo-button').disabled = !this.model.canUndo;
    byId<HTMLButtonElement>('redo-button').disabled = !this.model.canRedo;
  }

  // The toolbar's proposal controls: how many are pending, accept all, hide/show.
  private showProposals(): void {
    const pending = this.model.proposals.length;
    const rejected = this.model.rejectedCount;
    const offered = pending + rejected + this.model.boxes.filter((b) => b.origin !== 'drawn').length;
    byId('proposal-bar').hidden = offered === 0;
    byId('proposal-count').textContent =
      `${pending} proposal${pending === 1 ? '' : 's'}` + (rejected > 0 ? ` · ${rejected} rejected` : '');
    byId<HTMLButtonElement>('accept-all-button').disabled = pending === 0 || !this.proposalsShown;
    const toggle = byId<HTMLButtonElement>('proposals-button');
    toggle.textContent = this.proposalsShown ? 'Hide' : 'Show';
    toggle.classList.toggle('active', !this.proposalsShown);
  }

  private dispatch(action: Action): void {
    switch (action.type) {
      case 'category':
        if (this.selected !== null) this.relabelSelected(action.id);
        this.pickCategory(action.id);
        return;
      case 'save-next':
        void this.runExclusive(() => this.save('labels'));
        return;
      case 'skip':
        void this.runExclusive(() => this.save('skip'));
        return;
      case 'back':
        void this.runExclusive(() => this.back());
        return;
      case 'delete':
        this.deleteSelected();
        return;
      case 'accept':
        this.acceptSelected();
        return;
      case 'accept-all':
        this.acceptAll();
        return;
      case 'toggle-proposals':
        this.toggleProposals();
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
    click('accept-all-button', () => this.dispatch({ type: 'accept-all' }));
    click('proposals-button', () => this.dispatch({ type: 'toggle-proposals' }));
    click('models-button', () => void this.models.toggle());
    click('loop-status', () => void this.models.open());
    click('logout-button', () => void this.logout());
  }

  // Read-only state for tests and debugging: no pixel-peeping needed to know what the page holds.
  private exposeTestHooks(): void {
    const category = (id: number) => this.categories.find((c) => c.id === id)?.name ?? null;
    const getters: Record<string, () => unknown> = {
      imageId: () => this.session.current?.data.image.id ?? null,
      prefetchedId: () => this.session.prefetchedId,
      query: () => this.session.current?.data.query ?? null,
      heldBack: () => this.session.heldBackIds,
      imagePath: () => this.session.current?.data.image.path ?? null,
      version: () => this.session.current?.data.image.version ?? null,
      boxes: () =>
        this.model.boxes.map((b) => ({
          category_id: b.category_id,
          category: category(b.category_id),
          x: b.x,
          y: b.y,
          w: b.w,
          h: b.h,
          origin: b.origin,
        })),
      // The proposals still pending (shown or not), in the server's order.
      proposals: () =>
        this.model.proposals.map((p) => ({
          category_id: p.category_id,
          category: category(p.category_id),
          x: p.x,
          y: p.y,
          w: p.w,
          h: p.h,
          score: p.score,
        })),
      rejected: () => this.model.rejectedCount,
      proposalsShown: () => this.proposalsShown,
      // Active seconds gathered on the image shown and not yet saved.
      effortSeconds: () => {
        const id = this.session.current?.data.image.id;
        return id === undefined ? null : this.effort.secondsOn(id);
      },
      selected: () => {
        const selection = this.selectedItem();
        if (!selection) return null;
        if (selection.kind === 'proposal') {
          const p = selection.proposal;
          const index = this.model.proposals.indexOf(p);
          return { kind: 'proposal', index, category_id: p.category_id, x: p.x, y: p.y, w: p.w, h: p.h };
        }
        const box = selection.box;
        const index = this.model.boxes.indexOf(box);
        return { kind: 'box', index, category_id: box.category_id, x: box.x, y: box.y, w: box.w, h: box.h };
      },
      activeCategory: () => this.activeCategory,
      unsaved: () => this.queue.size,
      busy: () => this.busy,
      user: () => (this.user ? { ...this.user } : null),
      view: () => this.editor.view,
    };
    const hooks = {
      toClient: (x: number, y: number) => this.editor.toClient(x, y),
    };
    for (const [name, get] of Object.entries(getters)) {
      Object.defineProperty(hooks, name, { get, enumerable: true });
    }
    Object.defineProperty(window, '__boxloop', { value: Object.freeze(hooks), configurable: false });
  }
}

// Feeds the effort meter what the browser knows: input, the tab shown or hidden, the window focused.
function trackActivity(meter: EffortMeter): void {
  const input = () => meter.input();
  for (const type of ['pointerdown', 'pointermove', 'keydown', 'wheel'] as const) {
    window.addEventListener(type, input, { capture: true, passive: true });
  }
  document.addEventListener('visibilitychange', () =>
    meter.setVisible(document.visibilityState === 'visible'),
  );
  window.addEventListener('focus', () => meter.setFocused(true));
  window.addEventListener('blur', () => meter.setFocused(false));
  meter.setVisible(document.visibilityState === 'visible');
  meter.setFocused(document.hasFocus());
}

// Resolves after `delayMs`, or as soon as the browser says it is online again.
function waitForOnline(delayMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      window.removeEventListener('online', done);
      window.clearTimeout(timer);
      resolve();
    };
    const timer = window.setTimeout(done, delayMs);
    window.addEventListener('online', done);
  });
}

function describe(error: unknown): string {
  if (error instanceof NetworkError) return 'Cannot reach the server. Your work is kept; try again.';
  if (error instanceof ApiError) return `The server refused: ${error.message}`;
  return `Something went wrong: ${error instanceof Error ? error.message : String(error)}`;
}
