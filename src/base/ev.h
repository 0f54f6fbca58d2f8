/* The event loop: one per process, single-threaded. It watches fds (epoll),
 * runs timers (monotonic ms), delivers signals through a self-pipe so handlers
 * run in loop context, and reaps registered children on SIGCHLD.
 *
 * Callbacks may add and remove any watcher, including their own. A removed
 * watcher's callback is never called again, even later in the same iteration. */
#ifndef DROVER_BASE_EV_H
#define DROVER_BASE_EV_H

#include <stdint.h>
#include <sys/types.h>

struct ev_loop;

enum {
	EV_READ = 1 << 0,  /* also reported on hang-up and error, so reads see EOF */
	EV_WRITE = 1 << 1,
};

typedef void (*ev_fd_cb)(struct ev_loop *loop, int fd, int events, void *arg);
typedef void (*ev_timer_cb)(struct ev_loop *loop, void *arg);
typedef void (*ev_child_cb)(struct ev_loop *loop, pid_t pid, int status, void *arg);
typedef void (*ev_signal_cb)(struct ev_loop *loop, int sig, void *arg);

/* Creates a loop. Only one loop per process may watch signals and children. */
struct ev_loop *ev_new(void);
/* Frees the loop and restores signal dispositions it changed. Accepts NULL. */
void ev_free(struct ev_loop *loop);

/* Watches fd for events (EV_READ|EV_WRITE), replacing any earlier watch of
 * fd. events 0 keeps the registration but disables it. Returns 0 or -errno. */
int ev_fd_set(struct ev_loop *loop, int fd, int events, ev_fd_cb cb, void *arg);
/* Stops watching fd (no-op when not watched). Call before closing fd. */
void ev_fd_del(struct ev_loop *loop, int fd);

/* Calls cb once after ms milliseconds. Returns a non-zero timer id. */
uint64_t ev_timer_add(struct ev_loop *loop, uint64_t ms, ev_timer_cb cb, void *arg);
/* Cancels a timer (no-op for 0 or an id that already fired). */
void ev_timer_del(struct ev_loop *loop, uint64_t id);

/* Calls cb when child pid exits, with its wait status; the loop reaps it. */
int ev_child_add(struct ev_loop *loop, pid_t pid, ev_child_cb cb, void *arg);
/* Forgets pid (it will still be reaped). */
void ev_child_del(struct ev_loop *loop, pid_t pid);

/* Calls cb in loop context each time sig arrives. */
int ev_signal_add(struct ev_loop *loop, int sig, ev_signal_cb cb, void *arg);

/* Monotonic time in ms, refreshed once per iteration. */
uint64_t ev_now(struct ev_loop *loop);
/* Monotonic time in ms, read now. */
uint64_t ev_clock_ms(void);

/* Runs until ev_stop is called or nothing is left to wait for (no fds,
 * timers or children). Returns 0 or -errno. */
int ev_run(struct ev_loop *loop);
/* Runs one iteration, waiting at most timeout_ms (-1: no limit). */
int ev_run_once(struct ev_loop *loop, int timeout_ms);
void ev_stop(struct ev_loop *loop);

#endif
