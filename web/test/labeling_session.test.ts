import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../src/api';
import { BoxModel, labelsFromImage, type LabelState } from '../src/box_model';
import { EffortMeter } from '../src/effort';
import { LabelingSession, labelsPayload, type Step } from '../src/labeling_session';
import { SaveQueue } from '../src/save_queue';
import { BitmapLedger, FakeBitmap, FakeServer, ManualTimers, MemoryStorage, settle } from './fakes';

const LEASE_MS = 300_000;
const box = { category_id: 1, x: 1, y: 2, w: 3, h: 4 };
// One box the labeler drew, and how a save sends it.
const drawn: LabelState = {
  boxes: [{ key: 1, ...box, source: 'human', score: null, origin: 'drawn' }],
  proposals: [],
  rejected: [],
};
const sentBox = { ...box, source: 'human', origin: 'drawn' };
const NOTHING: LabelState = { boxes: [], proposals: [], rejected: [] };
const noEdits = { labels: NOTHING, comment: '' };

let server: FakeServer;
let ledger: BitmapLedger;
let queue: SaveQueue;
let clock: number;
let login: ReturnType<typeof vi.fn<(reason: string) => Promise<void>>>;
let waits: number[];
let offline: number;
let effort: EffortMeter;
let session: LabelingSession<FakeBitmap>;

beforeEach(() => {
  server = new FakeServer(6);
  ledger = new BitmapLedger();
  const quiet = {
    onCountChange: () => undefined,
    onConflict: () => undefined,
    onRejected: () => undefined,
    onUnauthorized: () => undefined,
    onStorageFailed: () => undefined,
  };
  queue = new SaveQueue(server, quiet, new MemoryStorage(), new ManualTimers());
  queue.setUser('alice');
  clock = 1_000_000;
  waits = [];
  offline = 0;
  effort = new EffortMeter(() => clock);
  login = vi.fn(() => {
    server.loggedOut = false;
    return Promise.resolve();
  });
  session = new LabelingSession<FakeBitmap>({
    next: (exclude) => server.next(exclude),
    previous: (before) => server.previous(before),
    decode: (id) => ledger.decode(id),
    saves: queue,
    login,
    waitForNetwork: (delayMs) => {
      waits.push(delayMs);
      if (waits.length >= 2) server.offline = false;
      return Promise.resolve();
    },
    onOffline: () => offline++,
    now: () => clock,
    leaseMs: () => LEASE_MS,
    effort,
  });
});

function shownId(step: Step<FakeBitmap> | null): number | null {
  return step?.kind === 'show' ? step.image.data.image.id : null;
}

// Every decoded bitmap is held by the image shown, a stashed one or the prefetch, or released.
async function expectNoLeak(): Promise<void> {
  await settle();
  const held = [
    session.current?.data.image.id,
    ...session.stashedIds,
    session.prefetchedId,
  ].filter((id): id is number => typeof id === 'number');
  expect(ledger.live()).toEqual(held.sort((a, b) => a - b));
  expect(ledger.releasedTwice()).toEqual([]);
}

async function saveAndNext(): Promise<number | null> {
  const result = await session.save('labels', drawn, '');
  if (result.kind !== 'moved') throw new Error(`expected to move on, got ${result.kind}`);
  return shownId(result.step);
}

