import { describe, expect, it } from 'vitest';
import { REL_WEBSOCKET, discoverService, parseHostMeta } from '../../../src/wire/host-meta.js';

// XEP-0156 §3.3, Examples 2 and 3.
const XRD = `<?xml version='1.0' encoding='utf-8'?>
<XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'>
  <Link rel="urn:xmpp:alt-connections:xbosh" href="https://web.example.com:5280/bosh" />
  <Link rel="urn:xmpp:alt-connections:websocket" href="wss://web.example.com:443/ws" />
</XRD>`;
const JSON_FORM = JSON.stringify({
  links: [
    { rel: 'urn:xmpp:alt-connections:xbosh', href: 'https://web.example.com:5280/bosh' },
    { rel: REL_WEBSOCKET, href: 'wss://web.example.com:443/ws' },
  ],
});

/** A fetch that answers host-meta requests with `body` and records the URLs asked for. */
function serving(body: string, status = 200) {
  const asked: string[] = [];
  const fetch = (async (url: URL | string) => {
    asked.push(String(url));
    return new Response(body, { status });
  }) as typeof globalThis.fetch;
  return { fetch, asked };
}

describe('endpoint discovery by host-meta (XEP-0156)', () => {
  it('reads the WebSocket links of the XML and the JSON forms (the XEP examples)', () => {
    expect(parseHostMeta(XRD)).toEqual(['wss://web.example.com:443/ws']);
    expect(parseHostMeta(JSON_FORM)).toEqual(['wss://web.example.com:443/ws']);
  });

  it('finds nothing in broken, hostile or foreign documents', () => {
    expect(parseHostMeta('<XRD')).toEqual([]);
    expect(parseHostMeta('{"links": 3}')).toEqual([]);
    expect(parseHostMeta(`<!DOCTYPE x [<!ENTITY a "b">]>${XRD.replace(/^<\?xml[^>]*\?>/, '')}`)).toEqual([]);
    // A Link outside the XRD namespace is not one.
    expect(parseHostMeta(`<XRD><Link rel='${REL_WEBSOCKET}' href='wss://evil.example/ws'/></XRD>`)).toEqual([]);
  });

  it('asks https://<domain>/.well-known/host-meta and returns the wss endpoint', async () => {
    const { fetch, asked } = serving(XRD);
    await expect(discoverService('Example.COM', { fetch })).resolves.toBe('wss://web.example.com/ws');
    expect(asked).toEqual(['https://example.com/.well-known/host-meta']);
  });

  it('refuses ws: endpoints and plain-http documents off loopback, and says when nothing is usable', async () => {
    const insecure = serving(XRD.replace('wss://web.example.com:443/ws', 'ws://web.example.com/ws'));
    await expect(discoverService('example.com', { fetch: insecure.fetch })).rejects.toMatchObject({ code: 'feature-failed' });
    await expect(discoverService('example.com', { fetch: insecure.fetch, allowInsecure: true })).resolves.toBe('ws://web.example.com/ws');
    await expect(discoverService('example.com', { origin: 'http://example.com', fetch: serving(XRD).fetch })).rejects.toMatchObject({
      code: 'invalid-argument',
    });
    const script = serving(XRD.replace('wss://web.example.com:443/ws', 'javascript:alert(1)'));
    await expect(discoverService('example.com', { fetch: script.fetch })).rejects.toMatchObject({ code: 'feature-failed' });
    await expect(discoverService('example.com', { fetch: serving('', 404).fetch })).rejects.toMatchObject({ code: 'feature-failed' });
    await expect(discoverService('not a domain', { fetch: serving(XRD).fetch })).rejects.toMatchObject({ code: 'invalid-argument' });
  });
});
