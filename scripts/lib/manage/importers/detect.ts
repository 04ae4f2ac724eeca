// Which kind of file an import reads, from its name and then its content (pure); --from overrides both.
import type { SourceKind } from './declaration.ts';

export const sourceKinds: SourceKind[] = ['compose', 'procfile', 'manage-sh', 'pm2'];

export function detectKind(fileName: string, text: string): SourceKind | undefined {
  const name = fileName.split('/').pop()!.toLowerCase();
  if (/^(docker-)?compose(\.[\w-]+)*\.ya?ml$/.test(name)) return 'compose';
  if (/^procfile(\.[\w-]+)?$/.test(name)) return 'procfile';
  if (/^(ecosystem|pm2)([.\w-]*)\.(config\.)?(c|m)?js$/.test(name) || /^(ecosystem|pm2)[.\w-]*\.(json|ya?ml)$/.test(name)) return 'pm2';
  if (/\.(sh|bash)$/.test(name) || /^#!.*\b(ba)?sh\b/.test(text)) return 'manage-sh';
  // By content: a compose file's top-level services, PM2's apps, a bash SERVICES array, Procfile lines.
  if (/^services:\s*$/m.test(text)) return 'compose';
  if (/\bapps\s*:/.test(text) && /(module\.exports|export default|"apps")/.test(text)) return 'pm2';
  if (/^\s*(declare\s+-\w+\s+)?SERVICES=\(/m.test(text)) return 'manage-sh';
  const lines = text.split('\n').filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
  if (lines.length > 0 && lines.every((line) => /^[A-Za-z0-9_.-]+:\s*\S/.test(line))) return 'procfile';
  return undefined;
}
