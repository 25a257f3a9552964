// Go baselines for bench/run.sh: the same async workloads as bench/vex/*.vx, with
// goroutines (GOMAXPROCS=2). A Vex future is modelled as a goroutine that sends its
// result on a buffered channel of its own. Also the string workload of the values group
// (bench/vex/strings.vx). Usage: gobench WORKLOAD N
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

func spawnLeaf(x int64) chan int64 {
	c := make(chan int64, 1)
	go func() { c <- x }()
	return c
}

// N calls spawned and joined in batches of 8 (bench/vex/spawn_join.vx).
func spawnJoin(n int64) int64 {
	var sum int64
	for i := int64(0); i < n; i += 8 {
		f0 := spawnLeaf(i)
		f1 := spawnLeaf(i + 1)
		f2 := spawnLeaf(i + 2)
		f3 := spawnLeaf(i + 3)
		f4 := spawnLeaf(i + 4)
		f5 := spawnLeaf(i + 5)
		f6 := spawnLeaf(i + 6)
		f7 := spawnLeaf(i + 7)
		sum += <-f0 + <-f1 + <-f2 + <-f3
		sum += <-f4 + <-f5 + <-f6 + <-f7
	}
	return sum
}

// Fan-out tree: each task spawns two children down to depth d (bench/vex/tree.vx).
func tree(d int64, out chan int64) {
	if d == 0 {
		out <- 1
		return
	}
	a := make(chan int64, 1)
	b := make(chan int64, 1)
	go tree(d-1, a)
	go tree(d-1, b)
	out <- <-a + <-b
}

func player(n int64, out chan int64) {
	i := int64(0)
	for i < n {
		runtime.Gosched()
		i++
	}
	out <- i
}

// Two goroutines each yield n times (bench/vex/yield.vx).
func yields(n int64) int64 {
	a := make(chan int64, 1)
	b := make(chan int64, 1)
	go player(n, a)
	go player(n, b)
	return <-a + <-b
}

// n goroutines sleeping 1..100 ms, all joined (bench/vex/sleeps.vx).
func sleeps(n int64) {
	var wg sync.WaitGroup
	wg.Add(int(n))
	for i := int64(0); i < n; i++ {
		ms := 1 + i%100
		go func() {
			time.Sleep(time.Duration(ms) * time.Millisecond)
			wg.Done()
		}()
	}
	wg.Wait()
}

// n goroutines parked on a 15 s sleep; once they are parked the process exits on the
// spot (bench/vex/suspended.vx).
func suspended(n int64) {
	for i := int64(0); i < n; i++ {
		go func() { time.Sleep(15 * time.Second) }()
	}
	runtime.Gosched()
	runtime.Gosched()
	time.Sleep(200 * time.Millisecond)
	os.Exit(0)
}

// n appends of a 10-byte line to a strings.Builder, then strings.Split at "\n" and
// strings.Join with "\n"; prints the number of parts and the joined length
// (bench/vex/strings.vx).
func stringWork(n int64) {
	var b strings.Builder
	for i := int64(0); i < n; i++ {
		b.WriteString("abcdefghi\n")
	}
	s := b.String()
	parts := strings.Split(s, "\n")
	joined := strings.Join(parts, "\n")
	fmt.Printf("%d %d\n", len(parts), len(joined))
}

func main() {
	n, err := strconv.ParseInt(os.Args[2], 10, 64)
	if err != nil {
		panic(err)
	}
	// Like Vex's main, the workload's main runs as a goroutine of its own.
	done := make(chan struct{})
	go func() {
		switch os.Args[1] {
		case "spawn_join":
			fmt.Println(spawnJoin(n))
		case "tree":
			out := make(chan int64, 1)
			go tree(n, out)
			fmt.Println(<-out)
		case "yield":
			fmt.Println(yields(n))
		case "sleeps":
			sleeps(n)
		case "suspended":
			suspended(n)
		case "strings":
			stringWork(n)
		default:
			panic("unknown workload " + os.Args[1])
		}
		close(done)
	}()
	<-done
}
