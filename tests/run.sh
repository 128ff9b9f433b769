#!/bin/sh
# Run every test program under $BUILD/tests and add up their closing lines.
BUILD=${BUILD:-build}
total_pass=0 total_fail=0 crashed=0
for t in $(find "$BUILD/tests" -type f -name 'test_*' -perm -u+x | sort); do
	out=$("$t" 2>&1)
	rc=$?
	line=$(printf '%s\n' "$out" | grep -E '^[A-Za-z0-9_./-]+: [0-9]+ passed, [0-9]+ failed$' | tail -n 1)
	if [ -z "$line" ]; then
		printf '%s\n' "$out"
		echo "$t: crashed or printed no closing line (exit $rc)"
		crashed=$((crashed + 1))
		continue
	fi
	[ "$rc" -ne 0 ] && printf '%s\n' "$out" | grep -v -E ': [0-9]+ passed, [0-9]+ failed$'
	echo "$line"
	p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed$/\1/')
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && total_fail=$((total_fail + 1))
done
total_fail=$((total_fail + crashed))
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
