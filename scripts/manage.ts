#!/bin/sh
":" //; case $0 in /*) self=$0 ;; *) self=$PWD/${0#./} ;; esac; dir=${self%/*}; case $self in */../*|*/./*) self= ;; esac; if [ -z "$self" ] || [ -L "$self" ] || [ -L "$dir" ] || [ ! -f "$dir/lib/manage/launch/launch.sh" ]; then self=$(readlink -f "$0"); dir=${self%/*}; fi; exec /bin/sh "$dir/lib/manage/launch/launch.sh" "$dir" "$@"
// manage.ts: the command users run. The line above is also sh: it finds its own folder (scripts/ here, any
// name elsewhere) from this file's path and hands over to lib/manage/launch/launch.sh, which runs the engine
// (lib/manage/main.ts). It calls readlink (a fork, 2 ms on every command) only where the path alone does not
// lead there: a symlink to this file or to its folder, or a path through "." or "..", which Node shortens as text.
import './lib/manage/main.ts';
