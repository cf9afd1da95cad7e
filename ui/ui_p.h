/*
 * ui_p.h — the screens' plain functions: decoding a message into the lines
 * of the pager, the security banner, the index line.  Nothing here draws,
 * so every function is tested without a terminal (tests/unit/ui/).
 *
 * All text produced here is valid UTF-8 without control characters (tabs
 * are expanded), so that a message can never send escape sequences to the
 * terminal.
 */
#ifndef CACHET_UI_P_H
#define CACHET_UI_P_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "base/base.h"
#include "certstore/certstore.h"
#include "client/config.h"
#include "client/send.h"
#include "crypto/smime.h"
#include "ui/ui.h"

/*
 * --- text.c: display width ---------------------------------------------
 * Charsets and sanitising are base's (utf8_from_charset).
 */

/* Columns that UTF-8 s takes on the terminal. */
int ui_text_width(const char *s);
/*
 * Appends s cut or padded with spaces to exactly cols columns; a cut ends
 * in nothing wider than the room left (wide characters are not split).
 */
void ui_text_fit(struct buf *out, const char *s, int cols);
/*
 * Splits UTF-8 line s (no '\n') into pieces of at most cols columns,
 * breaking at spaces when it can; calls fn for each piece.  Tabs are
 * expanded to the next multiple of 8.  Returns the number of pieces.
 */
size_t ui_text_wrap(const char *s, int cols,
		    void (*fn)(void *arg, const char *piece, size_t len),
		    void *arg);

/* --- mime.c: headers, encodings --------------------------------------- */

/*
 * Header fields and Content-Type / Content-Disposition values are read
 * with crypto's MIME parser (smime.h: mime_header_first, mime_header_decode,
 * mime_transfer_decode_lenient, mime_date_parse), so that the screen sees
 * the structure the verdict was computed over.
 */

/*
 * A parameter of a Content-Type value ("charset" in "text/plain;
 * charset=utf-8"), unquoted, comments skipped, RFC 2231 continuations and
 * charset'lang'%XX values decoded (bytes; ISO-8859-1 made UTF-8).  A value
 * that is not "type/subtype" is the default text/plain; charset=us-ascii,
 * as for the verdict.  NULL when absent.
 */
char *ui_ctype_param(const char *value, const char *param);
/* The same for a Content-Disposition value ("attachment; filename=..."). */
char *ui_disposition_param(const char *value, const char *param);
/* The media type of a Content-Type value, lower case ("text/plain"); an
 * unreadable or missing value is text/plain. */
char *ui_content_type(const char *value);

/* --- banner.c: the security banner -------------------------------------- */

enum ui_tone {
	UI_TONE_GOOD,		/* a valid signature over what is shown */
	UI_TONE_INFO,		/* neutral: "Not signed", "Encrypted to you" */
	UI_TONE_BAD,		/* a problem the person must see */
};

struct ui_banner_line {
	enum ui_tone tone;
	char *text;		/* owned; UTF-8 */
};

struct ui_banner {
	struct ui_banner_line *lines;	/* owned */
	size_t n;
};

/*
 * The words for a verdict, one problem per line, worst first.  Names the
 * signer by the address in its certificate, never by a display name.
 */
void ui_banner_build(const struct smime_verdict *v, struct ui_banner *out);
/*
 * Adds to b (built for v) the line that says a signed message without
 * protected headers has a Reply-To (the outer value, raw, or NULL) that
 * its signature does not cover.  Nothing when v has protected headers, no
 * signer, or there is no Reply-To.
 */
void ui_banner_add_unprotected(struct ui_banner *b, const struct smime_verdict *v,
			       const char *reply_to);
/* True when the person's own servers said DMARC fail for the message. */
bool ui_dmarc_failed(const struct smime_verdict *v);
void ui_banner_release(struct ui_banner *b);
/*
 * When an engine error message says a secret key's passphrase is not in
 * gpg-agent (no pinentry is ever started), the same in plain words with
 * the engine's advice on how to unlock it (owned); else NULL.
 */
char *ui_locked_key_text(const char *msg);
/* "CN" value of an RFC 4514 distinguished name, or the whole name. */
char *ui_dn_common_name(const char *dn);

