import { xml, type Element } from '@xmpp/xml';
import { describe, expect, it } from 'vitest';
import { observeSmElement } from '../../../src/stream-management/sm-observer.js';
import { NS_SM, StreamManagementState } from '../../../src/stream-management/sm-state.js';

function enabledState(): StreamManagementState {
  const sm = new StreamManagementState();
  sm.startEnable();
  sm.onEnabled({ id: 'sm-1', location: undefined, resumable: true });
  return sm;
}

function observe(sm: StreamManagementState, el: Element) {
  const written: string[] = [];
  const violations: string[] = [];
  const acked: number[] = [];
  observeSmElement(sm, el, {
    acknowledge: () => written.push(`<a xmlns="${NS_SM}" h="${sm.inbound}"/>`),
    acknowledged: (n) => acked.push(n),
    violation: (m) => violations.push(m),
  });
  return { written, violations, acked };
}

describe('XEP-0198 bookkeeping', () => {
  it('counts every inbound stanza, IQ replies included, and answers <r/> with that h', () => {
    const sm = enabledState();
    for (let i = 0; i < 7; i++) observe(sm, xml('iq', { type: 'result', id: `q${i}` }));
    observe(sm, xml('message', {}));
    observe(sm, xml('presence', {}));
    const { written } = observe(sm, xml('r', { xmlns: NS_SM }));
    expect(written).toEqual([`<a xmlns="${NS_SM}" h="9"/>`]);
  });

  it('does not count nonzas', () => {
    const sm = enabledState();
    observe(sm, xml('r', { xmlns: NS_SM }));
    observe(sm, xml('features', { xmlns: 'http://etherx.jabber.org/streams' }));
    expect(sm.inbound).toBe(0);
  });

  it('drops acknowledged stanzas from the queue and keeps the rest for resending', () => {
    const sm = enabledState();
    ['<message id="1"/>', '<message id="2"/>', '<message id="3"/>'].forEach((s) => sm.recordOutbound(s));
    const { acked } = observe(sm, xml('a', { xmlns: NS_SM, h: '2' }));
    expect(acked).toEqual([2]);
    sm.onDisconnect();
    const resumed = sm.onResumed(2);
    expect(resumed).toEqual({ ok: true, acked: ['<message id="3"/>'] });
  });

  it('tells who listens which stanzas the server confirmed: by live acks, and by the h of a resume', () => {
    const confirmed: string[][] = [];
    const sm = new StreamManagementState((stanzas) => confirmed.push([...stanzas]));
    sm.startEnable();
    sm.onEnabled({ id: 'sm-1', location: undefined, resumable: true });
    ['m1', 'm2', 'm3', 'm4'].forEach((s) => sm.recordOutbound(s));
    observe(sm, xml('a', { xmlns: NS_SM, h: '1' }));
    // An ack that adds nothing says nothing.
    observe(sm, xml('a', { xmlns: NS_SM, h: '1' }));
    sm.onDisconnect();
    expect(sm.onResumed(3)).toEqual({ ok: true, acked: ['m4'] });
    expect(confirmed).toEqual([['m1'], ['m2', 'm3']]);
    // A violation confirms nothing.
    sm.recordOutbound('m5');
    observe(sm, xml('a', { xmlns: NS_SM, h: '9' }));
    expect(confirmed).toHaveLength(2);
    expect(sm.outstanding).toEqual(['m5']);
  });

  it('treats an ack of more stanzas than were sent as a protocol violation', () => {
    const sm = enabledState();
    sm.recordOutbound('<message/>');
    const { violations } = observe(sm, xml('a', { xmlns: NS_SM, h: '5' }));
    expect(violations[0]).toMatch(/only 1 are outstanding/);
    expect(observe(sm, xml('a', { xmlns: NS_SM, h: 'lots' })).violations[0]).toMatch(/valid h/);
  });

  it('wraps h at 2^32', () => {
    const sm = enabledState();
    sm.inbound = 2 ** 32 - 1;
    observe(sm, xml('message', {}));
    expect(sm.inbound).toBe(0);
  });

  it('hands back what a failed resumption never acknowledged, honouring the h in <failed/>', () => {
    const sm = enabledState();
    ['a', 'b', 'c'].forEach((s) => sm.recordOutbound(s));
    expect(sm.onResumeFailed(1)).toEqual(['b', 'c']);
    expect(sm.session).toBeUndefined();
    expect(sm.inbound).toBe(0);
  });
});
