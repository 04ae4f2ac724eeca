// Dashboard: serves the latest prices, orders, positions and counters as JSON (or a tiny HTML page).
import http from 'node:http';
import { log, portsFromEnv, subscribe, every, summarize, serve } from './common.mjs';

const [PORT, MARKET_DATA_PORT, EXECUTION_PORT] = portsFromEnv('dashboard', 'PORT', 'MARKET_DATA_PORT', 'EXECUTION_PORT');
const POLL_MS = 1000;
const RECENT_ORDERS = 10;

const startedAt = Date.now();
const prices = {};
let ticksReceived = 0;
// null until the first poll, then true/false, so only changes in reachability get logged.
let executionUp = null;
let execution = { filled: 0, orders: [], positions: {} };

subscribe(MARKET_DATA_PORT, 'market-data', (msg) => {
  if (msg.type !== 'tick') return;
  ticksReceived++;
  prices[msg.symbol] = { price: msg.price, ts: msg.ts };
});

function setExecutionUp(up, reason) {
  if (up && executionUp !== true) log('INFO', `execution at 127.0.0.1:${EXECUTION_PORT} reachable`);
  if (!up && executionUp !== false) {
    log('WARN', `execution at 127.0.0.1:${EXECUTION_PORT} ${executionUp ? 'lost' : 'unreachable'} (${reason}), polling every ${POLL_MS} ms`);
  }
  executionUp = up;
}

async function pollExecution() {
  try {
    const res = await fetch(`http://127.0.0.1:${EXECUTION_PORT}/orders`, { signal: AbortSignal.timeout(POLL_MS - 100) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const { filled, orders, positions } = await res.json();
    execution = { filled, orders: orders.slice(0, RECENT_ORDERS), positions };
    setExecutionUp(true);
  } catch (err) {
    setExecutionUp(false, err.cause?.code ?? err.message);
  }
}

const state = () => ({
  uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
  ticksReceived,
  prices,
  execution: { reachable: executionUp === true, ordersFilled: execution.filled },
  // Execution only knows fill prices; profit and loss is marked to the live price this service receives.
  positions: Object.fromEntries(Object.entries(execution.positions).map(([symbol, p]) => {
    const price = prices[symbol]?.price;
    return [symbol, { ...p, pnl: price === undefined ? null : Math.round((p.cash + p.qty * price) * 100) / 100 }];
  })),
  recentOrders: execution.orders,
});

const server = http.createServer((req, res) => {
  const path = new URL(req.url, 'http://localhost').pathname;
  if (req.method !== 'GET') return res.writeHead(405).end();
  if (path === '/health') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}\n');
  if (path !== '/') return res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}\n');
  const json = JSON.stringify(state(), null, 2);
  if (req.headers.accept?.includes('text/html')) {
    const page = `<!doctype html><meta http-equiv="refresh" content="1"><title>demo dashboard</title><pre>${json.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</pre>\n`;
    return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(json + '\n');
});
serve(server, PORT);

every(POLL_MS, pollExecution);
summarize(() => `ticks=${ticksReceived} symbols=${Object.keys(prices).length} orders=${execution.filled} execution=${executionUp ? 'up' : 'down'}`);