/* --- pager.c: a message as lines ---------------------------------------- */

enum ui_line_kind {
	UI_LINE_BANNER_GOOD,
	UI_LINE_BANNER_INFO,
	UI_LINE_BANNER_BAD,
	UI_LINE_HEADER,
	UI_LINE_BODY,
	UI_LINE_QUOTE,		/* body line starting with '>' */
	UI_LINE_ATTACHMENT,
	UI_LINE_NOTE,		/* cachet's own remarks ("[HTML shown as text]") */
};

struct ui_line {
	enum ui_line_kind kind;
	char *text;		/* owned; UTF-8, no '\n' */
};

struct ui_attachment {
	char *name;		/* owned; decoded file name, or NULL */
	char *type;		/* owned; media type */
	char *encoding;		/* owned; transfer encoding, lower case */
	char *data;		/* owned; the encoded bytes of the part */
	size_t len;
	size_t decoded_size;
};

struct ui_doc {
	struct ui_line *lines;		/* owned */
	size_t n_lines;
	struct ui_attachment *atts;	/* owned */
	size_t n_atts;
};

/*
 * Turns a message into the pager's lines: the banner for v (none when v
 * is NULL), the headers From, To, Cc, Reply-To, Date, Subject, then the
 * body.  The headers are v's protected ones when it has them (RFC 9788;
 * the banner says which outer fields differ), else msg's own.
 * When inner is not NULL (the decrypted content of the top crypto layer)
 * the body shown is inner's, else msg's.  Only the top layer is opened: an
 * encrypted part further down is listed, never decrypted.  HTML is shown as
 * plain text with its tags removed; nothing is fetched from anywhere.
 */
void ui_doc_build(struct ui_doc *doc, const char *msg, size_t len,
		  const struct smime_verdict *v, const char *inner,
		  size_t inner_len);
void ui_doc_release(struct ui_doc *doc);
/* The decoded bytes of an attachment. */
void ui_attachment_decode(const struct ui_attachment *a, struct buf *out);
/*
 * HTML to plain text, appended to out (html.c): tags removed, entities
 * decoded, a table row's cells kept apart by " | ", each link's text
 * followed by "[N]" and the links listed under the text as "[N] URL"
 * (http, https, ftp and mailto only).  Images, scripts and styles are
 * dropped; nothing is fetched.
 */
void ui_html_to_text(struct buf *out, const char *html, size_t len);
/*
 * The addresses (http, https, ftp, mailto) in the body lines of a doc, in
 * order, each once: *out (owned, each string owned) gets them; returns how
 * many.
 */
size_t ui_doc_urls(const struct ui_doc *d, char ***out);

/*
 * mailcap.c — RFC 1524: the viewer of a media type.  ui_mailcap_find reads
 * the files named (NULL-terminated; a missing one is skipped), in order,
 * and returns the first entry for type ("text/html", or "text/ *" as a
 * pattern in the file) whose test= command, if any, exits 0: its view
 * command with %s replaced by file, %t by type (when type is only letters,
 * digits and "/.+-", else by nothing) and %{...} by nothing (a message's
 * parameters are not put into a shell command).  *stdin_data is true when
 * the command has no %s and reads the content on its standard input;
 * *needs_terminal and *copious give the flags.  NULL when no entry fits.
 */
char *ui_mailcap_find(const char *const *files, const char *type, const char *file,
		      bool *stdin_data, bool *needs_terminal, bool *copious);

/* --- index.c: one line of the message index ----------------------------- */

enum ui_crypto_mark {
	UI_CRYPTO_NONE,
	UI_CRYPTO_SIGNED,	/* top level says signed; not checked yet */
	UI_CRYPTO_ENCRYPTED,	/* application/pkcs7-mime enveloped-data */
	UI_CRYPTO_VALID,	/* checked in the pager: valid and whole */
	UI_CRYPTO_PROBLEM,	/* checked in the pager: anything else */
	UI_CRYPTO_DMARC_FAIL,	/* checked in the pager: unsigned, and the
				 * person's server says DMARC fail */
	UI_CRYPTO_UNSIGNED_SIGNER, /* checked in the pager: unsigned from an
				 * address that has signed before */
};

