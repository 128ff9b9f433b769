#!/bin/sh
# Install the Debian packages named as arguments if any is missing: with
# apt-get when root, otherwise print the exact command and fail.
missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	# Parallel make jobs may each find packages missing: take turns on apt.
	if [ -z "$SNN_DEPS_LOCKED" ] && command -v flock >/dev/null; then
		SNN_DEPS_LOCKED=1 exec flock /tmp/snn-deps.lock "$0" "$@"
	fi
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y --no-install-recommends $missing ||
		{ apt-get update && apt-get install -y --no-install-recommends $missing; } ||
		{ echo "deps: apt-get failed for$missing" >&2; exit 1; }
else
	echo "deps: missing Debian packages:$missing" >&2
	echo "deps: run:  sudo apt-get install -y$missing" >&2
	exit 1
fi
