# The launcher behind scripts/manage.ts: sh, so choosing how to run costs a few milliseconds, not a Node start.
#   launch.sh ROOT ARGS...
# Plain node runs a bundle of the TypeScript sources (see bundle.cjs), which checks before each command that
# it was built from the sources as they are now and rebuilds it if not: an edit to startup.ts counts at once.
# MANAGE_BUNDLE=0 runs the sources under tsx instead, and so does a first build that cannot write the bundle.
root=$1
shift
if [ ! -f "$root/node_modules/tsx/dist/loader.mjs" ]; then
  echo "manage.ts: dependencies are not installed; run: cd $root && npm ci" >&2
  exit 1
fi
bundle="$root/node_modules/.cache/manage-ts/manage.cjs"
# Node 20 parses every certificate NODE_EXTRA_CA_CERTS names before it runs any code (50 ms for Debian's whole
# bundle). manage.ts needs them only for https readiness checks, which load them themselves; it puts the
# variable back before it starts anything (certificates.ts).
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ]; then
  MANAGE_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS
  export MANAGE_EXTRA_CA_CERTS
  unset NODE_EXTRA_CA_CERTS
else
  # One inherited from elsewhere (a manage.ts that started this one) must not be put back as the user's.
  unset MANAGE_EXTRA_CA_CERTS
fi

if [ "${MANAGE_BUNDLE:-1}" != 0 ]; then
  if [ ! -f "$bundle" ] && [ -w "$root/node_modules" ]; then
    node "$root/scripts/lib/bundle.cjs"
    case $? in
      1) exit 1 ;;
    esac
  fi
  # The bundle's own path, unresolved: it finds scripts/lib/ relative to it (see bundle.cjs).
  [ -f "$bundle" ] && exec node --preserve-symlinks-main --require "$root/scripts/lib/bundle.cjs" "$bundle" "$@"
fi
exec node --no-warnings=ExperimentalWarning --import "$root/node_modules/tsx/dist/loader.mjs" "$root/scripts/manage.ts" "$@"
