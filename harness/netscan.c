/*
 * netscan.c - epoll-driven TCP connect scan and banner grab.
 *
 * Workers (threads with an epoll set each) claim ports from a shared
 * counter, in order.  Connects in flight share one deadline length, so
 * each worker's in-flight set is a FIFO: expiry only ever looks at its
 * head.  Right after connect() the socket's error is read once: on
 * loopback and on a fast LAN the refusal is already there, the port is
 * settled without epoll, and the socket is disconnected and reused for
 * the next port.  Saving the socket()/close() pair and the epoll calls
 * halves the cost of a closed port.
 *
 * An open port becomes a job at once: its banner windows run while the
 * scan goes on.  A job reads the greeting for banner_ms; a silent
 * service then gets the HTTP probe on the same connection or, with
 * SCAN_TLS_PROBE, a ClientHello on a second connection and, unless it
 * answers in TLS, the HTTP probe on a third; each answer is read for
 * banner_ms.  Jobs come from a pool sized from the descriptor limit; an
 * open port found while the pool is full is closed and connected again
 * later.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness/cb_error.h"
#include "harness/cb_time.h"
#include "harness/netscan.h"

#define SCAN_HTTP_PROBE	   "HEAD / HTTP/1.0\r\n\r\n"
#define SCAN_FD_RESERVE	   64	/* descriptors left to the rest of us */
#define SCAN_CLAIM_BATCH   64	/* connects started between epoll looks */
#define SCAN_MAX_WORKERS   4
#define SCAN_MANY_PORTS	   4096 /* below this, one worker */
#define SCAN_POOL_MAX	   1024 /* banner jobs per worker */
#define SCAN_BUSY_MAX	   200	/* 10 ms waits for a descriptor/port */
#define SCAN_PENDING	   0xff
#define SCAN_EV_JOB	   (1ull << 63)

/*
 * A TLS 1.2 ClientHello any TLS 1.0-1.3 stack answers with a ServerHello
 * or an alert: ECDHE/RSA suites with AES-GCM, ChaCha20, AES-CBC and 3DES,
 * groups x25519/P-256/P-384, the usual signature algorithms, extended
 * master secret.  No SNI (we may only have an address), fixed random
 * (this is a probe, no key is ever derived).
 */
static const unsigned char scan_hello[] = {
	0x16, 0x03, 0x01, 0x00, 0x7b,		/* handshake record, 123 */
	0x01, 0x00, 0x00, 0x77,			/* ClientHello, 119 */
	0x03, 0x03,				/* TLS 1.2 */
	0x63, 0x65, 0x72, 0x74, 0x62, 0x65, 0x6e, 0x63, /* random */
	0x68, 0x20, 0x6e, 0x65, 0x74, 0x73, 0x63, 0x61,
	0x6e, 0x20, 0x54, 0x4c, 0x53, 0x20, 0x70, 0x72,
	0x6f, 0x62, 0x65, 0x20, 0x76, 0x31, 0x2e, 0x30,
	0x00,					/* no session id */
	0x00, 0x20,				/* 16 cipher suites */
	0xc0, 0x2b, 0xc0, 0x2f, 0xc0, 0x2c, 0xc0, 0x30,
	0xcc, 0xa9, 0xcc, 0xa8, 0xc0, 0x09, 0xc0, 0x13,
	0xc0, 0x0a, 0xc0, 0x14, 0x00, 0x9c, 0x00, 0x9d,
	0x00, 0x2f, 0x00, 0x35, 0x00, 0x0a, 0x00, 0xff,
	0x01, 0x00,				/* null compression */
	0x00, 0x2e,				/* extensions, 46 */
	0x00, 0x0a, 0x00, 0x08, 0x00, 0x06,	/* supported_groups */
	0x00, 0x1d, 0x00, 0x17, 0x00, 0x18,
	0x00, 0x0b, 0x00, 0x02, 0x01, 0x00,	/* ec_point_formats */
	0x00, 0x0d, 0x00, 0x14, 0x00, 0x12,	/* signature_algorithms */
	0x04, 0x03, 0x08, 0x04, 0x04, 0x01, 0x05, 0x03, 0x08, 0x05,
	0x05, 0x01, 0x08, 0x06, 0x06, 0x01, 0x02, 0x01,
	0x00, 0x17, 0x00, 0x00,			/* extended_master_secret */
};
_Static_assert(sizeof(scan_hello) == 128, "ClientHello lengths");

const unsigned char *scan_tls_hello(size_t *len)
{
	*len = sizeof(scan_hello);
	return scan_hello;
}

const char *scan_state_name(enum scan_state st)
{
	switch (st) {
	case SCAN_OPEN: return "open";
	case SCAN_CLOSED: return "closed";
	case SCAN_FILTERED: return "filtered";
	case SCAN_OPEN_FILTERED: return "open|filtered";
	}
	return "?";
}

