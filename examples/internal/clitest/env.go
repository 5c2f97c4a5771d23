package clitest

// Env returns a getenv over vars; nil means nothing is set.
func Env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// With returns a copy of vars in which k is v, for a table of usage cases
// that each spoil one variable of a full set.
func With(vars map[string]string, k, v string) map[string]string {
	m := map[string]string{k: v}
	for k2, v2 := range vars {
		if k2 != k {
			m[k2] = v2
		}
	}
	return m
}
