/*
 * screen_p.h — what the screen's views share: struct screen (the terminal,
 * the status line, the mail source, the account and configuration, the
 * current view) and the state of each view, one struct per view.
 *
 * screen.c is the loop: terminal set-up, the status line, the prompt, key
 * dispatch and the help screen.  Each view_*.c draws one view and does
 * what its keys ask: view_folders.c, view_index.c, view_pager.c,
 * view_certs.c, view_compose.c.  The terminal-free functions the views
 * are built on (decoding, the banner, one index line...) are in ui_p.h,
 * and in files of their own (index.c, pager.c, compose.c, certview.c)
 * that the unit tests link without curses; a view draws, so it is not
 * folded into them.
 *
 * Everything drawn comes from these structs, so a resize (or ^L) redraws
 * it all from there.
 */
#ifndef CACHET_UI_SCREEN_P_H
#define CACHET_UI_SCREEN_P_H

#include <curses.h>

#include "client/outbox.h"
#include "ui/ui_p.h"

/* --- the views' states -------------------------------------------------- */

/* The folder list. */
struct folders_view {
	struct mail_folder *list;	/* owned */
	size_t n, cur, top;
	/* owned, n each, or NULL: what each folder holds, and how much unread */
	unsigned *unseen, *total;
};

enum index_order { ORDER_FOLDER, ORDER_THREADS, ORDER_DATE };

/* One message of the index. */
struct index_row {
	struct mail_envelope env;	/* its strings owned */
	enum ui_crypto_mark mark;	/* the crypto column */
	size_t seq;			/* its place in the folder (its UID) */
	unsigned depth;			/* its depth in its thread (threads only) */
	bool tagged;			/* t, T: what ; acts on */
};

/* The index of the open folder. */
struct index_view {
	char *folder_id;		/* owned; the open folder, or NULL */
	char *folder_name;		/* owned */
	struct index_row *rows;		/* owned; n of them, in the order shown */
	enum index_order order;
	size_t n, cur, top;
	char *search;			/* owned; last search, or NULL */
	/* the last search of whole messages (S): its text, folder, UIDs */
	char *hits_text, *hits_folder;	/* owned, or NULL */
	uint32_t *hits;			/* owned; ascending */
	size_t n_hits;
	bool search_whole;		/* n repeats the search of whole messages */
	/* older messages of a folder opened a page at a time still come */
	bool streaming;
};

struct pager_row {	/* one screen row of the pager: a piece of a doc line */
	size_t line;	/* index in the doc */
	char *text;	/* owned */
};

/* The message in the pager. */
struct pager_view {
	struct ui_doc doc;		/* owned; its lines */
	struct buf raw;			/* its bytes as stored (not decrypted) */
	bool encrypted;			/* it was encrypted */
	struct smime_verdict *verdict;	/* owned; its verdict, or NULL */
	struct pager_row *rows;		/* owned; doc wrapped to the width */
	size_t n_rows, n_pinned, top;
	int rows_width;
	char *find;			/* owned; the last search (/), or NULL */
	size_t find_line;		/* the doc line it found, or SIZE_MAX */
};

/* The certificate view of the signers of the message in the pager. */
struct certs_view {
	struct ui_doc doc;		/* owned; the lines shown */
	size_t top;			/* first line shown */
	char **trustable;		/* owned; SHA-1 of pending/conflict signers */
	size_t n_trustable;
};

/* The message being written. */
struct compose_view {
	struct ui_draft draft;		/* owned */
	enum ui_view from;		/* where compose returns to */
	uint32_t reply_uid;		/* the message answered, or 0 */
	/* A draft resumed from Drafts: its UID there and that folder, so the
	 * old one goes once this one is sent or postponed (0, NULL: none). */
	uint32_t resumed_uid;
	char *resumed_folder;		/* owned */
	enum send_request req_sign;	/* the person's wish on top of policy */
	enum send_request req_encrypt;
	bool reply_encrypted;		/* the original was encrypted */
	char *plan;			/* owned; what sending will do, or NULL */
	bool plan_bad;
};

/* The attachments of the message in the pager (v). */
struct attach_view {
	size_t cur, top;
};

/* The links of the message in the pager (^B). */
struct urls_view {
	char **list;			/* owned, each string owned */
	size_t n, cur, top;
};

/* What waits in the outbox. */
struct outbox_view {
	struct outbox_entry *ents;	/* owned; oldest first */
	size_t n, cur, top;
	enum ui_view from;		/* where q returns to */
};

/* --- the screen -------------------------------------------------------- */

struct screen {
	struct mail_source *src;	/* foreign */
	const struct ui_options *opt;	/* foreign */
	bool color;
	attr_t paint[CONFIG_ELEM_COUNT];	/* how each element is drawn */
	struct ui_keymap keys;		/* the effective keys */
	int saved_stderr;		/* the terminal's stderr, for the editor */
	int tty_out;			/* the terminal's stdout: the screen's */

	enum ui_view view, help_from;
	char **help;			/* owned; the help screen's lines */
	size_t n_help;
	size_t help_top;		/* first help line shown */

