// The log tail shown for a failed start: from its own header on, or all of a log a size cap has cut since.
import { mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { logPath } from '../../scripts/lib/manage/logfiles/selection.ts';
import { startHeader } from '../../scripts/lib/manage/logfiles/logtime.ts';
import { startLogTail } from '../../scripts/lib/manage/up.ts';
import { createStack, withStackCleanup } from '../helpers/stack.ts';

withStackCleanup();

describe('startLogTail', () => {
  const { context } = createStack([{ name: 'api', command: 'true' }]);
  const header = `${startHeader('api', 'node server.js')}\n`;
  const write = (text: string): void => {
    mkdirSync(context.logDir, { recursive: true });
    writeFileSync(logPath(context, 'api'), text);
  };

  it('shows what this start wrote, not what an earlier one did', () => {
    write(`an earlier run\n${header}listening\nerror: no database\n`);
    expect(startLogTail(context, 'api', 'an earlier run\n'.length + header.length)).toEqual(['listening', 'error: no database']);
  });

  it('shows all that is left of a log cut by a size cap, whose note now covers the offset', () => {
    const note = '=== 2026-11-23T10:00:00.000Z manage.ts: log passed logMaxBytes (1.0 MiB); earlier lines are in api.log.1\n';
    write(`${note}error: no database\n`);
    expect(startLogTail(context, 'api', header.length)).toEqual([note.trimEnd(), 'error: no database']);
    expect(startLogTail(context, 'api', 10_000)).toEqual([note.trimEnd(), 'error: no database']);
  });
});
