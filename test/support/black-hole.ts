import { createServer, type Server, type Socket } from 'node:net';

/** A server that accepts connections and reads requests, and never answers one. */
export interface BlackHole {
  url: string;
  /** Requests read (each starts with `POST `), none ever answered. */
  requests: number;
  close(): Promise<void>;
}

export async function startBlackHole(): Promise<BlackHole> {
  const sockets = new Set<Socket>();
  const hole: BlackHole = {
    url: '',
    requests: 0,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (chunk: Buffer) => {
      if (chunk.subarray(0, 5).toString('latin1') === 'POST ') hole.requests += 1;
    });
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  hole.url = `http://127.0.0.1:${address.port}`;
  return hole;
}