const char *scan_probe_name(enum scan_probe pr)
{
	switch (pr) {
	case SCAN_PROBE_HTTP: return "http";
	case SCAN_PROBE_TLS: return "tls";
	case SCAN_PROBE_NONE: break;
	}
	return "none";
}

/* ---- port lists ------------------------------------------------------ */

/* A decimal number of 1 to 5 digits; *s moves past it. */
static int scan_parse_num(const char **s, long *v)
{
	const char *p = *s;
	long x = 0;
	int digits = 0;

	while (*p >= '0' && *p <= '9') {
		if (++digits > 5)
			return -1;
		x = x * 10 + (*p++ - '0');
	}
	if (!digits)
		return -1;
	*v = x;
	*s = p;
	return 0;
}

int scan_parse_ports(const char *spec, int **out, size_t *n,
		     struct cb_error *err)
{
	unsigned char *seen = calloc(65536, 1);
	const char *p = spec, *tok;
	long lo, hi, k;
	size_t cnt = 0;
	int rc = CB_OK;

	*out = NULL;
	*n = 0;
	if (!seen)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	for (;;) {
		tok = p;
		if (scan_parse_num(&p, &lo))
			goto bad;
		hi = lo;
		if (*p == '-') {
			p++;
			if (scan_parse_num(&p, &hi))
				goto bad;
		}
		if ((*p && *p != ',') || lo < 1 || hi > 65535 || lo > hi)
			goto bad;
		for (k = lo; k <= hi; k++)
			seen[k] = 1;
		if (!*p++)
			break;
	}
	for (k = 1; k < 65536; k++)
		cnt += seen[k];
	*out = malloc(cnt * sizeof(int));
	if (!*out) {
		rc = cb_error_set(err, CB_ENOMEM, "out of memory");
		goto out;
	}
	for (k = 1; k < 65536; k++)
		if (seen[k])
			(*out)[(*n)++] = (int)k;
	goto out;
bad:
	k = (long)strcspn(tok, ",");
	rc = cb_error_set(err, CB_EINVAL,
			  "bad port range '%.*s' (want 1-65535)",
			  k < 40 ? (int)k : 40, tok);
out:
	free(seen);
	return rc;
}

/* ---- the scan --------------------------------------------------------- */

struct scan_shared {
	const struct addrinfo *ai;
	const struct scan_opts *o;
	const int *ports;
	size_t nports;
	unsigned char *state;		/* per ports[] index */
	atomic_size_t next;		/* next index to claim */
	atomic_int stop;		/* a worker failed */
	pthread_mutex_t mu;		/* serialises o->on_port */
};

struct scan_slot {			/* a connect in flight */
	int fd;
	size_t idx;
	int64_t started;
};

enum scan_ch_state { CH_IDLE, CH_CONNECTING, CH_READING, CH_DONE };

struct scan_chan {
	int fd;
	enum scan_ch_state st;
	int dead;			/* EOF, error or no connection */
	int64_t deadline;
	const void *hello;		/* sent once connected */
	size_t hello_len;
	size_t len;
	unsigned char buf[SCAN_BANNER_MAX];
};

enum scan_stage { JOB_FREE, JOB_GREET, JOB_TLS, JOB_HTTP };

struct scan_job {			/* an open port whose banner is read */
	enum scan_stage stage;
	size_t open;			/* index in the worker's open list */
	struct scan_chan ch[2];		/* greeting, then HTTP; TLS probe */
};

struct scan_later {			/* an open port waiting for a job */
	size_t open;
	int fd;				/* -1: connect again */
};

struct scan_worker {
	struct scan_shared *sh;
	int ep, spare;			/* spare: a reusable socket or -1 */
	struct scan_slot *q;		/* ring of connects in flight */
	size_t head, count, cap, limit;
	size_t retry;			/* claimed index to start again */
	int busy, claimed_all;
	struct scan_job *pool;
	size_t pool_cap, active, held;	/* held: fds kept in later[] */
	struct scan_port *open;
	size_t nopen, open_cap;
	struct scan_later *later;
	size_t nlater, later_head, later_cap;
	struct cb_error err;
	pthread_t th;
	int running;
};

static void scan_notify(struct scan_worker *w, const struct scan_port *p)
{
	const struct scan_opts *o = w->sh->o;

	if (!o->on_port)
		return;
	pthread_mutex_lock(&w->sh->mu);
	o->on_port(o->ctx, p);
	pthread_mutex_unlock(&w->sh->mu);
}

static void scan_settle(struct scan_worker *w, size_t idx,
			enum scan_state st)
{
	struct scan_port p = {.port = w->sh->ports[idx], .state = st};