/* What the top-level Content-Type says, without looking further. */
enum ui_crypto_mark ui_crypto_mark_of(const char *content_type);
/* "20:15" today, "Nov 27" this year, "2025-11-27" before. */
void ui_date_short(struct buf *out, time_t date, time_t now);
/* "512", "1.2K", "34K", "5.6M". */
void ui_size_short(struct buf *out, size_t size);
/*
 * One index line, exactly cols columns: number, flags, crypto mark, date,
 * sender, subject, size.
 */
void ui_index_line(struct buf *out, size_t number, const struct mail_envelope *env,
		   enum ui_crypto_mark mark, int cols, time_t now);
/* Case-insensitive (ASCII) search in subject and from. */
bool ui_envelope_matches(const struct mail_envelope *env, const char *needle);
/*
 * Whether text holds needle, case folded by Unicode's rules (full folding,
 * NFKC) as the index's search compares: the pager's search (/) too.
 */
bool ui_text_matches(const char *text, const char *needle);

/* --- thread.c: the index in threads ------------------------------------ */

/*
 * The order of env[0..n) in threads: order[k] is the envelope shown k-th
 * and depth[k] how deep in its thread (0: starts one).  A message goes
 * under the one its In-Reply-To names, else the last of its References
 * found in the folder; a reply ("Re: X") whose parent is absent goes under
 * the earliest message that starts a thread with subject X, when that one
 * is earlier than the reply.  Ids and subjects are looked up in sorted
 * tables (a large folder does not take n squared lookups).  Threads are in
 * the order of their first message's date, replies by date under their
 * parent.  order and depth hold n entries each.
 */
void ui_thread_order(const struct mail_envelope *env, size_t n, size_t *order,
		     unsigned *depth);

/* --- certview.c: a signer's certificate and its bindings --------------- */

/* What a binding's state means for the person, in a few words. */
const char *ui_binding_state_words(enum certstore_state st);
/*
 * Appends the certificate view of signer sg to doc: subject, issuer,
 * serial, fingerprints, validity at now, addresses (from cert, parsed from
 * the certificate the message carried, else from sg), then the store's
 * bindings b[0..n) of that certificate, or "none", or store_error when the
 * store could not be read.  *can_trust is set when a binding is pending or
 * in conflict, which the person may trust.
 */
void ui_cert_doc_build(struct ui_doc *doc, const struct smime_signer *sg,
		       const struct certstore_cert *cert,
		       const struct certstore_binding *b, size_t n,
		       const char *store_error, time_t now, bool *can_trust);

/* --- keys.c: keys and colours ------------------------------------------ */

enum ui_view {
	UI_VIEW_FOLDERS, UI_VIEW_INDEX, UI_VIEW_PAGER, UI_VIEW_HELP,
	UI_VIEW_COMPOSE, UI_VIEW_CERT, UI_VIEW_OUTBOX, UI_VIEW_URLS,
	UI_VIEW_ATTACH,
};
#define UI_IN(view) (1u << (view))

/* The effective keys: the defaults, with the configuration's [keys] on top. */
struct ui_keymap {
	struct config_binding b[CONFIG_ACTION_COUNT];
};

/*
 * Builds the keymap from cfg (NULL: the defaults).  Fails with ERR_CONFIG
 * naming the file and line when one key would do two things on one screen.
 */
int ui_keymap_init(struct ui_keymap *km, const struct config *cfg, struct err *e);
/* The action key (enum config_key) does on view v, or -1. */
int ui_keymap_action(const struct ui_keymap *km, enum ui_view v, int key);
/* Appends the keys of action a, "j, Down", or "(no key)". */
void ui_keymap_keys(const struct ui_keymap *km, enum config_action a,
		    struct buf *out);
/* UI_IN() of the views action a acts in. */
unsigned ui_action_views(enum config_action a);
/* The help screen's lines with the effective keys (owned, n_out of them). */
char **ui_help_build(const struct ui_keymap *km, size_t *n_out);
void ui_help_free(char ***lines, size_t n);

/* Dim: not in the configuration's words, but a default of some elements. */
#define UI_ATTR_DIM (1u << 8)

struct ui_paint {
	int fg, bg;		/* -1 the terminal's default, else 0..7 */
	unsigned attrs;		/* enum config_attr, UI_ATTR_DIM */
};

