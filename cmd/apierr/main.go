// Command apierr explains the error codes of the access-control APIs that
// the apierr SDK knows (dormakaba exos, entrecode, USTA, Tapkey) and
// decodes captured error responses as the SDK's client would.
//
// Usage:
//
//	apierr explain CODE [--api NAME] [--json]
//	apierr decode [--api NAME] [--status N] [--json] [FILE]
//	apierr codes [--api NAME] [--retry CLASS] [--applied] [--permission] [--json]
//
// Exit status: 0 found, 1 nothing matched (as grep), 2 usage error.
// Output is plain aligned text (no colour), or with --json an array of
// objects for scripts. Run "apierr COMMAND -h" for each command's flags
// and examples.
package main

import (
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// Exit statuses, as grep's.
const (
	exitFound     = 0
	exitNoMatch   = 1
	exitUsage     = 2
	topLevelUsage = `apierr: explain error codes and decode captured error responses of the
exos, entrecode, USTA and Tapkey APIs, as the apierr SDK does.

Usage:
  apierr explain CODE [--api NAME] [--json]
  apierr decode [--api NAME] [--status N] [--json] [FILE]
  apierr codes [--api NAME] [--retry CLASS] [--applied] [--permission] [--json]

APIs: exos, entrecode, usta, tapkey. Retry classes: never, backoff,
concurrency, transient.
Exit status: 0 found, 1 nothing matched, 2 usage error.
Run "apierr COMMAND -h" for a command's flags and examples.
`
)

// run is the whole command, with its streams passed in so that the tests
// run it in-process.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		io.WriteString(stderr, topLevelUsage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "explain":
		return runExplain(rest, stdout, stderr)
	case "decode":
		return runDecode(rest, stdin, stdout, stderr)
	case "codes":
		return runCodes(rest, stdout, stderr)
	case "-h", "-help", "--help", "help":
		io.WriteString(stdout, topLevelUsage)
		return exitFound
	}
	io.WriteString(stderr, "apierr: unknown command "+quote(cmd)+"\n\n"+topLevelUsage)
	return exitUsage
}
