/*
 * pool.c — the blocking pool: a few threads inside the runtime that run the blocking
 * system calls of file operations (open, read, write, unlink, stat) so that no worker
 * thread ever blocks on I/O (LANGUAGE.md §13). A job lives in the state of the op task
 * that submitted it; the pool holds a reference to that task from submission until it
 * has woken it, so the job's memory stays valid even if the task finishes meanwhile.
 *
 * Threads are started on demand, one per submission that finds none idle, up to
 * VEX_BLOCKING_THREADS (default 4, read when the runtime first needs the pool), and live
 * until runtime_destroy joins them (waiting for the jobs they are running: a blocking
 * system call cannot be interrupted). Jobs run in submission order; once the runtime has
 * stopped, queued jobs are left alone. A job still queued can be withdrawn (a cancelled
 * op); a running one cannot be interrupted.
 *
 * Reporting back, in this order: the job's results are written by its run function, then
 * JOB_DONE is published (release), then the task is woken (from this non-worker thread:
 * it goes to the runtime's injector) and the pool's task reference dropped, and only then
 * the in-flight count drops (rt_blocking_end): so a worker that sees the count at 0 also
 * sees the woken task queued (deadlock detection).
 *
 * Deterministic mode (virtual clock) reports differently, so that runs repeat exactly
 * whatever the jobs' real durations: a finished job goes to a list sorted by submission
 * order, and the worker, when it has nothing else to run, waits until every job in flight
 * is on that list and then wakes their tasks in that order (pool_deliver), before the
 * clock may move. Must not know what a job does.
 */
#include "internal.h"

#include <signal.h>
#include <string.h>

#define DEFAULT_THREADS 4
#define MAX_THREADS 256

static Runtime *pool_runtime(VexBlockingPool *p) {
    return (Runtime *)((char *)p - offsetof(Runtime, pool));
}

void pool_init(VexBlockingPool *p) {
    memset(p, 0, sizeof *p);
    atomic_init(&p->ndone, 0);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
}

static int configured_threads(void) {
    const char *s = getenv("VEX_BLOCKING_THREADS");
    if (!s || !*s) return DEFAULT_THREADS;
    long n = strtol(s, NULL, 10);
    if (n < 1) return 1;
    return n > MAX_THREADS ? MAX_THREADS : (int)n;
}

/* Runs one job and reports back (see the file comment for the order). */
static void run_job(Runtime *rt, VexBlockingJob *job) {
    job->run(job);
    if (rt->virtual_clock) {
        /* The idle worker wakes the task (pool_deliver); the list keeps the reference. */
        VexBlockingPool *p = &rt->pool;
        pthread_mutex_lock(&p->lock);
        atomic_store_explicit(&job->state, JOB_DONE, memory_order_release);
        VexBlockingJob **link = &p->done;
        while (*link && (*link)->seq < job->seq) link = &(*link)->next;
        job->next = *link;
        *link = job;
        atomic_fetch_add_explicit(&p->ndone, 1, memory_order_seq_cst);
        pthread_mutex_unlock(&p->lock);
        rt_blocking_notify(rt);
        return;
    }
    VexTask *t = job->task;
    atomic_store_explicit(&job->state, JOB_DONE, memory_order_release);
    rt_task_wake_release(t);
    rt_blocking_end(rt);
}

bool pool_deliver(Runtime *rt, int64_t inflight) {
    VexBlockingPool *p = &rt->pool;
    pthread_mutex_lock(&p->lock);
    if (atomic_load_explicit(&p->ndone, memory_order_relaxed) != inflight) {
        pthread_mutex_unlock(&p->lock);
        return false;
    }
    VexBlockingJob *job = p->done;
    p->done = NULL;
    atomic_store_explicit(&p->ndone, 0, memory_order_relaxed);
    pthread_mutex_unlock(&p->lock);
    while (job) {
        VexBlockingJob *next = job->next; /* read first: the task may finish and go */
        rt_task_wake_release(job->task);
        job = next;
    }
    atomic_fetch_sub_explicit(&rt->blocking_inflight, inflight, memory_order_seq_cst);
    return true;
}