	w->sh->state[idx] = (unsigned char)st;
	scan_notify(w, &p);
}

/* What a failed connect says about the port; -1: our own shortage. */
static int scan_classify(int e)
{
	switch (e) {
	case ECONNREFUSED:
		return SCAN_CLOSED;
	case ETIMEDOUT:
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EHOSTDOWN:
	case ENETDOWN:
	case EACCES:
	case EPERM:
		return SCAN_FILTERED;
	case EADDRNOTAVAIL:
	case EAGAIN:
	case ENOBUFS:
	case ENOMEM:
	case EMFILE:
	case ENFILE:
		return -1;
	default:
		return SCAN_CLOSED;
	}
}

static void scan_addr(const struct scan_shared *sh, int port,
		      struct sockaddr_storage *sa)
{
	memcpy(sa, sh->ai->ai_addr, sh->ai->ai_addrlen);
	if (sh->ai->ai_family == AF_INET6)
		((struct sockaddr_in6 *)sa)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)sa)->sin_port = htons((uint16_t)port);
}

static int scan_socket(const struct scan_shared *sh)
{
	return socket(sh->ai->ai_family,
		      SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

/* Non-blocking connect: 0 connected, EINPROGRESS, or the error. */
static int scan_connect(int fd, const struct scan_shared *sh,
			const struct sockaddr_storage *sa)
{
	socklen_t el = sizeof(int);
	int e = 0;

	if (connect(fd, (const struct sockaddr *)sa, sh->ai->ai_addrlen) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return errno;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) || !e)
		return EINPROGRESS;
	return e;
}

/*
 * A connect to a free local port can pick that very port as its source
 * and meet itself (TCP simultaneous open): nothing listens there.
 */
static int scan_self(int fd)
{
	struct sockaddr_storage a, b;
	socklen_t la = sizeof(a), lb = sizeof(b);

	if (getsockname(fd, (struct sockaddr *)&a, &la) ||
	    getpeername(fd, (struct sockaddr *)&b, &lb))
		return 0;
	return la == lb && !memcmp(&a, &b, la);
}

/* Keep a refused socket for the next port (connect AF_UNSPEC resets it). */
static void scan_keep_spare(struct scan_worker *w, int fd)
{
	struct sockaddr un = {.sa_family = AF_UNSPEC};

	if (w->spare < 0 && !connect(fd, &un, sizeof(un)))
		w->spare = fd;
	else
		close(fd);
}

/* ---- banner jobs ------------------------------------------------------ */

static int scan_chan_busy(const struct scan_chan *ch)
{
	return ch->st == CH_CONNECTING || ch->st == CH_READING;
}

static int scan_watch(struct scan_worker *w, size_t j, int c, int op)
{
	struct scan_chan *ch = &w->pool[j].ch[c];
	struct epoll_event ev = {
		.events = ch->st == CH_CONNECTING ? EPOLLOUT : EPOLLIN,
		.data.u64 = SCAN_EV_JOB | ((uint64_t)j << 1) | (uint64_t)c,
	};

	return epoll_ctl(w->ep, op, ch->fd, &ev);
}

static void scan_chan_end(struct scan_worker *w, struct scan_chan *ch,
			  int dead)
{
	if (scan_chan_busy(ch))
		epoll_ctl(w->ep, EPOLL_CTL_DEL, ch->fd, NULL);
	ch->st = CH_DONE;
	ch->dead |= dead;
}

/* An ended channel's connection goes (its data stays). */
static void scan_chan_close(struct scan_chan *ch)
{
	if (ch->fd >= 0)
		close(ch->fd);
	ch->fd = -1;
}

/* Connected: send the hello if any, then read for banner_ms. */
static void scan_chan_ready(struct scan_worker *w, size_t j, int c)
{
	struct scan_chan *ch = &w->pool[j].ch[c];
	int op = ch->st == CH_CONNECTING ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;

	if (ch->hello && send(ch->fd, ch->hello, ch->hello_len,
			      MSG_NOSIGNAL) != (ssize_t)ch->hello_len) {
		scan_chan_end(w, ch, 1);
		return;
	}
	ch->hello = NULL;
	ch->st = CH_READING;
	ch->deadline = cb_now_ms() + w->sh->o->banner_ms;
	if (scan_watch(w, j, c, op))
		scan_chan_end(w, ch, 1);
}

/* Open a fresh connection for channel c of job j. */
static void scan_chan_connect(struct scan_worker *w, size_t j, int c,
			      const void *hello, size_t hello_len)
{
	struct scan_job *job = &w->pool[j];
	struct scan_chan *ch = &job->ch[c];
	struct sockaddr_storage sa;
	int e;

	ch->hello = hello;
	ch->hello_len = hello_len;
	ch->st = CH_DONE;
	ch->dead = 1;
	ch->fd = scan_socket(w->sh);
	if (ch->fd < 0)
		return;
	scan_addr(w->sh, w->open[job->open].port, &sa);
	e = scan_connect(ch->fd, w->sh, &sa);
	ch->dead = 0;
	ch->st = CH_IDLE;
	if (e == 0 && scan_self(ch->fd))
		e = ECONNREFUSED;
	if (e == 0) {
		scan_chan_ready(w, j, c);
		return;
	}
	if (e != EINPROGRESS) {
		ch->st = CH_DONE;
		ch->dead = 1;
		return;
	}
	ch->st = CH_CONNECTING;
	ch->deadline = cb_now_ms() + w->sh->o->connect_timeout_ms;
	if (scan_watch(w, j, c, EPOLL_CTL_ADD)) {
		ch->st = CH_DONE;
		ch->dead = 1;
	}
}

static int scan_is_tls(const unsigned char *b, size_t n)
{
	return n >= 5 && (b[0] == 0x16 || b[0] == 0x15) && b[1] == 0x03 &&
	       b[2] <= 0x04;
}

static void scan_job_finish(struct scan_worker *w, size_t j)
{
	struct scan_job *job = &w->pool[j];
	struct scan_port *p = &w->open[job->open];
	const struct scan_chan *tls = &job->ch[1];
	int c;

	for (c = 0; c < 2; c++) {
		scan_chan_end(w, &job->ch[c], 1);
		scan_chan_close(&job->ch[c]);
	}
	memcpy(p->banner, job->ch[0].buf, job->ch[0].len);
	p->banner_len = job->ch[0].len;
	p->tls = scan_is_tls(tls->buf, tls->len);
	if (p->tls || (!p->banner_len && tls->len)) {
		memcpy(p->banner, tls->buf, tls->len);
		p->banner_len = tls->len;
		p->probe = SCAN_PROBE_TLS;
	} else if (p->banner_len && job->stage == JOB_HTTP) {
		p->probe = SCAN_PROBE_HTTP;
		p->probed = 1;
	}
	job->stage = JOB_FREE;
	w->active--;
	scan_notify(w, p);
}

/*
 * The next probe for a silent service.  The ClientHello goes out on a
 * new connection once the first is closed, and the HTTP probe on a third
 * one: a device that serves one connection at a time would not answer a
 * second connection while the first is still open.  Without the TLS
 * probe, the HTTP probe goes out on the first connection, as it always
 * did.
 */
static void scan_job_next(struct scan_worker *w, size_t j)
{
	struct scan_job *job = &w->pool[j];
	struct scan_chan *ch = &job->ch[0];
	int tls = w->sh->o->flags & SCAN_TLS_PROBE;

	if (job->stage == JOB_GREET && tls) {
		scan_chan_close(ch);
		job->stage = JOB_TLS;
		scan_chan_connect(w, j, 1, scan_hello, sizeof(scan_hello));
	} else if (job->stage == JOB_GREET) {
		job->stage = JOB_HTTP;
		if (!ch->dead && ch->fd >= 0) {
			ch->hello = SCAN_HTTP_PROBE;
			ch->hello_len = sizeof(SCAN_HTTP_PROBE) - 1;
			scan_chan_ready(w, j, 0);
		}
	} else {
		scan_chan_close(&job->ch[1]);
		job->stage = JOB_HTTP;
		scan_chan_connect(w, j, 0, SCAN_HTTP_PROBE,
				  sizeof(SCAN_HTTP_PROBE) - 1);
	}
}

/* Move a job on once one of its channels has ended. */
static void scan_job_step(struct scan_worker *w, size_t j)
{
	struct scan_job *job = &w->pool[j];

	for (;;) {
		if (scan_chan_busy(&job->ch[0]) || scan_chan_busy(&job->ch[1]))
			return;
		if ((job->stage == JOB_GREET && !job->ch[0].len) ||
		    (job->stage == JOB_TLS &&
		     !scan_is_tls(job->ch[1].buf, job->ch[1].len)))
			scan_job_next(w, j);
		else
			break;
	}
	scan_job_finish(w, j);
}

/* Start the banner job of open port k on fd, or on a new connection. */
static void scan_job_start(struct scan_worker *w, size_t k, int fd)
{
	struct scan_job *job;
	size_t j;

	for (j = 0; w->pool[j].stage != JOB_FREE; j++)
		;
	job = &w->pool[j];
	memset(job, 0, sizeof(*job));
	job->stage = JOB_GREET;
	job->open = k;
	job->ch[0].fd = job->ch[1].fd = -1;
	w->active++;
	if (fd >= 0) {
		job->ch[0].fd = fd;
		scan_chan_ready(w, j, 0);
	} else {
		scan_chan_connect(w, j, 0, NULL, 0);
	}
	scan_job_step(w, j);
}

/* Start waiting jobs while the pool has room (never while dispatching
 * events, so a stale event cannot reach a reused job). */
static void scan_later_run(struct scan_worker *w)
{
	struct scan_later *l;

	while (w->later_head < w->nlater && w->active < w->pool_cap) {
		l = &w->later[w->later_head++];
		if (l->fd >= 0)
			w->held--;
		scan_job_start(w, l->open, l->fd);
	}
	if (w->later_head == w->nlater)
		w->later_head = w->nlater = 0;
}

static void *scan_grow(void *p, size_t *cap, size_t size)
{
	size_t n = *cap ? *cap * 2 : 16;
	void *q = realloc(p, n * size);

	if (q)
		*cap = n;
	return q;
}

/* A port answered: record it and queue its banner job. */
static int scan_add_open(struct scan_worker *w, size_t idx, int fd,
			 int64_t rtt)
{
	struct scan_port *p;
	struct scan_later *l;

	if (w->nopen == w->open_cap) {
		p = scan_grow(w->open, &w->open_cap, sizeof(*p));
		if (!p)
			goto nomem;
		w->open = p;
	}
	p = &w->open[w->nopen++];
	memset(p, 0, sizeof(*p));
	p->port = w->sh->ports[idx];
	p->state = SCAN_OPEN;
	p->rtt_ms = rtt;
	w->sh->state[idx] = SCAN_OPEN;
	if (w->sh->o->banner_ms <= 0) {
		close(fd);
		scan_notify(w, p);
		return CB_OK;
	}
	if (w->nlater == w->later_cap) {
		l = scan_grow(w->later, &w->later_cap, sizeof(*l));
		if (!l)
			goto nomem;
		w->later = l;
	}
	l = &w->later[w->nlater++];
	l->open = w->nopen - 1;
	l->fd = fd;
	if (w->active + w->held < w->pool_cap) {
		w->held++;
	} else {
		close(fd);
		l->fd = -1;
	}
	return CB_OK;
nomem:
	close(fd);
	return cb_error_set(&w->err, CB_ENOMEM, "out of memory");
}

/* ---- connects --------------------------------------------------------- */

/* A connect went out: forget shortages, win back concurrency slowly. */
static void scan_unbusy(struct scan_worker *w)
{
	w->busy = 0;
	if (w->limit < w->cap)
		w->limit++;
}

/* Start a connect for ports[idx]; an instant answer settles it. */
static int scan_start(struct scan_worker *w, size_t idx)
{
	struct scan_shared *sh = w->sh;
	struct epoll_event ev = {.events = EPOLLOUT};
	struct sockaddr_storage sa;
	struct scan_slot *sl;
	int fd = w->spare, e, st;

	w->spare = -1;
	scan_addr(sh, sh->ports[idx], &sa);
	if (fd >= 0) {
		e = scan_connect(fd, sh, &sa);
		if (e == ECONNABORTED || e == EISCONN || e == EALREADY) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0) {
		fd = scan_socket(sh);
		if (fd < 0) {
			e = errno;
			goto busy;
		}
		e = scan_connect(fd, sh, &sa);
	}
	if (e == 0 && scan_self(fd))
		e = ECONNREFUSED;
	if (e == 0) {
		scan_unbusy(w);
		return scan_add_open(w, idx, fd, 0);
	}
	if (e == EINPROGRESS) {
		scan_unbusy(w);
		sl = &w->q[(w->head + w->count) % w->cap];
		sl->fd = fd;
		sl->idx = idx;
		sl->started = cb_now_ms();
		ev.data.u64 = (uint64_t)((w->head + w->count) % w->cap);
		w->count++;
		if (epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev))
			return cb_error_set_os(&w->err, CB_EIO, "epoll_ctl");
		return CB_OK;
	}
	st = scan_classify(e);
	if (st == SCAN_CLOSED) {
		scan_keep_spare(w, fd);
	} else {
		close(fd);
		if (st < 0)
			goto busy;
	}
	scan_unbusy(w);
	scan_settle(w, idx, (enum scan_state)st);
	return CB_OK;
busy:
	/* Out of descriptors or local ports: wait for what is in flight. */
	if (scan_classify(e) >= 0 || ++w->busy > SCAN_BUSY_MAX) {
		errno = e;
		return cb_error_set_os(&w->err, CB_EIO, "connect to port %d",
				       sh->ports[idx]);
	}
	w->retry = idx;
	if (w->count)
		w->limit = w->count;
	return CB_OK;
}

