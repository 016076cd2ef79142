import net from 'node:net';

/**
 * A loopback TCP proxy between clients and a server that breaks the link on command. It works on
 * bytes, so it carries XMPP over TCP and WebSocket (HTTP upgrade included) alike.
 *
 * - `cutAll()`: every open connection is reset on both sides at once (a dead NAT, a lost Wi-Fi).
 * - `blackHole()`: the open connections stay up but the server's bytes stop reaching the client
 *   (half-open: the server believes the client is there); new connections are not affected.
 * - `delay(ms)`: every chunk, both ways, is held back `ms` (order kept).
 * - `refuse(true)`: new connections are closed as soon as they are accepted (the server is down).
 */
export interface FaultProxy {
  readonly port: number;
  /** When each connection was accepted (ms since the epoch), refused ones included. */
  readonly accepted: readonly number[];
  /** Connections currently open. */
  readonly open: number;
  cutAll(): void;
  blackHole(): void;
  delay(ms: number): void;
  refuse(on: boolean): void;
  close(): Promise<void>;
}

interface Link {
  client: net.Socket;
  server: net.Socket;
  /** The server's bytes are swallowed. */
  silenced: boolean;
}

/** Forwards `from` to `to`, holding every chunk back `delayMs()` ms without reordering. */
function forward(from: net.Socket, to: net.Socket, delayMs: () => number, dropped: () => boolean): void {
  const queue: { due: number; chunk: Buffer }[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const pump = () => {
    timer = undefined;
    const now = Date.now();
    while (queue.length > 0 && queue[0]!.due <= now) to.write(queue.shift()!.chunk);
    if (queue.length > 0) timer = setTimeout(pump, queue[0]!.due - now);
  };
  from.on('data', (chunk: Buffer) => {
    if (dropped() || to.destroyed) return;
    const wait = delayMs();
    if (wait <= 0 && queue.length === 0) {
      to.write(chunk);
      return;
    }
    queue.push({ due: Date.now() + wait, chunk });
    timer ??= setTimeout(pump, Math.max(0, queue[0]!.due - Date.now()));
  });
  from.on('close', () => clearTimeout(timer));
}

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  const links = new Set<Link>();
  const accepted: number[] = [];
  let delayMs = 0;
  let refusing = false;

  const server = net.createServer((client) => {
    accepted.push(Date.now());
    client.setNoDelay(true);
    if (refusing) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    upstream.setNoDelay(true);
    const link: Link = { client, server: upstream, silenced: false };
    links.add(link);
    const end = () => {
      links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    forward(
      client,
      upstream,
      () => delayMs,
      () => false,
    );
    forward(
      upstream,
      client,
      () => delayMs,
      () => link.silenced,
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  const cutAll = () => {
    for (const link of [...links]) {
      links.delete(link);
      link.client.resetAndDestroy();
      link.server.resetAndDestroy();
    }
  };
  return {
    port,
    accepted,
    get open() {
      return links.size;
    },
    cutAll,
    blackHole() {
      for (const link of links) link.silenced = true;
    },
    delay(ms: number) {
      delayMs = ms;
    },
    refuse(on: boolean) {
      refusing = on;
    },
    async close() {
      cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