describe('LabelingSession navigation', () => {
  it('shows the first image, fetches the next ahead and shows it on save', async () => {
    expect(shownId(await session.advance())).toBe(1);
    await settle();
    expect(session.prefetchedId).toBe(2);
    // The prefetch asked past the image shown.
    expect(server.routes('next')[1]?.exclude).toEqual([1]);
    const nextCalls = server.routes('next').length;
    expect(await saveAndNext()).toBe(2);
    expect(server.routes('next')).toHaveLength(nextCalls + 1); // only the new prefetch
    await expectNoLeak();
  });

  it('does not ask for images waiting to be saved', async () => {
    await session.advance();
    server.offline = true;
    const result = await session.save('labels', drawn, '');
    // Offline: the prefetched image is shown at once and the save waits.
    expect(result.kind).toBe('moved');
    if (result.kind === 'moved') expect(result.queued).toBe(true);
    expect(shownId(result.kind === 'moved' ? result.step : null)).toBe(2);
    server.offline = false;
    await settle();
    // 2 is shown; its prefetch asked past it and past the unsent save of 1.
    expect(session.current?.data.image.id).toBe(2);
    expect(server.routes('next').at(-1)?.exclude).toEqual(expect.arrayContaining([1, 2]));
  });

  it('going back stashes the edits, keeps the prefetch, and releases nothing twice', async () => {
    await session.advance(); // 1
    await saveAndNext(); // 2
    await settle();
    expect(session.prefetchedId).toBe(3);
    const edits = { labels: NOTHING, comment: 'half done' };
    const back = await session.back(edits);
    expect(shownId(back)).toBe(1);
    expect(session.stashedIds).toEqual([2]);
    expect(session.prefetchedId).toBe(3); // still owned, not leaked nor dropped
    await expectNoLeak();

    // Saving the earlier image returns to the stashed one with its edits…
    const result = await session.save('labels', drawn, '');
    expect(result.kind).toBe('moved');
    if (result.kind !== 'moved' || result.step.kind !== 'show') throw new Error('expected an image');
    expect(result.step.image.data.image.id).toBe(2);
    expect(result.step.edits?.comment).toBe('half done');
    await expectNoLeak();
    // …and the one after it is the prefetch made before going back.
    const nextCalls = server.routes('next').length;
    expect(await saveAndNext()).toBe(3);
    expect(server.routes('next')).toHaveLength(nextCalls + 1);
    await expectNoLeak();
  });

  it('going back twice and forward again leaks no decoded image', async () => {
    await session.advance();
    await saveAndNext(); // 2 shown, 1 saved
    await saveAndNext(); // 3 shown, 2 saved
    const none = noEdits;
    expect(shownId(await session.back(none))).toBe(2);
    expect(shownId(await session.back(none))).toBe(1);
    expect(session.stashedIds).toEqual([3, 2]);
    await expectNoLeak();
    expect(await saveAndNext()).toBe(2);
    expect(await saveAndNext()).toBe(3);
    expect(await saveAndNext()).toBe(4);
    await expectNoLeak();
  });

  it('says when there is no earlier image', async () => {
    await session.advance();
    expect(await session.back(noEdits)).toBeNull();
    expect(session.current?.data.image.id).toBe(1);
  });

  it('a new queue drops the prefetched image, holds it back for its lease, and fetches anew', async () => {
    await session.advance(); // 1, prefetch 2
    await settle();
    server.order = [1, 5, 2, 3, 4, 6];
    await session.replaceQueue();
    await settle();
    expect(session.heldBackIds).toEqual([2]);
    expect(session.prefetchedId).toBe(5);
    expect(server.routes('next').at(-1)?.exclude).toEqual([1, 2]);
    expect(session.current?.data.image.id).toBe(1); // the image being edited stays
    await expectNoLeak();
    expect(await saveAndNext()).toBe(5);

    // Once the lease ran out the held-back image may come again.
    clock += LEASE_MS + 1;
    expect(await saveAndNext()).toBe(3); // prefetched while 2 was still held back
    await settle();
    expect(session.prefetchedId).toBe(2);
    expect(session.heldBackIds).toEqual([]);
  });

  it('a new queue does not drop an image advance is already waiting for', async () => {
    const [first, prefetch] = server.holdNext(2);
    first!.resolve();
    await session.advance(); // 1 shown; the prefetch of 2 waits
    const moved = saveAndNext(); // takes the prefetch and waits for it
    await settle();
    await session.replaceQueue();
    prefetch!.resolve();
    expect(await moved).toBe(2);
    await settle();
    expect(session.heldBackIds).toEqual([]);
    expect(session.prefetchedId).toBe(3);
    await expectNoLeak();
  });

  it('a prefetch still in flight when the queue changes is released when it lands', async () => {
    const [first, prefetch] = server.holdNext(2);
    first!.resolve();
    await session.advance();
    const replaced = session.replaceQueue();
    prefetch!.resolve();
    await replaced;
    await settle();
    expect(session.heldBackIds).toEqual([2]);
    expect(session.prefetchedId).toBe(3);
    await expectNoLeak();
  });

  it('ends with nothing shown and nothing held when the queue is empty', async () => {
    for (const s of server.images.values()) s.data.image.status = 'labeled';
    server.images.get(6)!.data.image.status = 'unlabeled';
    expect(shownId(await session.advance())).toBe(6);
    const result = await session.save('labels', drawn, '');
    expect(result.kind === 'moved' && result.step.kind).toBe('done');
    expect(session.current).toBeNull();
    await expectNoLeak();
    expect(ledger.live()).toEqual([]);
  });

  it('waits for the network when the next image cannot be fetched', async () => {
    await session.advance();
    await settle();
    // The prefetch failed while offline.
    server.offline = true;
    await session.replaceQueue();
    await settle();
    const step = await saveAndNext();
    expect(offline).toBe(1);
    expect(waits).toEqual([1000, 2000]);
    expect(step).not.toBeNull();
    await expectNoLeak();
  });

  it('dispose releases every image it holds', async () => {
    await session.advance();
    await saveAndNext();
    await session.back(noEdits);
    await settle();
    session.dispose();
    await settle();
    expect(ledger.live()).toEqual([]);
    expect(ledger.releasedTwice()).toEqual([]);
  });
});

