#!/bin/sh
# Runs every Go benchmark of the repository, each package with a sensible
# -benchtime, and prints the standard `go test -bench` output (benchstat
# reads it). Usage, from anywhere:
#
#	bench/run.sh              # everything (a few minutes)
#	BENCH=Lateness bench/run.sh   # only benchmarks matching a regexp
#
# bench/ (100,000 timers, restart, lateness under 1,000 msg/s) runs each
# benchmark once: one run is seconds of work and reports its own
# percentiles. webapi/ runs 200 iterations (p50/p99 over 200 posts). Every
# other package uses Go's default of 1 s per benchmark. (bench/outbound.sh,
# not run here, compares outbound throughput with Postfix; it needs root.)
set -eu
cd "$(dirname "$0")/.."
pattern="${BENCH:-.}"
status=0
for pkg in $(go list ./...); do
	case "$pkg" in
	*/bench) benchtime=1x ;;
	*/webapi) benchtime=200x ;;
	*) benchtime=1s ;;
	esac
	# Skip packages without benchmarks quietly.
	dir=$(go list -f '{{.Dir}}' "$pkg")
	grep -qs '^func Benchmark' "$dir"/*_test.go || continue
	go test -run XXX -bench "$pattern" -benchtime "$benchtime" "$pkg" || status=1
done
exit $status
