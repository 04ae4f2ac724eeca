// Free TCP ports chosen at run time, below 32768 (the ephemeral range is taken by client sockets).
import { createServer } from 'node:net';

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

const handedOut = new Set<number>();

export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    ports.push(port);
  }
  return ports;
}
