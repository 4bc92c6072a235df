#!/bin/sh
# containerd's CRI runtime binary (BinaryName): this VM withholds CAP_SYS_RESOURCE, so runc
# cannot set a negative oom_score_adj and every pod sandbox (-998) and Guaranteed container
# (-997) would fail to start. Rewrite negative values to 0 in the bundle's config.json
# (create/run) or the exec process file, then hand over to the real runc.
bundle="" process="" prev=""
for a in "$@"; do
  case "$prev" in --bundle|-b) bundle="$a" ;; --process|-p) process="$a" ;; esac
  case "$a" in --bundle=*) bundle="${a#--bundle=}" ;; --process=*) process="${a#--process=}" ;; esac
  prev="$a"
done
clamp() { # FILE JQ_PATH
  if jq -e "($2 // 0) < 0" "$1" >/dev/null 2>&1; then
    jq -c "$2 = 0" "$1" >"$1.oom-tmp" && mv "$1.oom-tmp" "$1"
  fi
}
[ -n "$bundle" ] && [ -f "$bundle/config.json" ] && clamp "$bundle/config.json" .process.oomScoreAdj
[ -n "$process" ] && [ -f "$process" ] && clamp "$process" .oomScoreAdj
exec /usr/sbin/runc "$@"
