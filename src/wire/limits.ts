/**
 * Bounds on what one inbound stream may make the client hold, and the checks XML streams need
 * beyond what xmpp.js's parser (ltx) does. Pure and platform-free (browser build included).
 */

/**
 * The largest stanza accepted: 1 MiB. Prosody's default c2s limit (`c2s_stanza_size_limit`) is
 * 256 KiB and ejabberd's `max_stanza_size` 256 KiB too (c2s); a client receives what the server
 * accepted from others plus what the server itself builds around it (a MAM result or a carbon wraps
 * a forwarded stanza, a PEP item carries a whole bookmark list or an avatar chunk), so it allows
 * headroom over those limits while still bounding what a hostile or broken peer can make it buffer.
 */
export const DEFAULT_MAX_STANZA_BYTES = 1024 * 1024;

/**
 * The deepest element nesting accepted, counting the stream root. Real stanzas nest about ten
 * levels (a MAM result: stream, message, result, forwarded, message, body); ltx builds a tree of
 * any depth, and walking or serialising 100,000 levels overflows the call stack.
 */
export const DEFAULT_MAX_DEPTH = 128;

/** What an inbound stream may cost; every field optional, defaulting to the constants above. */
export interface StreamLimits {
  /** Bytes of socket data since the read that ended the last top-level element. @default DEFAULT_MAX_STANZA_BYTES */
  maxStanzaBytes?: number;
  /** Element nesting depth, the stream root included. @default DEFAULT_MAX_DEPTH */
  maxDepth?: number;
}

/** Why an inbound stream was refused: an RFC 6120 §4.9.3 condition and a line for the logs. */
export interface StreamViolation {
  condition: 'policy-violation' | 'restricted-xml' | 'not-well-formed' | 'unsupported-encoding';
  message: string;
}

/** UTF-8 length of a string without allocating (the browser has no `Buffer.byteLength`). */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      // A surrogate pair is one 4-byte character.
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Counts the raw bytes of socket reads since the read in which the last top-level element (or the
 * stream header) ended. Counted per read, so a legitimate stanza is cut off only when it and the
 * reads around it pass the limit; a flood of small stanzas never adds up.
 */
export class StanzaByteCounter {
  private pending = 0;

  constructor(readonly max: number = DEFAULT_MAX_STANZA_BYTES) {}

  /** Adds one read before it is parsed; false when the stanza in progress is over the limit. */
  add(bytes: number): boolean {
    this.pending += bytes;
    return this.pending <= this.max;
  }

  /** A top-level element (or the stream header) ended in the read being parsed. */
  boundary(): void {
    this.pending = 0;
  }

  get bytes(): number {
    return this.pending;
  }
}

const CDATA_OPEN = '<![CDATA[';
const XML_DECLARATION = '<?xml';

/**
 * Finds the XML that RFC 6120 §11.1 forbids in a stream, across read boundaries: comments, DTDs and
 * entity declarations (`<!DOCTYPE`, `<!ENTITY`, `<!--`) and processing instructions other than the
 * XML declaration. ltx skips them silently (a DTD is read as a comment), so without this check a
 * stream could carry them unnoticed. CDATA sections are allowed and their content is not markup.
 */
export class RestrictedXmlScanner {
  /** The unfinished markup at the end of the last read (at most 8 characters). */
  private carry = '';
  private inCdata = false;

  /** Scans one read; returns what it found forbidden, or undefined. */
  scan(chunk: string): StreamViolation | undefined {
    const text = this.carry + chunk;
    this.carry = '';
    let pos = 0;
    for (;;) {
      if (this.inCdata) {
        const end = text.indexOf(']]>', pos);
        if (end === -1) {
          // Keep what may be the start of `]]>`.
          this.carry = text.slice(Math.max(pos, text.length - 2));
          return undefined;
        }
        this.inCdata = false;
        pos = end + 3;
        continue;
      }
      const lt = text.indexOf('<', pos);
      if (lt === -1) return undefined;
      const next = text.charAt(lt + 1);
      if (next === '') {
        this.carry = '<';
        return undefined;
      }
      if (next === '!') {
        const marker = text.slice(lt, lt + CDATA_OPEN.length);
        if (marker === CDATA_OPEN) {
          this.inCdata = true;
          pos = lt + CDATA_OPEN.length;
          continue;
        }
        if (marker.length < CDATA_OPEN.length && CDATA_OPEN.startsWith(marker)) {
          this.carry = marker;
          return undefined;
        }
        return restricted(text.slice(lt, lt + 12));
      }
      if (next === '?') {
        const marker = text.slice(lt, lt + XML_DECLARATION.length + 1);
        if (marker.length <= XML_DECLARATION.length && XML_DECLARATION.startsWith(marker)) {
          this.carry = marker;
          return undefined;
        }
        // RFC 6120 §11.5: the XML declaration is allowed; every other processing instruction is not.
        if (!(marker.startsWith(XML_DECLARATION) && /\s/.test(marker.charAt(XML_DECLARATION.length)))) {
          return restricted(text.slice(lt, lt + 12));
        }
      }
      pos = lt + 1;
    }
  }
}

function restricted(found: string): StreamViolation {
  // RFC 6120 §11.1: "if an XMPP implementation receives characters matching such features over an
  // XML stream, it MUST close the stream with a stream error, which SHOULD be <restricted-xml/>
  // (Section 4.9.3.18)". The features: comments, processing instructions, internal or external DTD
  // subsets, and entity references other than the predefined ones.
  return { condition: 'restricted-xml', message: `restricted XML in the stream: ${JSON.stringify(found)}` };
}
