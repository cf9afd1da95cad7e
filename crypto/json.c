/* json.c — the verdict as one line of JSON. */
#include "crypto/smime_p.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void
smime_json_string(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (s == NULL) {
		buf_adds(out, "null");
		return;
	}
	buf_addc(out, '"');
	while (*p) {
		uint32_t cp;
		size_t n;

		switch (*p) {
		case '"': buf_adds(out, "\\\""); p++; continue;
		case '\\': buf_adds(out, "\\\\"); p++; continue;
		case '\n': buf_adds(out, "\\n"); p++; continue;
		case '\r': buf_adds(out, "\\r"); p++; continue;
		case '\t': buf_adds(out, "\\t"); p++; continue;
		default: break;
		}
		if (*p < 0x20 || *p == 0x7f) {
			buf_addf(out, "\\u%04x", *p);
			p++;
			continue;
		}
		/* At most 4 bytes, never past the terminating NUL. */
		n = utf8_decode(p, strnlen((const char *)p, 4), &cp);
		if (n == 0) {
			buf_adds(out, "\\ufffd");
			p++;
			continue;
		}
		buf_add(out, p, n);
		p += n;
	}
	buf_addc(out, '"');
}

/* The field name as RFC 5322 spells it when it is one cachet protects. */
static const char *
canonical_name(const char *name)
{
	size_t i;

	for (i = 0; smime_hp_fields[i]; i++)
		if (str_casecmp_ascii(smime_hp_fields[i], name) == 0)
			return smime_hp_fields[i];
	return name;
}

/* null, or {"Name": "decoded value", ...}, each name once (the first). */
static void
protected_json(const struct smime_verdict *v, struct buf *out)
{
	size_t i, k = 0;
	bool *first;

	if (v->hp == SMIME_HP_NONE) {
		buf_adds(out, "null");
		return;
	}
	first = hp_first_of_name(v->protected_fields, v->n_protected);
	buf_addc(out, '{');
	for (i = 0; i < v->n_protected; i++) {
		const struct smime_field *f = &v->protected_fields[i];
		char *d;

		if (!first[i])
			continue;
		if (k++)
			buf_addc(out, ',');
		smime_json_string(out, canonical_name(f->name));
		buf_addc(out, ':');
		d = mime_header_decode(f->value);
		smime_json_string(out, d);
		free(d);
	}
	buf_addc(out, '}');
	free(first);
}

void
smime_verdict_json(const struct smime_verdict *v, const char *file, struct buf *out)
{
	const struct smime_signer *first = v->n_signers ? &v->signers[0] : NULL;
	size_t i;

	/* The signer shown is the weakest: the one the verdict is about. */
	for (i = 1; i < v->n_signers; i++)
		if (v->signers[i].state > first->state)
			first = &v->signers[i];
	buf_adds(out, "{\"file\":");
	smime_json_string(out, file);
	buf_adds(out, ",\"signature\":");
	smime_json_string(out, smime_sig_name(v->signature));
	buf_adds(out, ",\"coverage\":");
	smime_json_string(out, v->signature == SMIME_SIG_NONE && v->coverage == SMIME_COVERAGE_NONE
			  ? NULL : smime_coverage_name(v->coverage));
	buf_adds(out, ",\"signer\":");
	smime_json_string(out, first ? first->email : NULL);
	buf_adds(out, ",\"fingerprint\":");
	smime_json_string(out, first ? first->fingerprint : NULL);
	buf_adds(out, ",\"decryption\":");
	smime_json_string(out, smime_decryption_name(v->decryption));
	buf_adds(out, ",\"warnings\":[");
	for (i = 0; i < v->n_warnings; i++) {
		if (i)
			buf_addc(out, ',');
		smime_json_string(out, smime_warning_name(v->warnings[i]));
	}
	buf_adds(out, "],\"error\":");
	smime_json_string(out, v->error);
	buf_adds(out, ",\"from\":");
	smime_json_string(out, v->from);
	buf_adds(out, ",\"signers\":[");
	for (i = 0; i < v->n_signers; i++) {
		const struct smime_signer *s = &v->signers[i];

		if (i)
			buf_addc(out, ',');
		buf_adds(out, "{\"email\":");
		smime_json_string(out, s->email);
		buf_adds(out, ",\"fingerprint\":");
		smime_json_string(out, s->fingerprint);
		buf_adds(out, ",\"state\":");
		smime_json_string(out, smime_sig_name(s->state));
		buf_adds(out, ",\"coverage\":");
		smime_json_string(out, smime_coverage_name(s->coverage));
		buf_adds(out, ",\"detail\":");
		smime_json_string(out, s->detail);
		buf_addc(out, '}');
	}
	buf_adds(out, "],\"protected_headers\":");
	protected_json(v, out);
	buf_adds(out, ",\"authentication\":");
	smime_authentication_json(v->authentication, out);
	buf_addc(out, '}');
}