/* A connect in flight finished. */
static void scan_finish(struct scan_worker *w, size_t i)
{
	struct scan_slot *sl = &w->q[i];
	socklen_t len = sizeof(int);
	int soerr = 0, fd = sl->fd, st;

	if (fd < 0)
		return;
	sl->fd = -1;
	epoll_ctl(w->ep, EPOLL_CTL_DEL, fd, NULL);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len))
		soerr = errno;
	if (!soerr && !scan_self(fd)) {
		scan_add_open(w, sl->idx, fd, cb_now_ms() - sl->started);
		return;
	}
	close(fd);
	st = soerr ? scan_classify(soerr) : SCAN_CLOSED;
	scan_settle(w, sl->idx, st < 0 ? SCAN_CLOSED : (enum scan_state)st);
}

/* Drop finished slots and expired connects from the head of the ring. */
static void scan_reap(struct scan_worker *w)
{
	struct scan_slot *sl;
	int64_t now = cb_now_ms();

	while (w->count) {
		sl = &w->q[w->head];
		if (sl->fd >= 0) {
			if (now - sl->started < w->sh->o->connect_timeout_ms)
				break;
			close(sl->fd);
			sl->fd = -1;
			scan_settle(w, sl->idx, SCAN_FILTERED);
		}
		w->head = (w->head + 1) % w->cap;
		w->count--;
	}
}

