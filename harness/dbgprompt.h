/*
 * dbgprompt.h - tell what kind of console a debug interface shows, from
 * prompt patterns kept as data (testcases/data/debug-prompts.json).
 *
 * A table lists patterns in order, each with a stable id, a kind (shell,
 * bootloader, monitor, login, password, refusal) and a POSIX extended
 * regular expression.  Text from a device is cleaned first (CR, NUL and
 * other control bytes and bytes above 0x7e dropped; LF and TAB kept) and
 * matched as one string, so '$' is the end of what was received and a
 * pattern that wants "the last line" says so with (^|\n).  The first
 * pattern in table order that matches decides; the table puts the
 * protective prompts (password, login) first, because a prompt at the
 * end of the text is where the console stands now.
 *
 * It only classifies: whether a shell or a bootloader fails a test case
 * is the step's business (step_debug.c), and talking to the device is
 * uartscan's.
 */
#ifndef DBGPROMPT_H
#define DBGPROMPT_H

#include <stddef.h>

#include <jansson.h>

struct cb_error;
struct dbgprompt;

enum dbgprompt_kind {
	DBGP_NONE,		/* nothing matched */
	DBGP_SHELL,		/* a command shell: "# ", "$ ", root@...# */
	DBGP_BOOTLOADER,	/* U-Boot "=> ", CFE, RedBoot, autoboot */
	DBGP_MONITOR,		/* some other "> " command monitor */
	DBGP_LOGIN,		/* "login: " */
	DBGP_PASSWORD,		/* "Password: " */
	DBGP_REFUSAL,		/* "Login incorrect", "Access denied" */
};

struct dbgprompt_set {
	char name[64];
	struct dbgprompt *p;	/* opaque, n entries */
	size_t n;
};

struct dbgprompt_match {
	enum dbgprompt_kind kind;
	const char *id;		/* the pattern's id, owned by the set */
	const char *what;	/* its description, owned by the set */
};

/*
 * Load a table from parsed JSON ({"name", "description", "source",
 * "prompts": [{"id", "kind", "regex", "what"}]}).  Unknown keys, a
 * missing member, a duplicate id, an unknown kind and a bad regular
 * expression are CB_EINVAL naming the entry.  out is released on
 * failure; data is not kept.
 */
int dbgprompt_load_json(json_t *data, struct dbgprompt_set *out,
			struct cb_error *err);
void dbgprompt_release(struct dbgprompt_set *s);

/*
 * Classify n bytes from a device: the first pattern that matches the
 * cleaned text, except refusals, which only dbgprompt_refused() looks
 * for.  Returns the kind (DBGP_NONE when nothing matched) and fills m
 * when it is not NULL.
 */
enum dbgprompt_kind dbgprompt_classify(const struct dbgprompt_set *s,
				       const void *bytes, size_t n,
				       struct dbgprompt_match *m);

/* Does any refusal pattern match the cleaned text? */
int dbgprompt_refused(const struct dbgprompt_set *s, const void *bytes,
		      size_t n);

/*
 * What a command printed: the cleaned answer without the echo of cmd at
 * its start and without the last line when that line is not ended (the
 * prompt the console shows again), blank lines and surrounding blanks
 * trimmed.  Written to out (cut to fit, always terminated); returns its
 * whole length, 0 when the command printed nothing.
 */
size_t dbgprompt_output(const char *cmd, const void *answer, size_t n,
			char *out, size_t size);

/* "shell", "bootloader", ... */
const char *dbgprompt_kind_name(enum dbgprompt_kind k);

#endif /* DBGPROMPT_H */
