/*
 * smime_p.h — crypto/'s private pieces, shared by its files and its unit
 * tests: address parsing and a small BER/DER walker over CMS structures.
 * The MIME parser and the codecs are public (smime.h).
 * Nothing here touches GPGME.
 */
#ifndef CACHET_SMIME_P_H
#define CACHET_SMIME_P_H

#include <stdbool.h>
#include <stddef.h>

#include "base/base.h"
#include "crypto/smime.h"

/* Addresses.  addr_list_parse: the addr-specs of an RFC 5322 address list
 * (display names, comments, groups, angle brackets), domain lower-cased;
 * appends to *v (NULL-terminated, owned).  addr_equal: the same
 * smime_address_key. */
void addr_list_parse(const char *value, char ***v, size_t *n);
/* addr_list_parse, and *group set when the list holds a group ("name: a;"),
 * which From may not (RFC 5322 3.6.2). */
void addr_list_parse_group(const char *value, char ***v, size_t *n, bool *group);
bool addr_equal(const char *a, const char *b);

/* What a CMS blob is, read from its BER without a crypto engine. */
enum cms_type {
	CMS_UNKNOWN = 0,
	CMS_SIGNED,
	CMS_ENVELOPED,
	CMS_AUTH_ENVELOPED,
	CMS_COMPRESSED,
	CMS_DATA,
};

struct cms_info {
	enum cms_type type;
	size_t n_signer_infos;		/* SignedData */
	size_t n_certs;			/* SignedData's certificates [0] */
	bool has_econtent;		/* SignedData carries its content */
	size_t n_ktri, n_kari, n_kekri, n_pwri, n_ori; /* EnvelopedData */
	size_t n_oaep;			/* ktris using RSAES-OAEP */
	char content_alg[64];		/* dotted OID of the content cipher */
	/* Serial numbers (upper-case hex of the INTEGER's bytes) of the first
	 * ktris named by issuer and serial, in order. */
#define CMS_MAX_RIDS 16
	char rid_serials[CMS_MAX_RIDS][68];
	size_t n_rid_serials;
};

/* Walks der (BER allowed: indefinite lengths).  ERR_INPUT with a message
 * saying where when the structure is truncated or malformed. */
int cms_inspect(const unsigned char *der, size_t len, struct cms_info *info,
		struct err *e);
/* NULL when cachet can try to decrypt it, else a sentence saying why not
 * (the content cipher and the recipients' algorithms are checked as they
 * are read). */
const char *cms_unsupported_reason(const struct cms_info *info);
/* Dotted form of a DER-encoded OID body; 0 or -1 when malformed. */
int der_oid_string(const unsigned char *p, size_t n, char *out, size_t outlen);
/* One BER TLV (indefinite lengths resolved): the walker cms_inspect uses,
 * for readers of the parts of CMS that libksba does not hand out. */
struct der_tlv {
	unsigned cls;		/* 0 universal, 1 application, 2 context, 3 private */
	bool constructed;
	unsigned long tag;
	const unsigned char *raw;	/* foreign; the whole TLV (total bytes) */
	const unsigned char *v;	/* foreign; contents */
	size_t n;		/* contents length */
	size_t total;		/* header + contents (+ end-of-contents) */
};
/* Reads the TLV at p[0..len).  ERR_INPUT when truncated or malformed. */
int der_read(const unsigned char *p, size_t len, struct der_tlv *t, struct err *e);
/* Whether the whole BER/DER tree at p holds together: every element's
 * length within its parent's, a constructed value's children filling it,
 * lengths of at most 4 bytes, nesting and element count bounded.  Run over
 * what goes to libksba, whose decoder allocates what a length says before
 * it knows whether the bytes are there.  ERR_INPUT. */
int der_check_tree(const unsigned char *p, size_t len, struct err *e);
/* The child of parent at *off (start at 0), *off moved past it: 1 with
 * child filled, 0 after the last one, -1 (ERR_INPUT) when malformed. */
int der_next(const struct der_tlv *parent, size_t *off, struct der_tlv *child,
	     struct err *e);

/* JSON-free helpers shared by sign and encrypt: the header of msg without
 * its content fields (and without Bcc when drop_bcc) appended to out. */
void mime_copy_message_fields(const struct mime_entity *m, bool drop_bcc,
			      struct buf *out);
/* The content entity of msg as canonical 7-bit-safe bytes with line end
 * eol: content fields, blank line, body, re-encoded when 8-bit. */
int mime_make_7bit_entity(const struct mime_entity *m, const char *eol,
			  int depth, struct buf *out, struct err *e);
/* A fresh random boundary. */
char *mime_new_boundary(void);

/*
 * Header protection (hp.c, RFC 9788).  hp_outer_fields: the outer header
 * of a message built from m, in m's line ending: its message fields
 * without Bcc, and for an encrypted message (cipher) as hcp_baseline
 * leaves them (Subject "[...]", no Keywords or Comments).
 * hp_protect_entity: entity (a content entity in line ending eol, as
 * mime_make_7bit_entity makes it) with hp="clear" or hp="cipher" on its
 * Content-Type and the message fields of m (all but Bcc) in its header;
 * with cipher also the HP-Outer fields of what hp_outer_fields leaves
 * outside.
 */
void hp_outer_fields(const struct mime_entity *m, bool cipher, struct buf *out);
void hp_protect_entity(const struct mime_entity *m, const char *entity,
		       size_t len, bool cipher, const char *eol, struct buf *out);
/* The hp parameter of m's Content-Type. */
enum smime_hp hp_mode_of(const struct mime_entity *m);
/* Fills v's hp, protected fields and HP-Outer fields from root, the root
 * of the cryptographic payload (nothing when it has no hp parameter). */
void hp_read_root(const struct mime_entity *root, struct smime_verdict *v);
/* Records in v->header_changes the fields of smime_hp_fields whose value
 * in msg's outer header is not what v's protected headers say; returns
 * how many. */
size_t hp_check_outer(const struct mime_entity *msg, struct smime_verdict *v);
/* The names of m's message fields, sorted (owned, *n of them), and a look
 * up among them (case-insensitive), in O(log n). */
char **hp_field_names(const struct mime_entity *m, size_t *n);
bool hp_names_have(char *const *names, size_t n, const char *name);
void hp_names_free(char **names, size_t n);
/* first[i] (an owned array of n) is true when v[i] is the first field of
 * its name (case-insensitive); O(n log n). */
bool *hp_first_of_name(const struct smime_field *v, size_t n);
/* Frees what the header protection fields of v own. */
void hp_verdict_release(struct smime_verdict *v);

#endif
