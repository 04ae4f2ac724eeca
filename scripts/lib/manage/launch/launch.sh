# The launcher behind manage.ts: sh, so choosing how to run costs a few milliseconds, not a Node start.
#   launch.sh ENTRY_FOLDER ARGS...        (ENTRY_FOLDER holds manage.ts; the engine is ENTRY_FOLDER/lib/manage)
# Plain node runs a bundle of the TypeScript sources (see bundle.cjs), which checks before each command that
# it was built from the sources as they are now and rebuilds it if not: an edit to startup.ts counts at once.
# MANAGE_BUNDLE=0 runs the sources under tsx instead, and so does a first build that cannot write the bundle.
# The packages are the engine's own (lib/manage/node_modules, as `manage.ts init` installs them into another
# repository) or, where it has none, the repository's (node_modules at the root, as in manage.ts's own).
# As PID 1 (a container's entrypoint, unshare --pid) this shell stays on as init and runs the engine as its
# child: Node reaps only the children it spawned, but orphans re-parent to PID 1, and sh's wait reaps every
# child that ends, its own or not. The stop signals are passed on; it exits with the engine's code.
if [ "$$" = 1 ]; then
  /bin/sh "$0" "$@" &
  child=$!
  trap 'kill -TERM "$child" 2>/dev/null' TERM
  trap 'kill -INT "$child" 2>/dev/null' INT
  trap 'kill -HUP "$child" 2>/dev/null' HUP
  while :; do
    wait "$child"
    code=$?
    kill -0 "$child" 2>/dev/null || exit "$code"
  done
fi
engine=$1/lib/manage
shift
modules=$engine/node_modules
if [ ! -f "$modules/tsx/dist/loader.mjs" ]; then
  modules=${engine%/*/*/*}/node_modules
  if [ ! -f "$modules/tsx/dist/loader.mjs" ]; then
    # The packages go where the repository's package.json asks for them (manage.ts's own repository), else
    # into the engine's folder, as `manage.ts init` put them (see README "Add manage.ts to your repository").
    where=${engine%/*/*/*}
    if ! grep -qs '"tsx"' "$where/package.json"; then where=$engine; fi
    if [ -f "$where/package-lock.json" ]; then verb=ci; else verb=install; fi
    echo "manage.ts: dependencies are not installed; run: cd $where && npm $verb" >&2
    exit 1
  fi
fi
bundle="$modules/.cache/manage-ts/manage.cjs"
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
  if [ ! -f "$bundle" ] && [ -w "$modules" ]; then
    node "$engine/launch/bundle.cjs" "$modules"
    case $? in
      1) exit 1 ;;
    esac
  fi
  # The bundle's own path, unresolved: it finds the engine relative to it (see bundle.cjs).
  [ -f "$bundle" ] && exec node --preserve-symlinks-main --require "$engine/launch/bundle.cjs" "$bundle" "$@"
fi
exec node --no-warnings=ExperimentalWarning --import "$modules/tsx/dist/loader.mjs" "$engine/main.ts" "$@"
