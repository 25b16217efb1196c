# Counts the leaf tests (tests without subtests) of `go test -v` output
# by outcome: what testacc-live ran, at the finest grain.
/^ *--- (PASS|SKIP|FAIL): / { status[$3] = $2; order[++n] = $3 }
END {
	for (i = 1; i <= n; i++) {
		leaf = 1
		for (j = 1; j <= n; j++) if (index(order[j], order[i] "/") == 1) { leaf = 0; break }
		if (!leaf) continue
		total++
		if (status[order[i]] == "PASS:") ran++; else if (status[order[i]] == "SKIP:") skipped++; else failed++
	}
	printf "leaf tests and subtests: %d of %d ran and passed (%d%%), %d skipped, %d failed\n", ran, total, total ? 100 * ran / total : 0, skipped, failed
}
