// Procfile (foreman, heroku, overmind) to services (pure): one "name: command" a line; `release:` becomes a
// oneShot task the others wait for; a process that uses $PORT gets a port as foreman gives it.
import { isValidName, type Service } from '../core/service.ts';
import { badSource, type Imported, type ImportedService, type ImportOptions } from './declaration.ts';

const usesPort = /\$(\{PORT(:?-[^}]*)?\}|PORT\b)/;

export function importProcfile(text: string, options: ImportOptions): Imported {
  const basePort = options.basePort ?? 5000;
  const notes: string[] = [];
  const imported: ImportedService[] = [];
  const lines = text.split(/\r?\n/);
  // foreman numbers every process type in file order and gives the n-th PORT = base + 100 n.
  let index = 0;
  lines.forEach((line, lineIndex) => {
    if (/^\s*(#|$)/.test(line)) return;
    const match = /^([A-Za-z0-9_.-]+):\s*(.*)$/.exec(line.trim());
    if (!match || match[2]!.trim() === '') {
      notes.push(`line ${lineIndex + 1} not carried: it is not "name: command"`);
      return;
    }
    const [, name, command] = match as unknown as [string, string, string];
    const port = basePort + 100 * index++;
    if (imported.some((entry) => entry.service.name === name)) {
      notes.push(`line ${lineIndex + 1} not carried: "${name}" is declared earlier in ${options.source}`);
      return;
    }
    if (!isValidName(name) || name === 'all') {
      notes.push(`line ${lineIndex + 1} not carried: "${name}" cannot name a service`);
      return;
    }
    const service: Service = { name, command: command.trim() };
    const entryNotes: string[] = [];
    if (name === 'release') {
      service.oneShot = true;
      entryNotes.push('the release phase: a oneShot task that every other process waits for');
    } else if (usesPort.test(command)) {
      service.env = { PORT: String(port) };
      service.port = port;
      entryNotes.push(`PORT ${port} as foreman gives it (${basePort} + 100 per process type; import --port N moves the base)`);
    }
    imported.push({ service, notes: entryNotes });
  });
  if (imported.length === 0) throw badSource(`${options.source} declares no processes; a Procfile has lines such as "web: npm start"`);
  if (imported.some((entry) => entry.service.name === 'release')) {
    for (const entry of imported) if (entry.service.name !== 'release') entry.service.dependsOn = ['release'];
  }
  return { services: imported, notes };
}