/* End job channels whose deadline passed. */
static void scan_expire(struct scan_worker *w)
{
	int64_t now = cb_now_ms();
	struct scan_chan *ch;
	size_t j;
	int c, ended;

	for (j = 0; w->active && j < w->pool_cap; j++) {
		if (w->pool[j].stage == JOB_FREE)
			continue;
		for (c = 0, ended = 0; c < 2; c++) {
			ch = &w->pool[j].ch[c];
			if (scan_chan_busy(ch) && ch->deadline <= now) {
				scan_chan_end(w, ch, ch->st == CH_CONNECTING);
				ended = 1;
			}
		}
		if (ended)
			scan_job_step(w, j);
	}
}

static void scan_chan_event(struct scan_worker *w, size_t j, int c)
{
	struct scan_chan *ch;
	socklen_t el = sizeof(int);
	ssize_t r;
	int e = 0;

	if (j >= w->pool_cap || w->pool[j].stage == JOB_FREE)
		return;
	ch = &w->pool[j].ch[c];
	if (ch->st == CH_CONNECTING) {
		if (getsockopt(ch->fd, SOL_SOCKET, SO_ERROR, &e, &el) || e ||
		    scan_self(ch->fd))
			scan_chan_end(w, ch, 1);
		else
			scan_chan_ready(w, j, c);
	} else if (ch->st == CH_READING) {
		r = recv(ch->fd, ch->buf + ch->len, SCAN_BANNER_MAX - ch->len,
			 0);
		if (r > 0) {
			ch->len += (size_t)r;
			if (ch->len == SCAN_BANNER_MAX)
				scan_chan_end(w, ch, 0);
		} else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
			scan_chan_end(w, ch, 1);
		}
	}
	if (!scan_chan_busy(ch))
		scan_job_step(w, j);
}

