/*
 * base.h — the few helpers every cachet module shares: the error type,
 * allocation that aborts on exhaustion, and a growable byte buffer.
 *
 * Errors: functions return 0 on success and -1 on failure, filling an
 * optional caller-owned struct err.  The code says which kind of failure it
 * is (and so which exit status the CLI uses); the message says it in words
 * a person can act on.  A bad signature is a verdict, not an error.
 *
 * Thread-safety: everything here is reentrant; no global state.
 */
#ifndef CACHET_BASE_H
#define CACHET_BASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum err_code {
	ERR_NONE = 0,
	ERR_USAGE,	/* bad option or argument (exit 2) */
	ERR_CONFIG,	/* bad configuration file or value (exit 2) */
	ERR_INPUT,	/* unparsable or unreadable input (exit 3) */
	ERR_IO,		/* local file system failure (exit 3) */
	ERR_CRYPTO,	/* crypto engine failure (exit 4) */
	ERR_UNSUPPORTED, /* algorithm or format the engine cannot handle (exit 4) */
	ERR_NETWORK,	/* connection failure (exit 5) */
	ERR_TLS,	/* TLS or certificate verification failure (exit 5) */
	ERR_AUTH,	/* authentication or credential failure (exit 5) */
	ERR_PROTOCOL,	/* server answered outside the protocol (exit 5) */
	ERR_NOCERT,	/* a recipient lacks a usable certificate (exit 1) */
	ERR_POLICY,	/* refused by policy (exit 1) */
	ERR_STORE,	/* certificate store failure (exit 4) */
};

#define ERR_MSG_MAX 1024

struct err {
	enum err_code code;
	char msg[ERR_MSG_MAX];
};