describe('LabelingSession saving', () => {
  it('saves the version of the image shown, and a skip without boxes', async () => {
    await session.advance();
    await session.save('labels', drawn, 'ok');
    expect(server.routes('save')[0]?.payload).toEqual({
      version: 0,
      boxes: [sentBox],
      comment: 'ok',
      effort: { active_seconds: 0, rejected: 0 },
    });
    await session.save('skip', drawn, 'blurry');
    expect(server.routes('skip')[0]).toMatchObject({ id: 2, payload: { version: 0, comment: 'blurry' } });
  });

  it('a conflict stays on the image; taking theirs moves it to their version', async () => {
    await session.advance();
    server.saveBehindTheBack(1, 4);
    const result = await session.save('labels', drawn, '');
    expect(result.kind).toBe('conflict');
    if (result.kind !== 'conflict') return;
    expect(session.current?.data.image.id).toBe(1);
    expect(session.takeTheirs(result.id, result.current)).toBe(true);
    expect(session.current?.data.image.version).toBe(1);
    expect(session.current?.data.annotations.map((a) => a.category_id)).toEqual([4]);
    await settle();
    expect(queue.size).toBe(0);
    // The next save names their version, so it is not refused again.
    expect(await saveAndNext()).toBe(2);
    expect(server.routes('save').at(-1)?.payload?.version).toBe(1);
  });

  it('keeping mine after a conflict saves on top of theirs and moves on, once', async () => {
    await session.advance();
    server.saveBehindTheBack(1, 4);
    const result = await session.save('labels', drawn, '');
    if (result.kind !== 'conflict') throw new Error('expected a conflict');
    const mine = await session.keepMine(result.id);
    expect(mine.kind).toBe('moved');
    expect(server.images.get(1)!.data.image.version).toBe(2);
    expect(server.routes('save')).toHaveLength(2);
    expect(await session.keepMine(result.id)).toEqual({ kind: 'none' });
  });

  it('a lost session asks for a login and sends the same save after it, once', async () => {
    await session.advance();
    server.loggedOut = true;
    const result = await session.save('labels', drawn, '');
    expect(login).toHaveBeenCalledTimes(1);
    expect(login.mock.calls[0]?.[0]).toMatch(/unsaved boxes are kept/);
    expect(result.kind).toBe('moved');
    const saves = server.routes('save').filter((c) => c.id === 1);
    expect(saves).toHaveLength(2); // refused, then sent after the login
    expect(server.images.get(1)!.data.image.version).toBe(1);
  });

  it('a prefetch refused for a lost session: the next image is asked again after a login', async () => {
    await session.advance();
    await settle();
    server.refuseNext = 2; // the new prefetch, then the first retry
    server.order = [1, 4, 2, 3, 5, 6];
    await session.replaceQueue();
    await settle();
    expect(await saveAndNext()).toBe(4);
    expect(login).toHaveBeenCalledTimes(1);
    await expectNoLeak();
  });

  it('going back with a lost session asks for a login, then goes back', async () => {
    await session.advance();
    await saveAndNext();
    server.loggedOut = true;
    expect(shownId(await session.back(noEdits))).toBe(1);
    expect(login).toHaveBeenCalledWith('Your session ended. Log in again.');
  });

  it('a refused save stays on the image', async () => {
    await session.advance();
    const refusing = new LabelingSession<FakeBitmap>({
      next: (exclude) => server.next(exclude),
      previous: (before) => server.previous(before),
      decode: (id) => ledger.decode(id),
      saves: {
        pending: [],
        submit: () =>
          Promise.resolve({ kind: 'rejected', error: new ApiError(422, 'bad_box', 'no', {}) }),
        resumeFor: () => Promise.reject(new Error('unused')),
        resume: () => Promise.resolve(),
        resolveConflict: () => Promise.resolve(null),
      },
      login,
      waitForNetwork: () => Promise.resolve(),
      onOffline: () => undefined,
      now: () => clock,
      leaseMs: () => LEASE_MS,
      effort,
    });
    await refusing.advance();
    const shown = refusing.current?.data.image.id;
    expect((await refusing.save('labels', drawn, '')).kind).toBe('rejected');
    expect(refusing.current?.data.image.id).toBe(shown);
  });

  it('with nothing shown there is nothing to save', async () => {
    expect(await session.save('labels', drawn, '')).toEqual({ kind: 'none' });
    expect(server.routes('save')).toEqual([]);
  });
});

