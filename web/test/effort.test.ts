import { describe, expect, it } from 'vitest';
import { EffortMeter, IDLE_CUT_MS, saveSeconds } from '../src/effort';

// A meter on a hand-driven clock (ms), with image 1 shown at t = 0.
function meter() {
  const clock = { t: 0 };
  const m = new EffortMeter(() => clock.t);
  m.show(1);
  const at = (seconds: number) => (clock.t = seconds * 1000);
  return { m, at };
}

describe('EffortMeter', () => {
  it('counts the time an image is shown while the labeler works on it', () => {
    const { m, at } = meter();
    at(5);
    m.input();
    at(12);
    m.input();
    expect(m.secondsOn(1)).toBe(12);
    at(20); // 8 s without input yet: still looking, still counted
    expect(m.secondsOn(1)).toBe(20);
  });

  it('an idle gap counts for at most 30 s; input starts the count again', () => {
    const { m, at } = meter();
    at(10);
    m.input();
    at(100); // 90 s without input: 30 of them count
    expect(m.secondsOn(1)).toBe(10 + 30);
    m.input();
    at(105);
    expect(m.secondsOn(1)).toBe(10 + 30 + 5);
    expect(IDLE_CUT_MS).toBe(30_000);
  });

  it('reading the count in the middle of an idle gap does not extend the allowance', () => {
    const { m, at } = meter();
    at(20);
    expect(m.secondsOn(1)).toBe(20);
    at(25);
    expect(m.secondsOn(1)).toBe(25);
    at(200);
    expect(m.secondsOn(1)).toBe(30);
  });

  it('a hidden page counts nothing; showing it again is activity', () => {
    const { m, at } = meter();
    at(10);
    m.setVisible(false);
    at(500);
    m.input(); // an event while hidden (a late key-up) changes nothing
    at(600);
    expect(m.secondsOn(1)).toBe(10);
    expect(m.counting).toBe(false);
    m.setVisible(true);
    at(620); // no input since coming back, within the allowance
    expect(m.secondsOn(1)).toBe(30);
  });

  it('an unfocused window counts nothing', () => {
    const { m, at } = meter();
    at(4);
    m.setFocused(false);
    at(40);
    expect(m.secondsOn(1)).toBe(4);
    m.setFocused(true);
    at(46);
    m.input();
    expect(m.secondsOn(1)).toBe(10);
  });

  it('time goes to the image shown; going back and returning adds to the same image', () => {
    const { m, at } = meter();
    at(10);
    m.show(2);
    at(25);
    m.show(1); // back
    at(27);
    m.show(2); // forward again
    at(30);
    expect(m.secondsOn(1)).toBe(12);
    expect(m.secondsOn(2)).toBe(18);
  });

  it('nothing shown, nothing counted', () => {
    const { m, at } = meter();
    at(5);
    m.show(null);
    at(25);
    m.input();
    expect(m.secondsOn(1)).toBe(5);
    expect(m.counting).toBe(false);
    expect(m.imageId).toBeNull();
  });

  it('take empties an image’s count for the next save; credit puts seconds back', () => {
    const { m, at } = meter();
    at(8);
    expect(m.take(1)).toBe(8);
    expect(m.secondsOn(1)).toBe(0);
    at(10);
    expect(m.take(1)).toBe(2);
    m.credit(1, 2);
    m.credit(1, -3); // nonsense is ignored
    at(11);
    expect(m.secondsOn(1)).toBe(3);
  });

  it('a clock that steps back books nothing negative', () => {
    const { m, at } = meter();
    at(10);
    m.input();
    at(4);
    m.input();
    expect(m.secondsOn(1)).toBe(10);
  });
});

describe('saveSeconds', () => {
  it('tenths of a second, 0 for nonsense, at most a day', () => {
    expect(saveSeconds(12.34)).toBe(12.3);
    expect(saveSeconds(0.04)).toBe(0);
    expect(saveSeconds(-5)).toBe(0);
    expect(saveSeconds(Number.NaN)).toBe(0);
    expect(saveSeconds(10 ** 9)).toBe(86_400);
  });
});
