// Shared by the demo services: log lines, port variables, TCP feeds, periodic timers and graceful shutdown.
import net from 'node:net';

const HOST = '127.0.0.1';
const RETRY_MS = 500;
const SUMMARY_MS = 5000;
// Exit anyway if a connection keeps the server from closing.
const SHUTDOWN_FALLBACK_MS = 1000;
// Timers and feeds that serve() stops on shutdown.
const stoppers = [];

export const log = (level, msg) => console.log(`${new Date().toISOString()} ${level.padEnd(5)} ${msg}`);

// Reads the named variables in order and exits on the first one that is missing or not a port number.
export function portsFromEnv(service, ...names) {
  return names.map((name) => {
    const raw = process.env[name] ?? '';
    const port = Number(raw);
    if (/^\d+$/.test(raw) && port >= 1 && port <= 65535) return port;
    const problem = raw === '' ? 'is not set' : `is not a port number 1-65535 (got ${JSON.stringify(raw)})`;
    console.error(`${service}: required environment variable ${name} ${problem}`);
    process.exit(1);
  });
}

export function every(ms, fn) {
  const timer = setInterval(fn, ms);
  stoppers.push(() => clearInterval(timer));
}

export const summarize = (describe) => every(SUMMARY_MS, () => log('INFO', describe()));

// Connects to a newline-delimited JSON feed and reconnects every RETRY_MS for as long as it is down.
export function subscribe(port, label, onMessage) {
  let socket;
  let retryTimer;
  let failures = 0;
  let stopped = false;
  const connect = () => {
    let buffer = '';
    let connected = false;
    socket = net.connect(port, HOST);
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      connected = true;
      // A later drop is already reported as "lost", so the first failed retry after it stays quiet.
      failures = 1;
      log('INFO', `connected to ${label} at ${HOST}:${port}`);
    });
    socket.on('data', (chunk) => {
      const lines = (buffer + chunk).split('\n');
      buffer = lines.pop();
      for (const line of lines) {
        try {
          if (line) onMessage(JSON.parse(line));
        } catch {
          log('WARN', `ignoring malformed line from ${label}`);
        }
      }
    });
    socket.on('error', (err) => {
      // Logging every 500 ms retry would flood the log; report the first failure and then every ~5 s.
      if (!connected && (failures++ === 0 || failures % 10 === 0)) {
        log('WARN', `${label} at ${HOST}:${port} unreachable (${err.code ?? err.message}), retrying every ${RETRY_MS} ms`);
      }
    });
    socket.on('close', () => {
      if (stopped) return;
      if (connected) log('WARN', `lost connection to ${label} at ${HOST}:${port}, retrying every ${RETRY_MS} ms`);
      retryTimer = setTimeout(connect, RETRY_MS);
    });
  };
  connect();
  stoppers.push(() => {
    stopped = true;
    clearTimeout(retryTimer);
    socket.destroy();
  });
}

// TCP server whose clients, called `noun` in the log, are kept in `clients` for broadcasting.
export function tcpServer(noun) {
  const clients = new Set();
  const server = net.createServer((socket) => {
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    clients.add(socket);
    log('INFO', `${noun} connected from ${peer} (${clients.size} connected)`);
    socket.on('error', (err) => log('WARN', `${noun} ${peer} error: ${err.message}`));
    socket.on('close', () => {
      clients.delete(socket);
      log('INFO', `${noun} disconnected from ${peer} (${clients.size} connected)`);
    });
  });
  // Same method as http.Server has, so serve() can shut both kinds down alike.
  server.closeAllConnections = () => {
    for (const socket of clients) socket.destroy();
  };
  return { server, clients };
}

// Listens on HOST:port; on SIGTERM or SIGINT stops timers and feeds, closes the server and exits 0.
export function serve(server, port) {
  server.on('error', (err) => {
    log('ERROR', `cannot listen on ${HOST}:${port}: ${err.message}`);
    process.exit(1);
  });
  server.listen(port, HOST, () => log('INFO', `listening on ${HOST}:${port}`));
  let stopping = false;
  const shutdown = (signal) => {
    if (stopping) return;
    stopping = true;
    log('INFO', `received ${signal}, shutting down`);
    setTimeout(() => process.exit(0), SHUTDOWN_FALLBACK_MS).unref();
    for (const stop of stoppers) stop();
    server.close(() => {
      log('INFO', 'stopped');
      process.exit(0);
    });
    server.closeAllConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
