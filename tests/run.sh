#!/usr/bin/env bash
# Runs every suite (typecheck, vitest, bats), even after a failure, and ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
report_dir=$(mktemp -d)
trap 'rm -rf "$report_dir"' EXIT
passed=0
failed=0

echo "== typecheck"
if node_modules/.bin/tsc --noEmit -p .; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

echo "== vitest"
node_modules/.bin/vitest run --reporter=default --reporter=json --outputFile.json="$report_dir/vitest.json"
if [ -s "$report_dir/vitest.json" ]; then
  read -r vitest_passed vitest_failed < <(node -e '
    const report = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    // A file that fails to load has no tests but counts as a failure.
    const broken = report.testResults.filter((file) => file.status === "failed" && file.assertionResults.length === 0).length;
    console.log(report.numPassedTests, report.numFailedTests + broken);
  ' "$report_dir/vitest.json")
else
  vitest_passed=0 vitest_failed=1
fi
passed=$((passed + vitest_passed))
failed=$((failed + vitest_failed))

echo "== bats"
node_modules/bats/bin/bats --formatter tap tests/bats | tee "$report_dir/bats.tap"
bats_passed=$(grep -c '^ok ' "$report_dir/bats.tap")
bats_failed=$(grep -c '^not ok ' "$report_dir/bats.tap")
if [ "$bats_passed" -eq 0 ] && [ "$bats_failed" -eq 0 ]; then bats_failed=1; fi
passed=$((passed + bats_passed))
failed=$((failed + bats_failed))

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