	char status[1024];
	char status_shown[1100];	/* status, and what waits in the outbox */
	bool asking;			/* the status is a question being answered */
	bool status_bad;
	int status_rows;		/* rows the status line takes, set by each draw */
	bool quit;

	/* Verifying (pager) and sealing drafts (compose) share one engine. */
	struct smime_engine *eng;	/* owned; NULL until first needed */
	char *eng_error;		/* owned; why there is no engine */
	/* Passphrases gpg-agent asks for, asked on the status line (the
	 * engine's, and send's for signing). */
	struct smime_passphrase passphrase;

	/* Each view's own state. */
	struct folders_view folders;
	struct index_view index;
	struct pager_view pager;
	struct certs_view certs;
	struct compose_view compose;
	struct urls_view urls;
	struct attach_view attach;
	struct outbox_view outbox;
};

/* --- screen.c: the loop and what every view uses ----------------------- */

/* Sets the status line (sanitised: errors can quote server or file text). */
void screen_status(struct screen *s, bool bad, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Shows "working… what" now, before a slow step. */
void screen_working(struct screen *s, const char *what);
/* Draws the whole screen from the model. */
void screen_draw(struct screen *s);
/*
 * Reads a line at the bottom of the screen.  Returns a UTF-8 string (owned)
 * or NULL when cancelled (Escape, Ctrl-G).
 */
char *screen_prompt(struct screen *s, const char *question, const char *initial);
/*
 * A yes/no question answered by one key, no Enter: y or Y is yes, any
 * other key no, so keys typed ahead never land in a later prompt.
 */
bool screen_yes_no(struct screen *s, const char *question);
/*
 * The same with Tab calling complete on what is typed so far: it returns
 * the new answer (owned), or NULL to keep it, and may draw over the body
 * (the screen is redrawn afterwards).
 */
char *screen_prompt_complete(struct screen *s, const char *question, const char *initial,
			     char *(*complete)(struct screen *s, const char *text));
/*
 * Reads a secret at the bottom of the screen: the question stays, nothing
 * typed is drawn.  Backspace and Ctrl-U edit, Enter answers.  Returns 0
 * with the UTF-8 answer in out (the caller wipes it), or -1 when cancelled
 * (Escape, Ctrl-G) with out wiped and empty.
 */
int screen_prompt_secret(struct screen *s, const char *question, struct buf *out);
/* Rows between the title bar and the status line. */
int screen_body_rows(const struct screen *s);
/* Draws UTF-8 text at row y, cut or padded to the whole width. */
void screen_put_row(int y, const char *text, attr_t a);
/* The title bar "cachet: TITLE" with hint at its right, and the status line. */
void screen_bars(struct screen *s, const char *title, const char *hint);
/* Appends "KEY:label  " with the first key of action a, if it has one. */
void screen_key_hint(const struct screen *s, struct buf *b, enum config_action a,
		     const char *label);
/* How a pager or certificate line of kind k is drawn. */
attr_t screen_line_attr(const struct screen *s, enum ui_line_kind k);
/*
 * With n > 1 attachments, asks "VERB which attachment (1-N)?"; *which gets
 * the one named (from 0).  False when cancelled or no such attachment.
 */
bool screen_ask_attachment(struct screen *s, const char *verb, size_t n,
			   size_t *which);
/*
 * The first item shown: lists move by whole pages, so the view is a
 * function of the cursor and the screen size only, and a resize shows the
 * same as a fresh start at that size.
 */
void screen_scroll_to(size_t cur, size_t *top, int rows);
/* Waits for one key and returns it as [keys] names it (enum config_key). */
int screen_next_key(struct screen *s);
/* Moves a list cursor; returns true when the action was a movement. */
bool screen_list_move(const struct screen *s, size_t *cur, size_t n, int action);
/* The S/MIME engine, started when first needed; NULL: s->eng_error says why. */
struct smime_engine *screen_engine(struct screen *s);

/* --- view_folders.c: the folder list ----------------------------------- */

/* The first view: the folder list on INBOX (else the first), opened. */
void folders_start(struct screen *s);
void folders_draw(struct screen *s);
void folders_key(struct screen *s, int action);
/*
 * The folder a typed name means: the exact name, else the one name it
 * equals ignoring case, else the one name it starts.  NULL when none or
 * several.
 */
const struct mail_folder *folders_find(const struct screen *s, const char *typed);
/* Asks the source how many messages each folder holds, and how many are unread. */
void folders_count(struct screen *s);
/* Reads the folder list again, the cursor kept on its folder; -1: status says why. */
int folders_reload(struct screen *s);
/* Creates folder name and reads the list again, the cursor on it; -1: status says why. */
int folders_create(struct screen *s, const char *name);

/* --- view_index.c: the open folder's index ---------------------------- */

void index_draw(struct screen *s);
void index_key(struct screen *s, int action);
/* Opens folder which of the folder list in the index; -1: the status says why. */
int index_open_folder(struct screen *s, size_t which);
/* Reads the open folder again; quiet: say something only when mail came. */
void index_rescan(struct screen *s, bool quiet);
/*
 * One step of a folder still coming in (index.streaming): the next batch
 * of older messages joins the index, the cursor staying on its message,
 * with the count so far on the status line.
 */
void index_stream_step(struct screen *s);
/* The flag (F) and deleted marks of the index's current message. */
void index_toggle_flag(struct screen *s);
void index_set_deleted(struct screen *s, bool on);
/* Closes the folder and forgets the searches. */
void index_release(struct screen *s);
/* Takes row i off the index (its message left the folder). */
void index_drop_row(struct screen *s, size_t i);
/*
 * Asks for another folder, listing them ("VERB to folder (...): ");
 * NULL when cancelled or not one (the status says why).
 */
const struct mail_folder *index_ask_folder(struct screen *s, const char *verb);

/* --- view_tag.c: tagging, and acting on several messages -------------- */

/* t (tag or untag), T (tag by the search's matcher), ; (then a key). */
void tag_key(struct screen *s, int action);
/*
 * Applies action (delete, undelete, move, copy, flag, toggle-read,
 * save-message) to the tagged messages, or to the current one.
 */
void tag_apply(struct screen *s, int action, bool tagged);

/* --- view_pager.c: one message ---------------------------------------- */

void pager_draw(struct screen *s);
void pager_key(struct screen *s, int action);
/* Opens the index's current message in the pager. */
void pager_open(struct screen *s);
void pager_close(struct screen *s);
/* Saves attachment which of the message to a file asked for. */
void pager_save_attachment(struct screen *s, size_t which);
/* Forgets the message's rows, to wrap it again at the new width. */
void pager_free_rows(struct screen *s);

/* --- view_certs.c: the signer's certificate ---------------------------- */

void certs_draw(struct screen *s);
void certs_key(struct screen *s, int action);
/* Opens the view over the pager's message; says so when it is not signed. */
void certs_open(struct screen *s);
void certs_close(struct screen *s);

/* --- view_urls.c: the links of a message ------------------------------- */

void urls_draw(struct screen *s);
void urls_key(struct screen *s, int action);
/* Opens the list over the pager's message; says so when it has no link. */
void urls_open(struct screen *s);
void urls_close(struct screen *s);

/* --- view_attach.c: the attachments of a message ----------------------- */

void attach_view_draw(struct screen *s);
void attach_view_key(struct screen *s, int action);
/* Opens the menu over the pager's message; says so when it has none. */
void attach_view_open(struct screen *s);

/* --- run.c: other programs ------------------------------------------- */

/*
 * Runs /bin/sh -c script with $1 = arg (never put through the shell
 * itself), the terminal handed over and taken back, standard input from
 * in_fd (or the terminal when -1).  Returns its exit status, or -1 with e
 * set when it could not be started or was killed.
 */
int screen_run(struct screen *s, const char *script, const char *arg, int in_fd,
	       struct err *e);

/* --- view_compose.c: writing a message --------------------------------- */

void compose_draw(struct screen *s);
void compose_key(struct screen *s, int action);
/* Starts a message of that kind, from the index or the pager. */
void compose_start(struct screen *s, enum ui_compose_kind kind);
/* The keys that write a message (new, reply, forward...); false: not one. */
bool compose_start_by_key(struct screen *s, int action);
/*
 * msg (a draft) encrypted to its author's own certificate, in place;
 * NULL then, else why it stays in the clear (owned).
 */
char *compose_seal(struct screen *s, struct buf *msg);
/* What sending the draft will do, for the line under its headers. */
void compose_plan(struct screen *s);

/* --- view_compose_keep.c: the draft being written, kept against a crash - */

/*
 * Keeps the draft on the compose screen in DATA/compose.eml (0600),
 * encrypted to you; without a certificate of yours nothing is kept (the
 * data directory holds no readable mail).
 */
void compose_keep(struct screen *s);
/* Removes the kept draft (sent, postponed or abandoned). */
void compose_keep_drop(struct screen *s);
/*
 * At start: a draft kept by a cachet that stopped while it was written is
 * offered again (Enter resumes it, d drops it, Esc leaves it for later).
 */
void compose_recover(struct screen *s);

/* --- view_outbox.c: what waits to be sent ----------------------------- */

void outbox_view_draw(struct screen *s);
void outbox_view_key(struct screen *s, int action);
/* Opens the outbox view (from a list or the pager). */
void outbox_view_open(struct screen *s);
void outbox_view_close(struct screen *s);

/* --- complete.c: addresses for To, Cc and Bcc -------------------------- */

/*
 * Tab in an address prompt: completes the last address of text (after
 * its last comma) from the address book (client/addrbook.h), alone when
 * one matches, else through a menu drawn over the body that says of each
 * candidate whether cachet can encrypt to it.  The new text (owned), or
 * NULL when nothing changes (the status line says why).
 */
char *complete_address(struct screen *s, const char *text);

#endif
