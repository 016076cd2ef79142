/**
 * Testing helpers for apps built on xmpp-adapter, imported from `xmpp-adapter/testing`: a scripted
 * fake server in place of the socket and a client wired to it on a simulated clock. They depend
 * on nothing but the library itself and XState, so any test runner works.
 *
 * @packageDocumentation
 */
export { createFakeServer, flushMicrotasks, type FakeServer, type StanzaMatcher } from './fake-server.js';
export { createTestClient, type TestClient, type TestClientOptions } from './test-client.js';
export { parseXml } from './xml.js';
