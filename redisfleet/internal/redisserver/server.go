// Package redisserver starts a throwaway redis-server (Debian's package) on a
// unix socket, for the fleet's tests and its example program: persistence
// off, stopped by PID.
package redisserver

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Binary is the program started; tests skip when it cannot be found.
const Binary = "redis-server"

// readyTimeout bounds the wait for a new server to answer PING.
const readyTimeout = 10 * time.Second

// Server is one running redis-server.
type Server struct {
	Socket string // the unix socket it listens on

	dir  string
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
}

// Available reports whether redis-server can be started here.
func Available() (string, bool) {
	p, err := exec.LookPath(Binary)
	return p, err == nil
}

// Start starts redis-server listening only on a unix socket in a new
// directory under dir (kept short: a socket path is limited to about 100
// bytes) and waits until it answers PING.
func Start(dir string) (*Server, error) {
	bin, ok := Available()
	if !ok {
		return nil, errors.New("redisserver: " + Binary + " not found in PATH (Debian: apt-get install -y redis-server)")
	}
	d, err := os.MkdirTemp(dir, "rs")
	if err != nil {
		return nil, fmt.Errorf("redisserver: %w", err)
	}
	s := &Server{Socket: filepath.Join(d, "redis.sock"), dir: d, done: make(chan struct{})}
	s.cmd = exec.Command(bin,
		"--port", "0", "--unixsocket", s.Socket, "--unixsocketperm", "700",
		"--save", "", "--appendonly", "no", "--dir", d,
		"--daemonize", "no", "--loglevel", "warning", "--logfile", "")
	s.cmd.Stdout, s.cmd.Stderr = nil, nil
	if err := s.cmd.Start(); err != nil {
		_ = os.RemoveAll(d)
		return nil, fmt.Errorf("redisserver: starting %s: %w", bin, err)
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	if err := s.waitReady(readyTimeout); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// PID is the server's process id.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// waitReady polls PING until the server answers or d passes.
func (s *Server) waitReady(d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		if err := s.Ping(200 * time.Millisecond); err == nil {
			return nil
		}
		select {
		case <-s.done:
			return errors.New("redisserver: redis-server exited before answering")
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redisserver: redis-server did not answer PING within %v", d)
		}
	}
}

// Ping sends PING over a fresh connection and reports whether PONG came back
// within d.
func (s *Server) Ping(d time.Duration) error {
	c, err := net.DialTimeout("unix", s.Socket, d)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(d))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return fmt.Errorf("redisserver: PING answered %q", strings.TrimSpace(line))
	}
	return nil
}

// Pause stops the process (SIGSTOP): connections stay open, nothing answers.
func (s *Server) Pause() error { return s.cmd.Process.Signal(syscall.SIGSTOP) }

// Resume continues a paused process (SIGCONT).
func (s *Server) Resume() error { return s.cmd.Process.Signal(syscall.SIGCONT) }

// Kill ends the process at once (SIGKILL) and waits for it to exit.
func (s *Server) Kill() {
	_ = s.cmd.Process.Signal(syscall.SIGCONT) // a paused process must run to die promptly
	_ = s.cmd.Process.Kill()
	<-s.done
}

// Stop kills the process by its PID, waits for it and removes its directory.
// It is safe to call more than once.
func (s *Server) Stop() {
	select {
	case <-s.done:
	default:
		s.Kill()
	}
	_ = os.RemoveAll(s.dir)
}
