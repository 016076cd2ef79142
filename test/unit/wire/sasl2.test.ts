import { describe, expect, it } from 'vitest';
import { readSasl2Offer } from '../../../src/wire/sasl2.js';
import { parseXml } from '../../support/xml.js';

describe('readSasl2Offer', () => {
  it('reads mechanisms, Bind2 and the FAST mechanisms (XEP-0484 §3.1 example)', () => {
    const features = parseXml(`<stream:features xmlns:stream='http://etherx.jabber.org/streams'>
      <authentication xmlns='urn:xmpp:sasl:2'>
        <mechanism>SCRAM-SHA-1</mechanism>
        <mechanism>SCRAM-SHA-1-PLUS</mechanism>
        <inline>
          <bind xmlns='urn:xmpp:bind:0'><inline><feature var='urn:xmpp:carbons:2'/></inline></bind>
          <fast xmlns='urn:xmpp:fast:0' tls-0rtt='true'>
            <mechanism>HT-SHA-256-ENDP</mechanism>
            <mechanism>HT-SHA-256-NONE</mechanism>
          </fast>
        </inline>
      </authentication>
    </stream:features>`);
    expect(readSasl2Offer(features)).toEqual({
      mechanisms: ['SCRAM-SHA-1', 'SCRAM-SHA-1-PLUS'],
      bind2: true,
      fastMechanisms: ['HT-SHA-256-ENDP', 'HT-SHA-256-NONE'],
    });
  });

  it('is absent without the SASL2 feature, and bare without inline features', () => {
    const legacy = parseXml(
      `<features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></features>`,
    );
    expect(readSasl2Offer(legacy)).toBeUndefined();
    const bare = parseXml(
      `<features><authentication xmlns='urn:xmpp:sasl:2'><mechanism>PLAIN</mechanism><mechanism/></authentication></features>`,
    );
    expect(readSasl2Offer(bare)).toEqual({ mechanisms: ['PLAIN'], bind2: false, fastMechanisms: [] });
  });
});