/* Fills e (if not NULL) and returns -1, so "return err_set(...)" reads well. */
int err_set(struct err *e, enum err_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int err_setv(struct err *e, enum err_code code, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/* Puts "context: " in front of the message already in e; returns -1. */
int err_prefix(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void err_clear(struct err *e);
/* The CLI exit status for an error code (doc/DESIGN.md, 2.3). */
int err_exit_status(enum err_code code);
const char *err_code_name(enum err_code code);

/* Allocation: out of memory aborts with a message on stderr. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable byte buffer, always NUL-terminated after len bytes. */
struct buf {
	char *data;	/* owned */
	size_t len;
	size_t cap;
};
#define BUF_INIT { NULL, 0, 0 }
void buf_init(struct buf *b);
void buf_release(struct buf *b);
/* Zeroes b's whole allocation (explicit_bzero: not optimised away before
 * the free) and releases it: for keys, passphrases and plaintext. */
void buf_wipe(struct buf *b);
void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *data, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_addc(struct buf *b, char c);
void buf_reset(struct buf *b);
/* Transfers the bytes to the caller (NUL-terminated) and empties b. */
char *buf_detach(struct buf *b, size_t *len);

/*
 * Files.  file_read reads a whole file (at most max bytes; 0 = no limit).
 * file_write_atomic writes to a private temporary file beside path, fsyncs
 * and renames, so a reader never sees a half-written file; mode is applied
 * to the new file.  Both return 0 / -1 (ERR_IO, ERR_INPUT when too big).
 */
int file_read(const char *path, size_t max, struct buf *out, struct err *e);
int file_write_atomic(const char *path, const void *data, size_t len,
		      unsigned mode, struct err *e);
/*
 * Atomic writes in groups, for a batch of output files: file_group_add
 * writes a file's bytes to a private temporary file beside path (mode
 * applied) and keeps it waiting; file_group_commit flushes the file
 * system of the group's directory once (syncfs) and only then renames
 * each waiting file into place, so every output is either complete and on
 * disk or absent, for one flush per group instead of one fsync per file.
 * file_group_add returns 1 when the group should be committed now (it
 * holds FILE_GROUP_MAX files, or its oldest waited FILE_GROUP_MS), 0
 * otherwise, -1 (ERR_IO) when the file could not be written (nothing is
 * left behind).  file_group_commit calls done(cookie, e, arg) for each
 * file in the order added, e NULL when the file is in place (else ERR_IO
 * and the temporary file is removed), and returns how many failed.
 * file_group_free removes the temporary files of a group never committed.
 * file_group_unlink_pending is async-signal-safe: it removes the
 * temporary files of every group still waiting, for a signal handler that
 * then ends the process.  One group is used by one thread.
 */
#define FILE_GROUP_MAX 64
#define FILE_GROUP_MS 50
struct file_group;
typedef void file_group_done_fn(void *cookie, const struct err *e, void *arg);
int file_group_new(const char *dir, struct file_group **out, struct err *e);
int file_group_add(struct file_group *g, const char *path, const void *data,
		   size_t len, unsigned mode, void *cookie, struct err *e);
size_t file_group_commit(struct file_group *g, file_group_done_fn *done, void *arg);
void file_group_free(struct file_group **g);
void file_group_unlink_pending(void);
/* Reads all of a file descriptor. */
int fd_read_all(int fd, size_t max, struct buf *out, struct err *e);
/*
 * mkdir -p: creates path and its missing parents with mode 0700, so that
 * what cachet keeps (certstore, caches, outbox) is private to the user.
 * Directories that exist already are left as they are, mode included.
 * ERR_IO naming the directory that could not be created.
 */
int mkdir_private(const char *path, struct err *e);

/*
 * Keeps decrypted mail out of core dumps: the core size limit becomes 0
 * (soft and hard, so no child raises it again) and the process is marked
 * not dumpable, which also keeps other processes of the same user from
 * reading its memory through ptrace or /proc.  ERR_IO when the kernel
 * refuses.
 */
int process_forbid_core_dumps(struct err *e);

/* String helpers. */
int str_casecmp_ascii(const char *a, const char *b);
char *str_trim(char *s);	/* in place; returns s advanced past spaces */
int str_has_prefix(const char *s, const char *prefix);
void str_lower_ascii(char *s);
/*
 * True for the bidirectional formatting characters (embeddings, overrides,
 * isolates, LRM/RLM): shown to a terminal they make a line read in another
 * order than it is written, so text from outside never carries them there.
 */
bool unicode_is_bidi_control(unsigned long c);
/*
 * True for what text from outside must not send to a terminal: controls
 * (C0 but tab and newline, DEL, C1) and the bidirectional formatting
 * characters (text.c).
 */
bool unicode_is_unsafe(unsigned long c);

/*
 * UTF-8 (text.c).  utf8_decode reads one sequence at s (n bytes left):
 * returns its length and sets *cp, or 0 when the bytes are not valid UTF-8
 * (overlong, surrogate, truncated, out of range).
 */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/*
 * Appends src to out as text safe for a terminal: invalid bytes become
 * U+FFFD, control characters (but '\n' and '\t') and bidirectional
 * formatting characters are dropped.
 */
void utf8_sanitize(struct buf *out, const char *src, size_t len);
/*
 * Appends src, in charset (NULL or "" means us-ascii/UTF-8), to out as
 * sanitised UTF-8 (utf8_sanitize); an unknown charset is read as UTF-8.
 */
void utf8_from_charset(struct buf *out, const char *charset, const char *src,
		       size_t len);

/*
 * A test hook (util.c): when the environment names this point in
 * CACHET_TEST_PAUSE_AT (read with secure_getenv, so never in a setuid
 * process), the process stops itself with SIGSTOP there, and a test can
 * kill -9 it at that exact moment.  It only ever stops the process: it
 * reads nothing else, writes nothing, and SIGCONT goes on as if nothing
 * happened.  The points are listed in doc/DESIGN.md (tests).
 */
void test_pause_at(const char *point);

#endif
