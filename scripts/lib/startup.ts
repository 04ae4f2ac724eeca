// The services this repository runs: edit SERVICES (see README.md "Adding a service"). This file is yours:
// `manage.ts upgrade` replaces the engine in lib/manage/ and never touches it.
import type { Service } from './manage/core/service.ts';

/**
 * The services of this repository. Replace the demo entries with your own; see README.md "Adding a service".
 * Relative `cwd` values resolve against the repository root.
 */
export const SERVICES = [
  {
    name: 'market-data',
    description: 'Market-data relay: publishes price ticks over TCP',
    command: 'node examples/demo/market-data.mjs',
    env: { PORT: '7101' },
    port: 7101,
    group: 'relays',
  },
  {
    name: 'signal',
    description: 'Signal service: turns ticks into buy/sell signals',
    command: 'node examples/demo/signal.mjs',
    env: { PORT: '7102', MARKET_DATA_PORT: '7101' },
    port: 7102,
    dependsOn: ['market-data'],
    group: 'relays',
  },
  {
    name: 'execution',
    description: 'Execution service: fills signals as simulated orders',
    command: 'node examples/demo/execution.mjs',
    env: { PORT: '7103', SIGNAL_PORT: '7102' },
    port: 7103,
    dependsOn: ['signal'],
    ready: { http: 'http://127.0.0.1:7103/health' },
  },
  {
    name: 'dashboard',
    description: 'Dashboard: latest prices, orders and positions as JSON on http://127.0.0.1:7104/',
    command: ['node', 'examples/demo/dashboard.mjs'],
    env: { PORT: '7104', MARKET_DATA_PORT: '7101', EXECUTION_PORT: '7103' },
    port: 7104,
    dependsOn: ['market-data', 'execution'],
    ready: { http: 'http://127.0.0.1:7104/health' },
    stopTimeout: 5000,
  },
] satisfies Service[];