static int scan_claim(struct scan_worker *w, size_t *idx)
{
	if (w->retry != SIZE_MAX) {
		*idx = w->retry;
		w->retry = SIZE_MAX;
		return 1;
	}
	if (w->claimed_all)
		return 0;
	*idx = atomic_fetch_add(&w->sh->next, 1);
	if (*idx < w->sh->nports)
		return 1;
	w->claimed_all = 1;
	return 0;
}

/* How long epoll may sleep: until the next deadline. */
static int scan_wait_ms(const struct scan_worker *w)
{
	int64_t now = cb_now_ms(), t = now + 1000;
	const struct scan_chan *ch;
	size_t j;
	int c;

	if (w->retry != SIZE_MAX)
		t = now + 10;
	else if (!w->claimed_all && w->count < w->limit)
		return 0;
	if (w->count && w->q[w->head].started +
				    w->sh->o->connect_timeout_ms < t)
		t = w->q[w->head].started + w->sh->o->connect_timeout_ms;
	for (j = 0; w->active && j < w->pool_cap; j++)
		for (c = 0; c < 2 && w->pool[j].stage != JOB_FREE; c++) {
			ch = &w->pool[j].ch[c];
			if (scan_chan_busy(ch) && ch->deadline < t)
				t = ch->deadline;
		}
	return t > now ? (int)(t - now) : 0;
}

