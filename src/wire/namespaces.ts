export const NS_STREAMS = 'http://etherx.jabber.org/streams';
export const NS_STREAM_ERRORS = 'urn:ietf:params:xml:ns:xmpp-streams';
export const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl';
export const NS_BIND = 'urn:ietf:params:xml:ns:xmpp-bind';
export const NS_TLS = 'urn:ietf:params:xml:ns:xmpp-tls';
export const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
export const NS_CLIENT = 'jabber:client';
