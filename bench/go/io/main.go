// The io group of bench/run.sh (see bench/README.md): Go's servers and file reader, and the
// clients that drive every implementation's servers (the same client for Vex, Go and tokio).
//
//	goio http PORT DEADLINE_MS        net/http "Hello, world!" server (GOMAXPROCS=2)
//	goio echo PORT DEADLINE_MS        TCP echo server, a goroutine per connection
//	goio files DIR N                  reads DIR/small/0..N-1 (os.ReadFile, a goroutine each)
//	                                  and DIR/big in 1 MiB reads; prints the byte counts
//	goio echoclient PORT CONNS ROUNDS SIZE
//	                                  CONNS connections, each sends SIZE bytes and reads them
//	                                  back ROUNDS times; prints the bytes and the elapsed time
//	goio idleclient PORT N            one request on a connection that it closes (warm-up),
//	                                  "warm" on stdout; after a line on stdin, N connections
//	                                  with one request each, kept open, "ready N"; exits at
//	                                  the next line or end of stdin
//
// Servers print "listening on PORT" and exit after DEADLINE_MS in any case.
package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"
)

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	return n
}

func listen(port string) net.Listener {
	l, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cannot listen:", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %d\n", l.Addr().(*net.TCPAddr).Port)
	return l
}

func deadline(ms string) {
	time.AfterFunc(time.Duration(atoi(ms))*time.Millisecond, func() {
		fmt.Fprintln(os.Stderr, "deadline reached")
		os.Exit(0)
	})
}

func httpServer(port, ms string) {
	deadline(ms)
	l := listen(port)
	body := []byte("Hello, world!")
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write(body)
	})
	http.Serve(l, h)
}

func echoServer(port, ms string) {
	deadline(ms)
	l := listen(port)
	for {
		c, err := l.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, "accept failed:", err)
			continue
		}
		go func(c net.Conn) {
			defer c.Close()
			buf := make([]byte, 16384)
			for {
				n, err := c.Read(buf)
				if n > 0 {
					if _, err := c.Write(buf[:n]); err != nil {
						return
					}
				}
				if err != nil {
					return
				}
			}
		}(c)
	}
}

func files(dir string, n int) {
	sizes := make([]int, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			b, err := os.ReadFile(fmt.Sprintf("%s/small/%d", dir, i))
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			sizes[i] = len(b)
		}(i)
	}
	wg.Wait()
	small := 0
	for _, s := range sizes {
		small += s
	}
	fmt.Printf("small files %d bytes %d\n", n, small)
	f, err := os.Open(dir + "/big")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	total := 0
	for {
		k, err := f.Read(buf)
		total += k
		if err == io.EOF {
			break
		} else if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	fmt.Printf("big file bytes %d\n", total)
}

func dial(port string) net.Conn {
	for tries := 0; ; tries++ {
		c, err := net.Dial("tcp", "127.0.0.1:"+port)
		if err == nil {
			return c
		}
		if tries == 50 {
			fmt.Fprintln(os.Stderr, "connect:", err)
			os.Exit(1)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func echoClient(port string, conns, rounds, size int) {
	cs := make([]net.Conn, conns)
	for i := range cs {
		cs[i] = dial(port)
	}
	msg := make([]byte, size)
	for i := range msg {
		msg[i] = byte('a' + i%26)
	}
	start := time.Now()
	var wg sync.WaitGroup
	var bad sync.Once
	for _, c := range cs {
		wg.Add(1)
		go func(c net.Conn) {
			defer wg.Done()
			buf := make([]byte, size)
			for r := 0; r < rounds; r++ {
				if _, err := c.Write(msg); err != nil {
					bad.Do(func() { fmt.Fprintln(os.Stderr, "write:", err); os.Exit(1) })
				}
				if _, err := io.ReadFull(c, buf); err != nil {
					bad.Do(func() { fmt.Fprintln(os.Stderr, "read:", err); os.Exit(1) })
				}
			}
		}(c)
	}
	wg.Wait()
	elapsed := time.Since(start)
	for _, c := range cs {
		c.Close()
	}
	fmt.Printf("round trips %d bytes %d seconds %.6f\n", conns*rounds, 2*conns*rounds*size, elapsed.Seconds())
}

const request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

// One request on c; reads the answer up to its 13-byte body.
func hello(c net.Conn, r *bufio.Reader) {
	if _, err := c.Write([]byte(request)); err != nil {
		fmt.Fprintln(os.Stderr, "write:", err)
		os.Exit(1)
	}
	length := -1
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			fmt.Fprintln(os.Stderr, "read:", err)
			os.Exit(1)
		}
		if len(line) > 16 && (line[:16] == "Content-Length: " || line[:16] == "content-length: ") {
			length = atoi(line[16 : len(line)-2])
		}
		if line == "\r\n" {
			break
		}
	}
	if _, err := io.ReadFull(r, make([]byte, length)); err != nil {
		fmt.Fprintln(os.Stderr, "read body:", err)
		os.Exit(1)
	}
}

func idleClient(port string, n int) {
	in := bufio.NewReader(os.Stdin)
	c := dial(port)
	hello(c, bufio.NewReader(c))
	c.Close()
	fmt.Println("warm")
	in.ReadString('\n')
	cs := make([]net.Conn, n)
	var wg sync.WaitGroup
	const par = 64 // connections opened at once (the listen backlog stays short)
	for w := 0; w < par; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += par {
				c := dial(port)
				hello(c, bufio.NewReader(c))
				cs[i] = c
			}
		}(w)
	}
	wg.Wait()
	fmt.Printf("ready %d\n", n)
	in.ReadString('\n')
}

func main() {
	a := os.Args
	switch a[1] {
	case "http":
		httpServer(a[2], a[3])
	case "echo":
		echoServer(a[2], a[3])
	case "files":
		files(a[2], atoi(a[3]))
	case "echoclient":
		echoClient(a[2], atoi(a[3]), atoi(a[4]), atoi(a[5]))
	case "idleclient":
		idleClient(a[2], atoi(a[3]))
	default:
		panic("unknown workload " + a[1])
	}
}
