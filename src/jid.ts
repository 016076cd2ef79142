/**
 * JIDs are kept as plain strings in events and context; this module parses and checks them.
 * RFC 7622 §3: a JID is `[localpart@]domainpart[/resourcepart]`, each part 1..1023 bytes.
 */
export interface JidParts {
  local: string | undefined;
  domain: string;
  resource: string | undefined;
}

const MAX_PART_BYTES = 1023;
// RFC 7622 §3.3.1: these characters are disallowed in a localpart.
const FORBIDDEN_IN_LOCAL = /["&'/:<>@\s]/;
const FORBIDDEN_IN_DOMAIN = /[\s@/\\<>"'&]/;
const encoder = new TextEncoder();

function fitsPart(part: string): boolean {
  // A UTF-16 code unit is at most 3 UTF-8 bytes, so short parts (nearly all) need no encoding.
  if (part.length === 0) return false;
  return part.length * 3 <= MAX_PART_BYTES || encoder.encode(part).length <= MAX_PART_BYTES;
}

/** Parses a JID; returns `undefined` for anything RFC 7622 would reject (no throwing on hostile input). */
export function parseJid(value: unknown): JidParts | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 3071) return undefined;
  const slash = value.indexOf('/');
  const bare = slash === -1 ? value : value.slice(0, slash);
  const resource = slash === -1 ? undefined : value.slice(slash + 1);
  const at = bare.indexOf('@');
  const local = at === -1 ? undefined : bare.slice(0, at);
  let domain = at === -1 ? bare : bare.slice(at + 1);
  // RFC 7622 §3.2: a trailing dot on the domainpart is stripped before comparison.
  if (domain.endsWith('.')) domain = domain.slice(0, -1);
  if (!isDomain(domain)) return undefined;
  if (local !== undefined && (!fitsPart(local) || FORBIDDEN_IN_LOCAL.test(local))) return undefined;
  if (resource !== undefined && !fitsPart(resource)) return undefined;
  return { local: local?.toLowerCase(), domain: domain.toLowerCase(), resource };
}

export function isDomain(domain: string): boolean {
  return fitsPart(domain) && !FORBIDDEN_IN_DOMAIN.test(domain);
}

export function formatJid(parts: JidParts): string {
  const bare = parts.local === undefined ? parts.domain : `${parts.local}@${parts.domain}`;
  return parts.resource === undefined ? bare : `${bare}/${parts.resource}`;
}

/** The bare JID (`local@domain`) of a JID string, normalised; `undefined` when it is not a JID. */
export function bareJid(value: unknown): string | undefined {
  const parts = parseJid(value);
  return parts && formatJid({ ...parts, resource: undefined });
}

/** The normalised form of a full or bare JID, or `undefined`. */
export function normalizeJid(value: unknown): string | undefined {
  const parts = parseJid(value);
  return parts && formatJid(parts);
}
