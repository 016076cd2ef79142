import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { NS_CSI, connectCsi, createCsiLogic } from '../../../src/xeps/csi/index.js';
import { fakeServices, featureInput } from './harness.js';

function harness() {
  const fake = fakeServices();
  const actor = createActor(createCsiLogic(fake.services), { input: featureInput() });
  actor.start();
  const told = () => fake.take().map((el) => `${el.name}:${el.attrs.xmlns}`);
  const online = (resumed = false, offered = true) =>
    actor.send({ type: 'session.online', jid: 'juliet@capulet.lit/balcony', resumed, streamFeatures: offered ? [NS_CSI] : [] });
  return { actor, told, online };
}

describe('client state indication (XEP-0352)', () => {
  it('tells the stream only about changes, and nothing while the stream begins active and the user is there', () => {
    const h = harness();
    h.online();
    expect(h.told()).toEqual([]);
    h.actor.send({ type: 'csi.set', active: false });
    expect(h.told()).toEqual([`inactive:${NS_CSI}`]);
    h.actor.send({ type: 'csi.set', active: false });
    expect(h.told()).toEqual([]);
    h.actor.send({ type: 'csi.set', active: true });
    expect(h.told()).toEqual([`active:${NS_CSI}`]);
    expect(connectCsi(h.actor.getSnapshot())).toEqual({ active: true, supported: true });
  });

  it('remembers the state while offline and tells each new stream (which begins active), resumed or not', () => {
    const h = harness();
    h.actor.send({ type: 'csi.set', active: false });
    expect(h.told()).toEqual([]);
    h.online();
    expect(h.told()).toEqual([`inactive:${NS_CSI}`]);
    h.actor.send({ type: 'session.offline' });
    h.online(true);
    expect(h.told()).toEqual([`inactive:${NS_CSI}`]);
    h.actor.send({ type: 'session.offline' });
    h.actor.send({ type: 'csi.set', active: true });
    // Resumed: the server still holds the inactive state of the session, so the change is told.
    h.online(true);
    expect(h.told()).toEqual([`active:${NS_CSI}`]);
  });

  it('sends nothing to a server that does not offer it, and ignores a malformed intent', () => {
    const h = harness();
    h.online(false, false);
    h.actor.send({ type: 'csi.set', active: false });
    expect(h.told()).toEqual([]);
    expect(connectCsi(h.actor.getSnapshot())).toEqual({ active: false, supported: false });
    h.actor.send({ type: 'csi.set', active: 'no' as unknown as boolean });
    expect(h.actor.getSnapshot().context.active).toBe(false);
  });
});
