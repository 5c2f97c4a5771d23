// Command fleet starts N worker processes (this program, run again) that
// share one exos session through a local redis-server, against the exos fake
// of apierrtest that allows one session at a time, and prints the counts:
// one login and one logout however many workers call.
//
//	go run ./examples/fleet -workers 4 -calls 20
//
// It needs redis-server (Debian: apt-get install -y redis-server); without it
// it says so and skips the run (exit status 0).
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/apierrtest"
	"github.com/accessapi/apierr/redisfleet"
	"github.com/accessapi/apierr/redisfleet/internal/redisserver"
	"github.com/redis/go-redis/v9"
)

// workerEnv carries a worker's job; its presence makes this process a worker.
const workerEnv = "APIERR_FLEET_EXAMPLE_WORKER"

func main() {
	if job := os.Getenv(workerEnv); job != "" {
		if err := work(job); err != nil {
			fmt.Fprintln(os.Stderr, "worker:", err)
			os.Exit(1)
		}
		return
	}
	workers := flag.Int("workers", 4, "worker processes")
	calls := flag.Int("calls", 20, "calls per worker")
	flag.Parse()
	if *workers < 1 || *calls < 1 {
		fmt.Fprintln(os.Stderr, "fleet: -workers and -calls must be at least 1")
		os.Exit(2)
	}
	if _, ok := redisserver.Available(); !ok {
		fmt.Fprintf(os.Stderr, "fleet: skipped: %s not found; install it (Debian: apt-get install -y redis-server) to run this example\n", redisserver.Binary)
		return
	}
	if err := run(os.Stdout, *workers, *calls); err != nil {
		fmt.Fprintln(os.Stderr, "fleet:", err)
		os.Exit(1)
	}
}

// run starts redis-server, the exos fake and the workers, and prints what
// the fake counted.
func run(out io.Writer, workers, calls int) error {
	rs, err := redisserver.Start("")
	if err != nil {
		return err
	}
	defer rs.Stop()
	ex := apierrtest.NewExos(apierrtest.WithMaxSessions(1))
	defer ex.Close()
	key := make([]byte, redisfleet.KeySize)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	c := ex.Credentials()
	// job: socket, key, base URL, login URL, logout URL, API key, user, password, calls
	job := strings.Join([]string{rs.Socket, hex.EncodeToString(key), ex.URL() + "/", ex.LoginURL(), ex.LogoutURL(),
		c.APIKey, c.UserName, c.Password, strconv.Itoa(calls)}, "\n")

	procs := make([]*exec.Cmd, workers)
	ins := make([]io.WriteCloser, workers)
	outs := make([]*bufio.Scanner, workers)
	defer func() {
		for _, p := range procs {
			if p != nil && p.ProcessState == nil {
				_ = p.Process.Kill()
				_ = p.Wait()
			}
		}
	}()
	for i := range procs {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), workerEnv+"="+job)
		cmd.Stderr = os.Stderr
		if ins[i], err = cmd.StdinPipe(); err != nil {
			return err
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			return err
		}
		outs[i] = bufio.NewScanner(out)
		if err := cmd.Start(); err != nil {
			return err
		}
		procs[i] = cmd
	}
	// Every worker makes its calls, then all close together: only the last
	// of them to close logs the shared session out.
	ok := 0
	for i, sc := range outs {
		if !sc.Scan() {
			return fmt.Errorf("worker %d ended early", i+1)
		}
		n, err := strconv.Atoi(strings.TrimPrefix(sc.Text(), "ok "))
		if err != nil {
			return fmt.Errorf("worker %d: %s", i+1, sc.Text())
		}
		ok += n
	}
	for _, in := range ins {
		_, _ = io.WriteString(in, "close\n")
		_ = in.Close()
	}
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for i, p := range procs {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = p.Wait() }()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("worker %d: %w", i+1, err)
		}
	}
	fmt.Fprintf(out, "%d worker processes, %d calls ok of %d\n", workers, ok, workers*calls)
	fmt.Fprintf(out, "exos logins: %d, logouts: %d (the server allows 1 session)\n", ex.Logins(), ex.Logouts())
	return nil
}

// work is one worker: calls through a client that shares the session, then
// waits for "close" and closes it.
func work(job string) error {
	f := strings.Split(job, "\n")
	if len(f) != 9 {
		return fmt.Errorf("bad job")
	}
	key, err := hex.DecodeString(f[1])
	if err != nil {
		return err
	}
	calls, err := strconv.Atoi(f[8])
	if err != nil {
		return err
	}
	rdb := redis.NewClient(redisfleet.ClientOptions("unix", f[0]))
	defer rdb.Close()
	fleet, err := redisfleet.New(rdb, key)
	if err != nil {
		return err
	}
	client, err := apierr.New(
		apierr.WithBaseURL(f[2]),
		apierr.WithExosSession(apierr.ExosSession{LoginURL: f[3], LogoutURL: f[4], APIKey: f[5], UserName: f[6], Password: f[7]}),
		apierr.WithFleet(fleet),
	)
	if err != nil {
		return err
	}
	ok := 0
	for i := 0; i < calls; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		req, err := client.NewRequest(ctx, http.MethodGet, "ExosApi/api/v1.0/persons", nil)
		if err == nil {
			_, err = client.Do(req, io.Discard)
		}
		cancel()
		if err != nil {
			fmt.Fprintln(os.Stderr, "worker: call:", err)
			continue
		}
		ok++
	}
	fmt.Println("ok " + strconv.Itoa(ok))
	in := bufio.NewScanner(os.Stdin)
	in.Scan() // "close", or the parent went away
	return client.Close()
}
