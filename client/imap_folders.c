/* imap_folders.c — folders: the list, their special uses, creating one,
 * and storing a message in one. */
#include "client/imap.h"
#include "client/imap_p.h"

#include <stdlib.h>
#include <string.h>

/* The RFC 6154 attribute of a use, without its backslash. */
static const char *
use_attribute(enum imap_use use)
{
	switch (use) {
	case IMAP_USE_SENT: return "Sent";
	case IMAP_USE_DRAFTS: return "Drafts";
	default: return NULL;
	}
}

static enum imap_use
use_of(const struct mailimap_mbx_list_flags *fl)
{
	clistiter *it;

	if (fl == NULL || fl->mbf_oflags == NULL)
		return IMAP_USE_NONE;
	for (it = clist_begin(fl->mbf_oflags); it; it = clist_next(it)) {
		const struct mailimap_mbx_list_oflag *of = clist_content(it);
		const char *x = of->of_flag_ext;

		if (of->of_type != MAILIMAP_MBX_LIST_OFLAG_FLAG_EXT || x == NULL)
			continue;
		if (*x == '\\')
			x++;
		if (str_casecmp_ascii(x, "Sent") == 0)
			return IMAP_USE_SENT;
		if (str_casecmp_ascii(x, "Drafts") == 0)
			return IMAP_USE_DRAFTS;
	}
	return IMAP_USE_NONE;
}

int
imap_list(struct imap_session *s, struct imap_folder **out, size_t *n,
	  struct err *e)
{
	clist *list = NULL;
	clistiter *it;
	size_t i = 0;
	int r;

	*out = NULL;
	*n = 0;
	r = mailimap_list(s->imap, "", "*", &list);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(s, r, e, "LIST");
	*out = xcalloc(clist_count(list) + 1, sizeof **out);
	for (it = clist_begin(list); it; it = clist_next(it)) {
		struct mailimap_mailbox_list *mb = clist_content(it);
		struct imap_folder *f = &(*out)[i++];

		f->name = xstrdup(mb->mb_name);
		f->delimiter = mb->mb_delimiter;
		f->noselect = mb->mb_flag && mb->mb_flag->mbf_type ==
			      MAILIMAP_MBX_LIST_FLAGS_SFLAG &&
			      mb->mb_flag->mbf_sflag == MAILIMAP_MBX_LIST_SFLAG_NOSELECT;
		f->use = use_of(mb->mb_flag);
	}
	*n = i;
	mailimap_list_result_free(list);
	return 0;
}

void
imap_folders_free(struct imap_folder **f, size_t n)
{
	size_t i;

	if (f == NULL || *f == NULL)
		return;
	for (i = 0; i < n; i++)
		free((*f)[i].name);
	free(*f);
	*f = NULL;
}

int
imap_special_folder(struct imap_session *s, enum imap_use use, char **out,
		    struct err *e)
{
	struct imap_folder *f = NULL;
	size_t n = 0, i;

	*out = NULL;
	if (imap_list(s, &f, &n, e) < 0)
		return -1;
	for (i = 0; i < n && *out == NULL; i++)
		if (f[i].use == use && !f[i].noselect)
			*out = xstrdup(f[i].name);
	imap_folders_free(&f, n);
	return 0;
}

int
imap_account_folder(struct imap_session *s, const struct account *a,
		    enum imap_use use, char **out, struct err *e)
{
	bool sent = use == IMAP_USE_SENT;

	*out = NULL;
	if (!(sent ? a->sent_default : a->drafts_default)) {
		*out = xstrdup(sent ? a->sent : a->drafts);
		return 0;
	}
	if (imap_special_folder(s, use, out, e) < 0)
		return -1;
	if (*out == NULL)
		*out = xstrdup(sent ? a->sent : a->drafts);
	return 0;
}

/* folder as an IMAP quoted string; ERR_USAGE for a line break in it. */
static int
add_quoted(struct buf *b, const char *folder, struct err *e)
{
	const char *p;

	buf_addc(b, '"');
	for (p = folder; *p; p++) {
		if (*p == '\r' || *p == '\n')
			return err_set(e, ERR_USAGE, "a folder name with a line break");
		if (*p == '"' || *p == '\\')
			buf_addc(b, '\\');
		buf_addc(b, *p);
	}
	buf_addc(b, '"');
	return 0;
}

int
imap_create(struct imap_session *s, const char *folder, enum imap_use use,
	    struct err *e)
{
	struct buf cmd = BUF_INIT;
	int rc;

