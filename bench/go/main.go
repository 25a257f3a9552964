// Go baselines for bench/run.sh: the same async workloads as bench/vex/*.vx, with
// goroutines (GOMAXPROCS=2). A Vex future is modelled as a goroutine that sends its
// result on a buffered channel of its own. Also the string workload of the values group
// (bench/vex/strings.vx) and the channel workloads of the channels group
// (bench/vex/chan_*.vx). Usage: gobench WORKLOAD N
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

// Unbuffered ping-pong: main sends i on ping, the other goroutine answers i + 1 on pong,
// n round trips; prints the sum of the answers (bench/vex/chan_pingpong.vx).
func chanPingPong(n int64) int64 {
	ping := make(chan int64)
	pong := make(chan int64)
	go func() {
		for i := int64(0); i < n; i++ {
			v := <-ping
			pong <- v + 1
		}
	}()
	var s int64
	for i := int64(0); i < n; i++ {
		ping <- i
		s += <-pong
	}
	return s
}

// One producer sends 0..n-1 through a channel of capacity 1024 and closes it; main
// receives until it is closed and sums (bench/vex/chan_spsc.vx).
func chanSPSC(n int64) int64 {
	ch := make(chan int64, 1024)
	go func() {
		for i := int64(0); i < n; i++ {
			ch <- i
		}
		close(ch)
	}()
	var s int64
	for v := range ch {
		s += v
	}
	return s
}

// 4 producers each send a quarter of 0..n-1 through one channel of capacity 1024 to 4
// consumers; main waits for the producers, closes the channel and adds up the
// consumers' sums (bench/vex/chan_mpmc.vx).
func chanMPMC(n int64) int64 {
	ch := make(chan int64, 1024)
	var pdone [4]chan struct{}
	var sums [4]chan int64
	for p := int64(0); p < 4; p++ {
		d := make(chan struct{}, 1)
		pdone[p] = d
		lo, hi := p*n/4, (p+1)*n/4
		go func() {
			for i := lo; i < hi; i++ {
				ch <- i
			}
			d <- struct{}{}
		}()
	}
	for c := 0; c < 4; c++ {
		out := make(chan int64, 1)
		sums[c] = out
		go func() {
			var s int64
			for v := range ch {
				s += v
			}
			out <- s
		}()
	}
	for p := 0; p < 4; p++ {
		<-pdone[p]
	}
	close(ch)
	var s int64
	for c := 0; c < 4; c++ {
		s += <-sums[c]
	}
	return s
}

// select over two channels of capacity 1 that always hold a value: each iteration
// receives from one of them (chosen at random by select) and puts the value back; prints
// the number of receives and whether both arms were taken more than n/4 times
// (bench/vex/chan_select.vx).
func chanSelect(n int64) {
	a := make(chan int64, 1)
	b := make(chan int64, 1)
	a <- 1
	b <- 1
	var na, nb int64
	for i := int64(0); i < n; i++ {
		select {
		case x := <-a:
			na += x
			a <- x
		case y := <-b:
			nb += y
			b <- y
		}
	}
	fmt.Println(na + nb)
	fmt.Println(na > n/4 && nb > n/4)
}

// n goroutines started and all waited for, their results collected in start order, then
// summed (bench/vex/join_all.vx: joinAll of n futures).
func joinAll(n int64) int64 {
	results := make([]int64, n)
	var wg sync.WaitGroup
	wg.Add(int(n))
	for i := int64(0); i < n; i++ {
		go func(i int64) {
			results[i] = i
			wg.Done()
		}(i)
	}
	wg.Wait()
	var s int64
	for _, v := range results {
		s += v
	}
	return s
}

// n empty unbuffered channels held in a slice (bench/vex/chan_many.vx).
func chanMany(n int64) {
	v := make([]chan int64, 0, n)
	for i := int64(0); i < n; i++ {
		v = append(v, make(chan int64))
	}
	fmt.Println(len(v))
	runtime.KeepAlive(v)
}

// n goroutines parked on a receive from one channel that never gets a value (recv), or
// on a 15 s sleep (sleep); once they are parked the process exits on the spot
// (bench/vex/chan_parked.vx).
func chanParked(n int64, recv bool) {
	ch := make(chan int64)
	for i := int64(0); i < n; i++ {
		if recv {
			go func() { <-ch }()
		} else {
			go func() { time.Sleep(15 * time.Second) }()
		}
	}
	runtime.Gosched()
	runtime.Gosched()
	time.Sleep(200 * time.Millisecond)
	fmt.Println(n)
	os.Exit(0)
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
		case "chan_pingpong":
			fmt.Println(chanPingPong(n))
		case "chan_spsc":
			fmt.Println(chanSPSC(n))
		case "chan_mpmc":
			fmt.Println(chanMPMC(n))
		case "chan_select":
			chanSelect(n)
		case "chan_many":
			chanMany(n)
		case "join_all":
			fmt.Println(joinAll(n))
		case "chan_parked_recv":
			chanParked(n, true)
		case "chan_parked_sleep":
			chanParked(n, false)
		default:
			panic("unknown workload " + os.Args[1])
		}
		close(done)
	}()
	<-done
}
