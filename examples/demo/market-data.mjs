// Market-data relay: publishes random-walk price ticks as newline-delimited JSON to every TCP client.
import { log, portsFromEnv, every, summarize, tcpServer, serve } from './common.mjs';

const [PORT] = portsFromEnv('market-data', 'PORT');
const TICK_MS = 250;
// A slow client must not make us buffer without bound.
const MAX_CLIENT_BUFFER = 1024 * 1024;

const prices = { 'BTC-USD': 65000, 'ETH-USD': 3400, 'SOL-USD': 150 };
let seq = 0;
let ticksSinceSummary = 0;

const { server, clients } = tcpServer('client');
serve(server, PORT);

function publish(message) {
  const line = JSON.stringify(message) + '\n';
  for (const socket of clients) {
    if (socket.writableLength > MAX_CLIENT_BUFFER) {
      log('WARN', `dropping slow client ${socket.remoteAddress}:${socket.remotePort}`);
      socket.destroy();
    } else {
      socket.write(line);
    }
  }
}

every(TICK_MS, () => {
  for (const symbol of Object.keys(prices)) {
    // Random walk of at most +/-0.2% per tick keeps prices plausible while still crossing averages often.
    prices[symbol] = Math.round(prices[symbol] * (1 + (Math.random() - 0.5) * 0.004) * 100) / 100;
    publish({ type: 'tick', symbol, price: prices[symbol], seq: ++seq, ts: new Date().toISOString() });
    ticksSinceSummary++;
  }
});

summarize(() => {
  const quotes = Object.entries(prices).map(([symbol, price]) => `${symbol}=${price}`).join(' ');
  const line = `published ${ticksSinceSummary} ticks to ${clients.size} client(s), seq=${seq}; ${quotes}`;
  ticksSinceSummary = 0;
  return line;
});