static int scan_work(struct scan_worker *w)
{
	struct epoll_event evs[256];
	size_t idx;
	int k, n, got;

	for (;;) {
		if (atomic_load(&w->sh->stop))
			return CB_OK;
		for (n = 0; n < SCAN_CLAIM_BATCH && w->count < w->limit; n++) {
			if (!scan_claim(w, &idx))
				break;
			if (scan_start(w, idx))
				return w->err.code;
			if (w->retry != SIZE_MAX)
				break;
		}
		scan_later_run(w);
		if (w->claimed_all && w->retry == SIZE_MAX && !w->count &&
		    !w->active && !w->nlater)
			return CB_OK;
		got = epoll_wait(w->ep, evs, 256, scan_wait_ms(w));
		if (got < 0 && errno != EINTR)
			return cb_error_set_os(&w->err, CB_EIO, "epoll_wait");
		for (k = 0; k < got; k++) {
			if (evs[k].data.u64 & SCAN_EV_JOB)
				scan_chan_event(w,
						(size_t)((evs[k].data.u64 &
							  ~SCAN_EV_JOB) >> 1),
						(int)(evs[k].data.u64 & 1));
			else
				scan_finish(w, (size_t)evs[k].data.u64);
		}
		if (w->err.code)
			return w->err.code;
		scan_reap(w);
		scan_expire(w);
	}
}

static void *scan_worker_main(void *arg)
{
	struct scan_worker *w = arg;

	if (scan_work(w))
		atomic_store(&w->sh->stop, 1);
	return NULL;
}

/* Workers and their shares of the descriptor limit. */
static size_t scan_plan(const struct scan_opts *o, size_t nports,
			size_t *cap, size_t *pool)
{
	struct rlimit rl;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nw = 1, soft = 1024, budget, wb;

	if (o->workers > 0)
		nw = o->workers > 16 ? 16 : (size_t)o->workers;
	else if (nports >= SCAN_MANY_PORTS && cpus > 1)
		nw = cpus > SCAN_MAX_WORKERS ? SCAN_MAX_WORKERS : (size_t)cpus;
	if (!getrlimit(RLIMIT_NOFILE, &rl))
		soft = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1u << 20)
			       ? (1u << 20)
			       : (size_t)rl.rlim_cur;
	budget = soft > SCAN_FD_RESERVE + 16 ? soft - SCAN_FD_RESERVE : 16;
	if (nw > budget / 8)
		nw = budget / 8 ? budget / 8 : 1;
	wb = budget / nw;
	*cap = (size_t)o->max_inflight / nw;
	if (*cap > wb / 2)
		*cap = wb / 2;
	if (!*cap)
		*cap = 1;
	*pool = (wb - *cap) / 2;
	if (*pool > SCAN_POOL_MAX)
		*pool = SCAN_POOL_MAX;
	if (!*pool)
		*pool = 1;
	return nw;
}

static int scan_worker_init(struct scan_worker *w, struct scan_shared *sh,
			    size_t cap, size_t pool)
{
	w->sh = sh;
	w->spare = -1;
	w->retry = SIZE_MAX;
	w->cap = w->limit = cap;
	w->pool_cap = pool;
	w->q = calloc(cap, sizeof(*w->q));
	w->pool = calloc(pool, sizeof(*w->pool));
	w->ep = epoll_create1(EPOLL_CLOEXEC);
	if (!w->q || !w->pool || w->ep < 0)
		return cb_error_set_os(&w->err, CB_EIO, "scanner set-up");
	return CB_OK;
}

static void scan_worker_release(struct scan_worker *w)
{
	size_t k;
	int c;

	for (k = 0; w->q && k < w->count; k++)
		if (w->q[(w->head + k) % w->cap].fd >= 0)
			close(w->q[(w->head + k) % w->cap].fd);
	for (k = 0; w->pool && k < w->pool_cap; k++)
		for (c = 0; c < 2 && w->pool[k].stage != JOB_FREE; c++)
			if (w->pool[k].ch[c].fd >= 0)
				close(w->pool[k].ch[c].fd);
	for (k = w->later_head; k < w->nlater; k++)
		if (w->later[k].fd >= 0)
			close(w->later[k].fd);
	if (w->spare >= 0)
		close(w->spare);
	if (w->ep > 0)
		close(w->ep);
	free(w->q);
	free(w->pool);
	free(w->later);
	free(w->open);
}

static int scan_port_cmp(const void *a, const void *b)
{
	const struct scan_port *x = a, *y = b;

	return (x->port > y->port) - (x->port < y->port);
}

/* Open ports in order, the counts, and every state as runs of ports. */
static int scan_collect(const struct scan_shared *sh,
			const struct scan_worker *w, size_t nw,
			struct scan_result *res, struct cb_error *err)
{
	unsigned char *map = calloc(65536, 1);
	size_t k, n = 0;
	int p, st;