describe('LabelingSession proposals and effort', () => {
  const PROPOSALS = [
    { category_id: 1, x: 10, y: 10, w: 20, h: 20, score: 0.9 },
    { category_id: 2, x: 40, y: 10, w: 20, h: 20, score: 0.8 },
    { category_id: 3, x: 70, y: 10, w: 20, h: 20, score: 0.7 },
    { category_id: 4, x: 10, y: 40, w: 20, h: 20, score: 0.6 },
  ];

  // The labeler works for `seconds`, with an input every 10 s (never idle).
  function work(seconds: number): void {
    for (let left = seconds; left > 0; left -= 10) {
      clock += Math.min(10, left) * 1000;
      effort.input();
    }
  }

  function shownModel(step: Step<FakeBitmap> | null): BoxModel {
    if (step?.kind !== 'show') throw new Error('expected an image');
    const model = new BoxModel(() => undefined);
    model.reset(labelsFromImage(step.image.data));
    if (step.edits) model.restore(step.edits.labels);
    return model;
  }

  it('the next image comes with its proposals, apart from its boxes', async () => {
    server.propose(1, PROPOSALS, 3);
    const step = await session.advance();
    if (step.kind !== 'show') throw new Error('expected an image');
    expect(step.image.data.proposals).toEqual(PROPOSALS);
    expect(step.image.data.proposal_model_id).toBe(3);
    const model = shownModel(step);
    expect(model.boxes).toEqual([]);
    expect(model.proposals).toHaveLength(4);
  });

  it('a save sends each box’s origin, the seconds spent and the proposals rejected; pending ones are dropped', async () => {
    server.propose(1, PROPOSALS);
    const model = shownModel(await session.advance());
    const [a, b, c] = model.proposals.map((p) => p.key) as [number, number, number];
    work(12);
    model.reject(a);
    model.update(b, { x: 45 }); // adjusted
    model.accept(c);
    model.add({ category_id: 5, x: 60, y: 50, w: 10, h: 10, source: 'human', score: null });
    work(8);
    // The fourth proposal is left pending.
    const result = await session.save('labels', model.state, '');
    expect(result.kind).toBe('moved');
    const sent = server.routes('save')[0]?.payload;
    expect(sent?.boxes).toEqual([
      { category_id: 2, x: 45, y: 10, w: 20, h: 20, source: 'human', origin: 'adjusted' },
      { category_id: 3, x: 70, y: 10, w: 20, h: 20, source: 'model', score: 0.7, origin: 'accepted' },
      { category_id: 5, x: 60, y: 50, w: 10, h: 10, source: 'human', origin: 'drawn' },
    ]);
    expect(sent?.effort).toEqual({ active_seconds: 20, rejected: 1 });
    // The server holds exactly those boxes with their origins, and no proposals any more.
    const stored = server.images.get(1)!.data;
    expect(stored.annotations.map((x) => x.origin)).toEqual(['adjusted', 'accepted', 'drawn']);
    expect(stored.proposals).toEqual([]);
  });

  it('a skip sends its seconds and rejections, and no boxes', async () => {
    server.propose(1, PROPOSALS);
    const model = shownModel(await session.advance());
    model.reject(model.proposals[0]!.key);
    model.acceptAll();
    work(15);
    await session.save('skip', model.state, 'blurry');
    expect(server.routes('skip')[0]?.payload).toEqual({
      version: 0,
      boxes: [],
      comment: 'blurry',
      effort: { active_seconds: 15, rejected: 1 },
    });
    expect(effort.secondsOn(1)).toBe(0);
  });

  it('going back and returning keeps adding to the image left; a re-save sends only the new time', async () => {
    server.propose(2, PROPOSALS);
    await session.advance(); // 1
    work(10);
    const saved = await session.save('labels', drawn, '');
    const onTwo = shownModel(saved.kind === 'moved' ? saved.step : null);
    expect(server.routes('save')[0]?.payload?.effort?.active_seconds).toBe(10);
    work(5);
    onTwo.reject(onTwo.proposals[0]!.key);
    onTwo.acceptAll();
    const left = onTwo.state;
    // Back to 1: time counts on 1 now, and 2 waits with its edits.
    expect(shownId(await session.back({ labels: left, comment: 'later' }))).toBe(1);
    work(20);
    expect(effort.secondsOn(2)).toBe(5);
    const result = await session.save('labels', drawn, '');
    expect(server.routes('save')[1]?.payload?.effort?.active_seconds).toBe(20); // the revisit only
    if (result.kind !== 'moved' || result.step.kind !== 'show') throw new Error('expected image 2');
    // Image 2 comes back exactly as it was left: one rejected, three accepted.
    expect(result.step.edits?.labels).toBe(left);
    const back = shownModel(result.step);
    expect(back.rejectedCount).toBe(1);
    expect(back.boxes.map((x) => x.origin)).toEqual(['accepted', 'accepted', 'accepted']);
    work(5);
    await session.save('labels', back.state, '');
    expect(server.routes('save')[2]).toMatchObject({
      id: 2,
      payload: { effort: { active_seconds: 10, rejected: 1 } },
    });
  });

  it('a refused save gives its seconds back for the next try', async () => {
    const refusals: number[] = [];
    const refusing = new LabelingSession<FakeBitmap>({
      next: (exclude) => server.next(exclude),
      previous: (before) => server.previous(before),
      decode: (id) => ledger.decode(id),
      saves: {
        pending: [],
        submit: (entry) => {
          refusals.push(entry.payload.effort?.active_seconds ?? -1);
          return Promise.resolve({ kind: 'rejected', error: new ApiError(400, 'bad_box', 'no', {}) });
        },
        resumeFor: () => Promise.reject(new Error('unused')),
        resume: () => Promise.resolve(),
        resolveConflict: () => Promise.resolve(null),
      },
      login,
      waitForNetwork: () => Promise.resolve(),
      onOffline: () => undefined,
      now: () => clock,
      leaseMs: () => LEASE_MS,
      effort,
    });
    await refusing.advance();
    work(30);
    await refusing.save('labels', drawn, '');
    work(10);
    await refusing.save('labels', drawn, '');
    expect(refusals).toEqual([30, 40]);
  });

  it('taking theirs after a conflict keeps the seconds for the next save; keeping mine sends them once', async () => {
    await session.advance();
    work(25);
    server.saveBehindTheBack(1, 4);
    const first = await session.save('labels', drawn, '');
    if (first.kind !== 'conflict') throw new Error('expected a conflict');
    session.takeTheirs(first.id, first.current);
    work(5);
    await session.save('labels', drawn, '');
    expect(server.routes('save').map((c) => c.payload?.effort?.active_seconds)).toEqual([25, 30]);

    work(7); // on image 2
    server.saveBehindTheBack(2, 4);
    const second = await session.save('labels', drawn, '');
    if (second.kind !== 'conflict') throw new Error('expected a conflict');
    expect((await session.keepMine(second.id)).kind).toBe('moved');
    expect(server.routes('save').slice(2).map((c) => c.payload?.effort?.active_seconds)).toEqual([7, 7]);
    expect(effort.secondsOn(2)).toBe(0);
  });

  it('no image shown, no time counted', async () => {
    for (const s of server.images.values()) s.data.image.status = 'labeled';
    expect((await session.advance()).kind).toBe('done');
    work(60);
    expect(effort.counting).toBe(false);
  });
});

describe('labelsPayload', () => {
  it('boxes with origins; effort in tenths of a second, within what the server takes', () => {
    const state: LabelState = {
      boxes: [
        { key: 1, ...box, source: 'model', score: 0.8, origin: 'accepted' },
        { key: 2, ...box, source: 'human', score: null, origin: 'adjusted' },
      ],
      proposals: [{ key: 3, ...box, score: 0.3 }],
      rejected: [
        { key: 4, ...box, score: 0.2 },
        { key: 5, ...box, score: 0.1 },
      ],
    };
    expect(labelsPayload(4, state, 'c', 12.345)).toEqual({
      version: 4,
      boxes: [
        { ...box, source: 'model', score: 0.8, origin: 'accepted' },
        { ...box, source: 'human', origin: 'adjusted' },
      ],
      comment: 'c',
      effort: { active_seconds: 12.3, rejected: 2 },
    });
    expect(labelsPayload(0, NOTHING, '', 200_000).effort?.active_seconds).toBe(86_400);
    expect(labelsPayload(0, NOTHING, '', -1).effort?.active_seconds).toBe(0);
  });
});
