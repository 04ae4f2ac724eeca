// Execution service: fills buy/sell signals as simulated orders and serves orders and positions over HTTP.
import http from 'node:http';
import { log, portsFromEnv, subscribe, summarize, serve } from './common.mjs';

const [PORT, SIGNAL_PORT] = portsFromEnv('execution', 'PORT', 'SIGNAL_PORT');
const MAX_ORDERS = 50;
// Lots are sized to about the same dollar amount so positions in different symbols are comparable.
const ORDER_NOTIONAL_USD = 1000;

const orders = [];
const positions = {};
const lotSizes = new Map();
let filled = 0;

function onSignal(msg) {
  if (msg.type !== 'signal' || (msg.side !== 'buy' && msg.side !== 'sell')) return;
  // The lot is fixed per symbol at its first signal, so alternating buy/sell signals return the position exactly to flat.
  if (!lotSizes.has(msg.symbol)) lotSizes.set(msg.symbol, Math.round((ORDER_NOTIONAL_USD / msg.price) * 1e6) / 1e6);
  const qty = lotSizes.get(msg.symbol);
  const order = { id: ++filled, symbol: msg.symbol, side: msg.side, qty, price: msg.price, status: 'filled', ts: new Date().toISOString() };
  orders.unshift(order);
  orders.length = Math.min(orders.length, MAX_ORDERS);
  const position = (positions[msg.symbol] ??= { qty: 0, cash: 0 });
  const sign = msg.side === 'buy' ? 1 : -1;
  position.qty = Math.round((position.qty + sign * qty) * 1e6) / 1e6;
  position.cash = Math.round((position.cash - sign * qty * msg.price) * 100) / 100;
  log('INFO', `filled order #${order.id}: ${order.side} ${order.qty} ${order.symbol} @ ${order.price}`);
}

const server = http.createServer((req, res) => {
  const path = new URL(req.url, 'http://localhost').pathname;
  const send = (status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body) + '\n');
  };
  if (req.method !== 'GET') return send(405, { error: 'method not allowed' });
  if (path === '/health') return send(200, { ok: true });
  if (path === '/orders') return send(200, { filled, orders, positions });
  send(404, { error: 'not found' });
});
serve(server, PORT);

subscribe(SIGNAL_PORT, 'signal', onSignal);

summarize(() => {
  const held = Object.entries(positions).map(([symbol, p]) => `${symbol}=${p.qty}`).join(' ') || 'none';
  return `${filled} orders filled so far; positions: ${held}`;
});
