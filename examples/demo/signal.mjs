// Signal service: turns market-data ticks into moving-average crossover buy/sell signals for TCP subscribers.
import { portsFromEnv, subscribe, summarize, tcpServer, serve } from './common.mjs';

const [PORT, MARKET_DATA_PORT] = portsFromEnv('signal', 'PORT', 'MARKET_DATA_PORT');
// Short windows so that a demo shows signals within a few seconds of start.
const SHORT = 3;
const LONG = 8;

const history = new Map();
const trend = new Map();
let ticks = 0;
let signals = 0;

const { server, clients } = tcpServer('subscriber');
serve(server, PORT);

const average = (values) => values.reduce((sum, v) => sum + v, 0) / values.length;

function onTick(msg) {
  if (msg.type !== 'tick') return;
  ticks++;
  const prices = history.get(msg.symbol) ?? [];
  prices.push(msg.price);
  if (prices.length > LONG) prices.shift();
  history.set(msg.symbol, prices);
  if (prices.length < LONG) return;
  const side = average(prices.slice(-SHORT)) > average(prices) ? 'buy' : 'sell';
  // Only a change of trend is a signal; the first trend seen per symbol counts as one so data flows early.
  if (trend.get(msg.symbol) === side) return;
  trend.set(msg.symbol, side);
  signals++;
  const line = JSON.stringify({ type: 'signal', symbol: msg.symbol, side, price: msg.price, ts: new Date().toISOString() }) + '\n';
  for (const socket of clients) socket.write(line);
}

subscribe(MARKET_DATA_PORT, 'market-data', onTick);

summarize(() => `received ${ticks} ticks, emitted ${signals} signals, ${clients.size} subscriber(s)`);
