// Package clitest is the test scaffolding the example programs share: a
// made-up environment, a run with its output captured, and checks of the
// lines it printed.
package clitest
