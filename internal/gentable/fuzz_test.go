package gentable

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadTable feeds arbitrary text to every reader and to the whole build:
// bad input must give an error, never a panic, and whatever is accepted
// must render to Go source.
func FuzzReadTable(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("..", "..", "codes", "tables", "*.tsv"))
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		"", "#", "code\tstatus\tdescription\n", "code\tstatus\tdescription\n1\t400\tx\n",
		"code\tstatus\tdescription\n000\t500\tInternal\n0\t500\tZero\n",
		"api\tcode\tname\twhy\nx\t1\tName\tbecause\n", "api\tcode\tclass\twhy\nx\t1\tnever\tbecause\n",
		"code\tstatus\tmessage\tdescription\n2006\t0\tm\td\r\n", "\xff\xfe\t\x00\n\t\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ReadOverrides(bytes.NewReader(data), "name")
		_, _ = ReadOverrides(bytes.NewReader(data), "class")
		_, _ = ReadOverrides(bytes.NewReader(data), "")
		tb, err := ReadTable(bytes.NewReader(data))
		if err != nil || len(tb.Rows) > 32 { // rendering is gofmt: keep executions quick
			return
		}
		for _, isString := range []bool{false, true} {
			c, err := Build("x", isString, "t.tsv", tb, Curation{})
			if err != nil {
				continue
			}
			if _, err := Render(c); err != nil {
				t.Errorf("accepted table does not render: %v", err)
			}
		}
	})
}

// FuzzDeriveName checks that any description gives an ASCII CamelCase name
// or nothing, without panicking.
func FuzzDeriveName(f *testing.F) {
	for _, s := range []string{"Validation Error", "Concurrency-Error. The action", "Returned if there is", "(s)", "n't", "Größe", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, desc string) {
		name := DeriveName(desc)
		for i := 0; i < len(name); i++ {
			if c := name[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
				t.Fatalf("DeriveName(%q) = %q: byte %q", desc, name, c)
			}
		}
	})
}
