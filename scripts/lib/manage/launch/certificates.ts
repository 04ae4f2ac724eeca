// NODE_EXTRA_CA_CERTS without its start-up cost. Node 20 reads and parses every certificate that variable
// names before it runs any code: 50 ms per command on a Debian machine whose variable names the whole system
// bundle, more than the rest of a `status` call. manage.ts opens TLS only for https readiness checks, so
// launch.sh starts its Node with the variable moved aside (to MANAGE_EXTRA_CA_CERTS); this module puts it back
// for everything manage.ts starts, and gives those checks the trust Node would have given them.
import { readFileSync } from 'node:fs';
import type { SecureContext } from 'node:tls';

/** Where launch.sh keeps NODE_EXTRA_CA_CERTS while manage.ts's own Node starts. */
const setAsideVariable = 'MANAGE_EXTRA_CA_CERTS';

/** Puts NODE_EXTRA_CA_CERTS back as the user set it, before any service, check or helper is spawned. */
export function restoreExtraCaCerts(env: NodeJS.ProcessEnv = process.env): void {
  const setAside = env[setAsideVariable];
  if (setAside === undefined) return;
  delete env[setAsideVariable];
  env.NODE_EXTRA_CA_CERTS ??= setAside;
}

let cached: { path: string; context: Promise<SecureContext | undefined> } | undefined;

/**
 * The TLS context an https check needs for the trust Node would have given it: Node's default roots (the
 * bundled ones, or the system's under --use-openssl-ca) plus the certificates in NODE_EXTRA_CA_CERTS.
 * Undefined when that is unset (Node's own default applies) or unreadable (Node too only warns and goes on
 * without it; the check then reports the certificate error it meets). Built once, and shared by checks that
 * start together: parsing a full bundle blocks for tens of milliseconds, and a check is polled every 50 ms.
 */
export function extraCaContext(env: NodeJS.ProcessEnv = process.env): Promise<SecureContext | undefined> {
  const path = env.NODE_EXTRA_CA_CERTS;
  if (!path) return Promise.resolve(undefined);
  if (cached?.path !== path) cached = { path, context: contextWith(path) };
  return cached.context;
}

async function contextWith(path: string): Promise<SecureContext | undefined> {
  let extra: string;
  try {
    extra = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  // Loaded here, not at the top: node:tls alone costs about 9 ms to load, and most commands never use it.
  const { createSecureContext, rootCertificates } = await import('node:tls');
  // A context made without `ca` holds Node's default roots; adding to it keeps them, as NODE_EXTRA_CA_CERTS
  // does. Passing `ca` instead would replace them, so that is only the way where the native context does not
  // offer addCACert (it does on Node 20 and 22).
  const context = createSecureContext();
  const native = context.context as { addCACert?: (pem: string) => void } | undefined;
  if (typeof native?.addCACert !== 'function') return createSecureContext({ ca: [...rootCertificates, extra] });
  native.addCACert(extra);
  return context;
}