	buf_adds(&cmd, "CREATE ");
	if (add_quoted(&cmd, folder, e) < 0) {
		buf_release(&cmd);
		return -1;
	}
	if (use_attribute(use) && imap_has_capability(s, "CREATE-SPECIAL-USE"))
		buf_addf(&cmd, " (USE (\\%s))", use_attribute(use));
	rc = imap_simple_command(s, cmd.data, "CREATE", e);
	buf_release(&cmd);
	if (rc < 0)
		return err_prefix(e, "folder %s", folder);
	return 0;
}

int
imap_rename(struct imap_session *s, const char *folder, const char *to, struct err *e)
{
	struct buf cmd = BUF_INIT;
	int rc = -1;

	buf_adds(&cmd, "RENAME ");
	if (add_quoted(&cmd, folder, e) == 0) {
		buf_addc(&cmd, ' ');
		if (add_quoted(&cmd, to, e) == 0)
			rc = imap_simple_command(s, cmd.data, "RENAME", e);
	}
	buf_release(&cmd);
	return rc < 0 ? err_prefix(e, "folder %s", folder) : 0;
}

int
imap_delete(struct imap_session *s, const char *folder, struct err *e)
{
	struct buf cmd = BUF_INIT;
	int rc = -1;

	buf_adds(&cmd, "DELETE ");
	if (add_quoted(&cmd, folder, e) == 0)
		rc = imap_simple_command(s, cmd.data, "DELETE", e);
	buf_release(&cmd);
	return rc < 0 ? err_prefix(e, "folder %s", folder) : 0;
}

int
imap_folder_counts(struct imap_session *s, const char *folder, uint32_t *unseen,
		   uint32_t *total, struct err *e)
{
	struct mailimap_status_att_list *att = mailimap_status_att_list_new_empty();
	struct mailimap_mailbox_data_status *st = NULL;
	clistiter *cur;
	int r;

	*unseen = *total = 0;
	mailimap_status_att_list_add(att, MAILIMAP_STATUS_ATT_MESSAGES);
	mailimap_status_att_list_add(att, MAILIMAP_STATUS_ATT_UNSEEN);
	r = mailimap_status(s->imap, folder, att, &st);
	mailimap_status_att_list_free(att);
	if (r != MAILIMAP_NO_ERROR) {
		imap_fail(s, r, e, "STATUS");
		return err_prefix(e, "folder %s", folder);
	}
	for (cur = clist_begin(st->st_info_list); cur; cur = clist_next(cur)) {
		struct mailimap_status_info *info = clist_content(cur);

		if (info->st_att == MAILIMAP_STATUS_ATT_MESSAGES)
			*total = info->st_value;
		else if (info->st_att == MAILIMAP_STATUS_ATT_UNSEEN)
			*unseen = info->st_value;
	}
	mailimap_mailbox_data_status_free(st);
	return 0;
}

int
imap_append(struct imap_session *s, const char *folder, unsigned flags,
	    const char *msg, size_t len, struct err *e)
{
	struct mailimap_flag_list *fl = imap_flag_list(flags);
	struct buf crlf = BUF_INIT;
	size_t i;
	int r;

	/* IMAP literals carry CRLF line ends; LF alone is made CRLF. */
	buf_grow(&crlf, len + len / 32);
	for (i = 0; i < len; i++) {
		if (msg[i] == '\n' && (i == 0 || msg[i - 1] != '\r'))
			buf_addc(&crlf, '\r');
		buf_addc(&crlf, msg[i]);
	}
	r = mailimap_append(s->imap, folder, fl, NULL, crlf.data ? crlf.data : "",
			    crlf.len);
	mailimap_flag_list_free(fl);
	buf_release(&crlf);
	if (r != MAILIMAP_NO_ERROR) {
		imap_fail(s, r, e, "APPEND");
		return err_prefix(e, "folder %s", folder);
	}
	return 0;
}

int
imap_append_create(struct imap_session *s, const char *folder, enum imap_use use,
		   unsigned flags, const char *msg, size_t len, bool *created,
		   struct err *e)
{
	struct mailimap_response_info *ri;

	*created = false;
	if (imap_append(s, folder, flags, msg, len, e) == 0)
		return 0;
	ri = s->imap ? s->imap->imap_response_info : NULL;
	if (ri == NULL || !ri->rsp_trycreate)
		return -1;
	if (imap_create(s, folder, use, e) < 0)
		return -1;
	*created = true;
	return imap_append(s, folder, flags, msg, len, e);
}

int
imap_has_message_id(struct imap_session *s, const char *message_id,
		    struct err *e)
{
	struct mailimap_search_key *key;
	clist *result = NULL;
	int r, found;

	key = mailimap_search_key_new_header(xstrdup("Message-ID"),
					     xstrdup(message_id));
	r = mailimap_uid_search(s->imap, NULL, key, &result);
	mailimap_search_key_free(key);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(s, r, e, "UID SEARCH");
	found = clist_count(result) > 0;
	mailimap_search_result_free(result);
	return found;
}