/* Takes a queued job out of the queue (pool lock held). */
static void unlink_job(VexBlockingPool *p, VexBlockingJob *job) {
    if (job->prev) job->prev->next = job->next;
    else p->head = job->next;
    if (job->next) job->next->prev = job->prev;
    else p->tail = job->prev;
}

static void *pool_thread(void *arg) {
    VexBlockingPool *p = arg;
    Runtime *rt = pool_runtime(p);
    pthread_mutex_lock(&p->lock);
    while (!p->stopping) {
        /* A stopped runtime (panic, exit, deadlock, shutdown) starts no more jobs: an
         * exited program must not go on writing files. */
        VexBlockingJob *job = atomic_load_explicit(&rt->stop, memory_order_acquire) ? NULL : p->head;
        if (!job) {
            p->idle++;
            pthread_cond_wait(&p->cond, &p->lock);
            p->idle--;
            continue;
        }
        unlink_job(p, job);
        atomic_store_explicit(&job->state, JOB_RUNNING, memory_order_relaxed);
        pthread_mutex_unlock(&p->lock);
        run_job(rt, job);
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* Starts one more thread (pool lock held); false if none could be started. Signals
 * are blocked in it: the program's handlers run on its own threads. */
static bool start_thread(VexBlockingPool *p) {
    if (p->max_threads == 0) {
        p->max_threads = configured_threads();
        p->threads = calloc((size_t)p->max_threads, sizeof *p->threads);
        if (!p->threads) {
            p->max_threads = 0;
            return false;
        }
    }
    if (p->nthreads >= p->max_threads) return false;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    bool ok = pthread_create(&p->threads[p->nthreads], NULL, pool_thread, p) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (ok) p->nthreads++;
    return ok;
}

void rt_blocking_submit(WorkerContext *w, VexBlockingJob *job) {
    Runtime *rt = w->rt;
    VexBlockingPool *p = &rt->pool;
    job->task = w->current;
    job->next = NULL;
    atomic_store_explicit(&job->state, JOB_QUEUED, memory_order_relaxed);
    rt_task_retain(job->task); /* the pool's reference */
    rt_blocking_begin(rt);
    pthread_mutex_lock(&p->lock);
    job->seq = p->next_seq++;
    job->prev = p->tail;
    if (p->tail) p->tail->next = job;
    else p->head = job;
    p->tail = job;
    bool run_here = false;
    if (p->idle == 0 && !p->stopping && !start_thread(p) && p->nthreads == 0) {
        /* No thread could be started at all (resource exhaustion): run the job on this
         * worker rather than never; it blocks the worker, the lesser evil. */
        unlink_job(p, job);
        atomic_store_explicit(&job->state, JOB_RUNNING, memory_order_relaxed);
        run_here = true;
    } else {
        pthread_cond_signal(&p->cond);
    }
    pthread_mutex_unlock(&p->lock);
    if (run_here) run_job(rt, job);
}

bool rt_blocking_withdraw(Runtime *rt, VexBlockingJob *job) {
    VexBlockingPool *p = &rt->pool;
    pthread_mutex_lock(&p->lock);
    bool queued = atomic_load_explicit(&job->state, memory_order_relaxed) == JOB_QUEUED;
    if (queued) {
        unlink_job(p, job);
        atomic_store_explicit(&job->state, JOB_WITHDRAWN, memory_order_relaxed);
    }
    pthread_mutex_unlock(&p->lock);
    if (!queued) return false;
    vex_future_release((VexFuture *)job->task); /* the pool's reference (never the last) */
    rt_blocking_end(rt);
    return true;
}

void pool_destroy(VexBlockingPool *p) {
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->nthreads; i++) pthread_join(p->threads[i], NULL);
    free(p->threads);
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->lock);
}