	for (k = 0; k < nw; k++)
		n += w[k].nopen;
	res->open = malloc((n ? n : 1) * sizeof(*res->open));
	if (!map || !res->open) {
		free(map);
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	}
	for (k = 0; k < nw; k++) {
		if (!w[k].nopen)
			continue;
		memcpy(res->open + res->nopen, w[k].open,
		       w[k].nopen * sizeof(*res->open));
		res->nopen += w[k].nopen;
	}
	qsort(res->open, res->nopen, sizeof(*res->open), scan_port_cmp);
	for (k = 0; k < sh->nports; k++) {
		st = sh->state[k] == SCAN_PENDING ? SCAN_FILTERED
						  : sh->state[k];
		res->nclosed += st == SCAN_CLOSED;
		res->nfiltered += st == SCAN_FILTERED;
		map[sh->ports[k]] = (unsigned char)(st + 1);
	}
	for (p = 1, n = 0; p < 65536; p++)
		n += map[p] && map[p] != map[p - 1];
	res->ranges = malloc((n ? n : 1) * sizeof(*res->ranges));
	if (!res->ranges) {
		free(map);
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	}
	for (p = 1; p < 65536; p++) {
		if (!map[p])
			continue;
		if (map[p] != map[p - 1])
			res->ranges[res->nranges++] = (struct scan_range){
				p, p, (enum scan_state)(map[p] - 1)};
		else
			res->ranges[res->nranges - 1].hi = p;
	}
	free(map);
	return CB_OK;
}

int scan_tcp(const char *host, const int *ports, size_t nports,
	     const struct scan_opts *o, struct scan_result *res,
	     struct cb_error *err)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
	struct scan_opts oo = {.max_inflight = 512,
			       .connect_timeout_ms = 1000,
			       .banner_ms = 400};
	struct scan_shared sh = {0};
	struct scan_worker *w = NULL;
	int64_t t0 = cb_now_ms();
	size_t nw = 0, k, cap, pool;
	int rc = CB_OK, gai;

	memset(res, 0, sizeof(*res));
	if (o) {
		oo = *o;
		if (oo.max_inflight <= 0)
			oo.max_inflight = 512;
		if (oo.connect_timeout_ms <= 0)
			oo.connect_timeout_ms = 1000;
		if (oo.banner_ms < 0)
			oo.banner_ms = 0;
	}
	gai = getaddrinfo(host, "1", &hints, &ai);
	if (gai)
		return cb_error_set(err, CB_ENODEV, "cannot resolve %s: %s",
				    host, gai_strerror(gai));
	sh.ai = ai;
	sh.o = &oo;
	sh.ports = ports;
	sh.nports = nports;
	atomic_init(&sh.next, 0);
	atomic_init(&sh.stop, 0);
	pthread_mutex_init(&sh.mu, NULL);
	nw = scan_plan(&oo, nports, &cap, &pool);
	sh.state = malloc(nports ? nports : 1);
	w = calloc(nw, sizeof(*w));
	if (!sh.state || !w) {
		rc = cb_error_set(err, CB_ENOMEM, "out of memory");
		goto out;
	}
	memset(sh.state, SCAN_PENDING, nports);
	for (k = 0; k < nw; k++)
		if (scan_worker_init(&w[k], &sh, cap, pool))
			break;
	/* Ports are claimed, not dealt: a worker that fails to start
	 * leaves its share to the others. */
	for (k = 1; k < nw; k++)
		w[k].running = !w[k].err.code &&
			       !pthread_create(&w[k].th, NULL, scan_worker_main,
					       &w[k]);
	if (!w[0].err.code)
		scan_worker_main(&w[0]);
	for (k = 1; k < nw; k++)
		if (w[k].running)
			pthread_join(w[k].th, NULL);
	for (k = 0; k < nw; k++)
		if (w[k].err.code) {
			if (err && !err->code)
				*err = w[k].err;
			rc = w[k].err.code;
			break;
		}
	if (!rc)
		rc = scan_collect(&sh, w, nw, res, err);
	res->elapsed_ms = cb_now_ms() - t0;
out:
	for (k = 0; w && k < nw; k++)
		scan_worker_release(&w[k]);
	free(w);
	free(sh.state);
	pthread_mutex_destroy(&sh.mu);
	freeaddrinfo(ai);
	if (rc)
		scan_result_release(res);
	return rc;
}

void scan_result_release(struct scan_result *res)
{
	if (!res)
		return;
	free(res->open);
	free(res->ranges);
	memset(res, 0, sizeof(*res));
}

int scan_result_state(const struct scan_result *res, int port)
{
	size_t lo = 0, hi = res->nranges, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (port < res->ranges[mid].lo)
			hi = mid;
		else if (port > res->ranges[mid].hi)
			lo = mid + 1;
		else
			return (int)res->ranges[mid].state;
	}
	return -1;
}
