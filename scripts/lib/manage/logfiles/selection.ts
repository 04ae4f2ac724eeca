// Where each service's log is, and which logs a command reads: its selection plus removed services named.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { selectServices } from '../core/graph.ts';
import { isValidName, type ResolvedService } from '../core/service.ts';
import { listRotations } from './logfile.ts';

/** The part of a command's context that locates logs. */
export interface LogLocation {
  logDir: string;
  services: ResolvedService[];
}

export function logPath(context: Pick<LogLocation, 'logDir'>, service: string): string {
  return join(context.logDir, `${service}.log`);
}

/**
 * The services whose logs a command reads: the selection, plus each service named outright that is no longer
 * in SERVICES but whose log (or a rotation of it) is still there, so the output of a service removed or
 * renamed stays readable. A name with neither is an unknown service, as everywhere.
 */
export function selectLogs(context: LogLocation, words: string[]): string[] {
  const known = new Set(['all', ...context.services.flatMap((service) => [service.name, ...service.groups])]);
  const hasLog = (name: string): boolean => existsSync(logPath(context, name)) || listRotations(logPath(context, name)).length > 0;
  const removed = [...new Set(words.filter((word) => !known.has(word) && isValidName(word) && hasLog(word)))];
  const declared = words.filter((word) => !removed.includes(word));
  // With only removed services named, selecting from no words would mean every declared service.
  return [...(declared.length > 0 || removed.length === 0 ? selectServices(context.services, declared) : []), ...removed];
}
