// Base64 over UTF-8 or raw bytes, with the globals that browsers and Node >= 20 both have.

export type Bytes = Uint8Array<ArrayBuffer>;

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary);
}

/** Decodes base64; `undefined` when the input is not base64 (hostile servers send anything). */
export function base64ToBytes(value: string): Bytes | undefined {
  try {
    const binary = atob(value.trim());
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return undefined;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function utf8ToBase64(text: string): string {
  return bytesToBase64(encoder.encode(text));
}

export function base64ToUtf8(value: string): string | undefined {
  const bytes = base64ToBytes(value);
  if (!bytes) return undefined;
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}
