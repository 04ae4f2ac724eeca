// Prints N free ports for bats tests, one per line.
import { freePorts } from './ports.ts';

for (const port of await freePorts(Number(process.argv[2] ?? 1))) console.log(port);
