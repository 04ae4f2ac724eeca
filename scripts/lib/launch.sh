# The launcher behind scripts/manage.ts: sh, so choosing how to run costs a few milliseconds, not a Node start.
#   launch.sh ROOT ARGS...
# Plain node runs a bundle of the TypeScript sources (build.mjs, with the esbuild that tsx brings along) in a
# fraction of the time tsx takes to compile them module by module. The bundle is rebuilt whenever one of the
# files it was built from is newer (or gone), so an edit to startup.ts takes effect on the next command.
# MANAGE_BUNDLE=0 runs the sources under tsx instead, and so does a failure to write the bundle.
root=$1
shift
if [ ! -f "$root/node_modules/tsx/dist/loader.mjs" ]; then
  echo "manage.ts: dependencies are not installed; run: cd $root && npm ci" >&2
  exit 1
fi
cache="$root/node_modules/.cache/manage-ts"

# Shell built-ins only (read, test -nt): checking costs no process.
bundle_is_fresh() {
  [ -f "$cache/manage.cjs" ] && [ -f "$cache/inputs" ] || return 1
  {
    read -r built_for && [ "$built_for" = "$root" ] || return 1
    while IFS= read -r input; do
      [ -e "$input" ] && ! [ "$input" -nt "$cache/manage.cjs" ] || return 1
    done
  } < "$cache/inputs"
}

if [ "${MANAGE_BUNDLE:-1}" != 0 ]; then
  bundle_is_fresh || node "$root/scripts/lib/build.mjs"
  case $? in
    # The bundle's own path, unresolved: it finds scripts/lib/ relative to it (see build.mjs).
    0) exec node --preserve-symlinks-main "$cache/manage.cjs" "$@" ;;
    1) exit 1 ;;
  esac
fi
exec node --no-warnings=ExperimentalWarning --import "$root/node_modules/tsx/dist/loader.mjs" "$root/scripts/manage.ts" "$@"
