/* json.c — the verdict as one line of JSON. */
#include "crypto/smime.h"

#include <string.h>

/* Length of the valid UTF-8 sequence at s, or 0. */
static size_t
utf8_len(const unsigned char *s)
{
	size_t n, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are invalid. */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

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
		n = utf8_len(p);
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
	buf_adds(out, "]}");
}
