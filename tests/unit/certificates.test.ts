// NODE_EXTRA_CA_CERTS set aside by launch.sh and put back, and the TLS context https checks get from it.
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extraCaContext, restoreExtraCaCerts } from '../../scripts/lib/manage/launch/certificates.ts';

const certificate = join(import.meta.dirname, '..', 'fixtures', 'tls', 'cert.pem');

describe('restoreExtraCaCerts', () => {
  it('puts the variable back as launch.sh found it and drops the one it was kept in', () => {
    const env: NodeJS.ProcessEnv = { MANAGE_EXTRA_CA_CERTS: '/etc/ssl/extra.pem', PATH: '/bin' };
    restoreExtraCaCerts(env);
    expect(env).toEqual({ NODE_EXTRA_CA_CERTS: '/etc/ssl/extra.pem', PATH: '/bin' });
  });

  it('changes nothing when launch.sh set nothing aside', () => {
    const env: NodeJS.ProcessEnv = { PATH: '/bin' };
    restoreExtraCaCerts(env);
    expect(env).toEqual({ PATH: '/bin' });
  });
});

describe('extraCaContext', () => {
  it('is undefined without NODE_EXTRA_CA_CERTS, and when its file cannot be read (Node too goes on without it)', async () => {
    expect(await extraCaContext({})).toBeUndefined();
    expect(await extraCaContext({ NODE_EXTRA_CA_CERTS: '/nonexistent/extra.pem' })).toBeUndefined();
  });

  it('is built once per file, also for checks that ask at the same moment', async () => {
    const copy = join(mkdtempSync(join(tmpdir(), 'manage-certificates-')), 'extra.pem');
    copyFileSync(certificate, copy);
    const [first, second] = await Promise.all([extraCaContext({ NODE_EXTRA_CA_CERTS: copy }), extraCaContext({ NODE_EXTRA_CA_CERTS: copy })]);
    expect(first).toBeDefined();
    expect(second).toBe(first);
    expect(await extraCaContext({ NODE_EXTRA_CA_CERTS: copy })).toBe(first);
  });
});