/*
 * How element el is drawn: cfg's [colors] (NULL: the defaults) on a colour
 * terminal; on a monochrome one, the attributes given there or the
 * default attributes, so that no element is told apart by colour alone.
 */
void ui_paint_resolve(const struct config *cfg, enum config_element el,
		      bool color, struct ui_paint *out);

/* --- compose.c: drafts and what sending will do ------------------------ */

enum ui_compose_kind {
	UI_COMPOSE_NEW,
	UI_COMPOSE_REPLY,
	UI_COMPOSE_REPLY_ALL,
	UI_COMPOSE_FORWARD,
	UI_COMPOSE_FORWARD_ATTACHED,	/* the original as a message/rfc822 part */
};

struct ui_draft_part {
	char *name;		/* owned; file name, no directories */
	char *type;		/* owned; media type */
	char *data;		/* owned; the bytes (NUL after them) */
	size_t len;
};

struct ui_draft {
	char *to, *cc, *bcc;	/* owned; address lists as typed or as sent */
	char *subject;		/* owned; UTF-8 */
	char *in_reply_to;	/* owned, or NULL */
	char *references;	/* owned, or NULL */
	char *body;		/* owned; UTF-8, LF line ends */
	struct ui_draft_part *parts;	/* owned; attachments */
	size_t n_parts;
	/* owned, or NULL; fixed when writing begins, so that sending the
	 * draft again replaces its outbox entry rather than adding one */
	char *message_id;
};

/*
 * A draft for kind, from the original message msg (NULL for a new one) and
 * its pager lines doc (what a reply quotes, what a forward includes).  A
 * reply goes to Reply-To, else From; a reply to all adds the original To
 * and Cc, without self (the account's address) and without duplicates.
 * When v (msg's verdict, or NULL) has protected headers, the original's
 * header fields are those, never the outer ones (RFC 9788): a Reply-To
 * added on the way takes no reply anywhere.
 */
void ui_draft_init(struct ui_draft *d, enum ui_compose_kind kind, const char *msg,
		   size_t len, const struct ui_doc *doc,
		   const struct smime_verdict *v, const char *self);
void ui_draft_release(struct ui_draft *d);
/*
 * A draft again from a postponed message msg (decrypted already) and its
 * pager lines doc: To, Cc and Bcc as written, the Subject decoded,
 * In-Reply-To, References and Message-ID kept, the text, and the
 * attachments decoded.
 */
void ui_draft_resume(struct ui_draft *d, const char *msg, size_t len,
		     const struct ui_doc *doc);
/* The RFC 5322 message of a draft (UTF-8 text; Subject encoded if needed). */
void ui_draft_message(const struct ui_draft *d, const char *from, struct buf *out);
/* --- attach.c: attachments ---------------------------------------------- */

/* True when data looks like text: valid UTF-8 without control characters. */
bool ui_data_is_text(const char *data, size_t len);
/*
 * The media type of a file from its name's extension and its first bytes
 * (a known signature wins; a name that says text over binary bytes gives
 * application/octet-stream); unknown: text/plain or octet-stream.
 */
const char *ui_media_type_guess(const char *name, const char *data, size_t len);
/* Adds a copy of data as an attachment named name (directories dropped). */
void ui_draft_attach(struct ui_draft *d, const char *name, const char *type,
		     const char *data, size_t len);
void ui_draft_detach(struct ui_draft *d, size_t i);
void ui_draft_parts_release(struct ui_draft *d);
/*
 * The Content-Type, Content-Transfer-Encoding and body of the draft: the
 * text alone, or multipart/mixed with the text first and each attachment
 * in base64 (a message/rfc822 one as it is, when it can travel so).
 */
void ui_draft_body_parts(const struct ui_draft *d, struct buf *out);

/*
 * The compose screen's line about a send plan: "will be signed (required
 * by policy); will be encrypted to X, Y (bcc)" or "...; cannot encrypt:
 * WHY".  *bad is set when the person should look twice (not signed; a
 * reply to an encrypted message that will go out in the clear).
 */
void ui_send_plan_text(const struct send_plan *plan, bool original_encrypted,
		       struct buf *out, bool *bad);

#endif
