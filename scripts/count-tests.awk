# Counts the acceptance tests (named TestAcc..., as terraform-plugin-testing
# names them) of `go test -v` output by outcome: what testacc-live ran, as
# leaf tests (tests without subtests, subtests counted one by one) and as
# top-level tests. Unit tests, which run in every mode, are left out.
# A top-level test ran when one of its leaves ran and passed, and skipped
# when all of them skipped.
/^ *--- (PASS|SKIP|FAIL): TestAcc/ { if (!($3 in status)) order[++n] = $3; status[$3] = $2 }
END {
	for (i = 1; i <= n; i++) {
		leaf = 1
		for (j = 1; j <= n; j++) if (index(order[j], order[i] "/") == 1) { leaf = 0; break }
		if (!leaf) continue
		top = order[i]; sub(/\/.*/, "", top)
		if (!(top in topState)) { topState[top] = "SKIP:"; tops++ }
		total++
		s = status[order[i]]
		if (s == "PASS:") { ran++; if (topState[top] == "SKIP:") topState[top] = "PASS:" }
		else if (s == "SKIP:") skipped++
		else { failed++; topState[top] = "FAIL:" }
	}
	for (top in topState) { if (topState[top] == "PASS:") topRan++; else if (topState[top] == "SKIP:") topSkipped++; else topFailed++ }
	printf "acceptance tests (TestAcc*), leaf tests and subtests: %d of %d ran and passed (%d%%), %d skipped, %d failed\n", ran, total, total ? 100 * ran / total : 0, skipped, failed
	printf "acceptance tests (TestAcc*), top-level: %d of %d ran and passed (%d%%), %d skipped, %d failed\n", topRan, tops, tops ? 100 * topRan / tops : 0, topSkipped, topFailed
}
